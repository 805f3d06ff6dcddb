import Glibc

/// Reads the process table from /proc, so tests can find a master's workers
/// (its children) and check that nothing is left behind.
enum ProcessTree {
    /// Direct children of `pid`. Uses /proc/PID/task/TID/children for every
    /// thread (a child belongs to the thread that forked it); when the kernel
    /// lacks that file, scans every /proc/N/stat for a matching parent.
    static func children(of pid: pid_t) -> [pid_t] {
        let tasks = directoryEntries("/proc/\(pid)/task")
        if let first = tasks.first, access("/proc/\(pid)/task/\(first)/children", R_OK) == 0 {
            var result: [pid_t] = []
            for task in tasks {
                let text = FileBytes.readText("/proc/\(pid)/task/\(task)/children") ?? ""
                result += text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { pid_t($0) }
            }
            return result.sorted()
        }
        return allPids().filter { parent(of: $0) == pid }.sorted()
    }

    /// Children, grandchildren and so on, breadth first. Bounded by the number
    /// of processes on the system.
    static func descendants(of pid: pid_t) -> [pid_t] {
        var result: [pid_t] = []
        var queue = [pid]
        var visited: Set<pid_t> = [pid]
        var index = 0
        while index < queue.count && index < 100_000 {
            for child in children(of: queue[index]) where visited.insert(child).inserted {
                result.append(child)
                queue.append(child)
            }
            index += 1
        }
        return result
    }

    /// The parent pid from /proc/PID/stat, or nil if the process is gone.
    static func parent(of pid: pid_t) -> pid_t? {
        statFields(pid).flatMap { $0.count > 1 ? pid_t($0[1]) : nil }
    }

    /// One-letter state from /proc/PID/stat ("R", "S", "Z", ...).
    static func state(of pid: pid_t) -> String? {
        statFields(pid).flatMap { $0.first }
    }

    /// CPU time used so far, user plus system, in clock ticks (utime and
    /// stime of /proc/PID/stat; 100 a second on Linux).
    static func cpuTicks(of pid: pid_t) -> Int? {
        guard let f = statFields(pid), f.count > 12, let user = Int(f[11]), let system = Int(f[12]) else { return nil }
        return user + system
    }

    /// True when the process exists and is not a zombie.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let state = state(of: pid) else { return false }
        return state != "Z" && state != "X"
    }

    /// The first word of a /proc/PID/status line ("Uid:" gives the real
    /// uid, "CapEff:" the effective capabilities in hex), or nil.
    static func statusField(of pid: pid_t, _ field: String) -> String? {
        guard let text = FileBytes.readText("/proc/\(pid)/status") else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
        return line?.dropFirst(field.count + 1).split(whereSeparator: { $0 == "\t" || $0 == " " }).first.map(String.init)
    }

    /// argv of a process as the kernel holds it, or nil if it is gone.
    static func commandLine(of pid: pid_t) -> [String]? {
        guard let bytes = FileBytes.read("/proc/\(pid)/cmdline") else { return nil }
        return bytes.split(separator: 0, omittingEmptySubsequences: false)
            .dropLast(bytes.last == 0 ? 1 : 0)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// Inodes of the sockets `pid` holds open (from /proc/PID/fd links).
    static func socketInodes(of pid: pid_t) -> Set<UInt64> {
        var result: Set<UInt64> = []
        for fd in directoryEntries("/proc/\(pid)/fd") {
            var buffer = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/\(pid)/fd/\(fd)", &buffer, buffer.count - 1)
            guard n > 0 else { continue }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("socket:["), target.hasSuffix("]"),
               let inode = UInt64(target.dropFirst(8).dropLast()) {
                result.insert(inode)
            }
        }
        return result
    }

    /// Number of open descriptors of `pid`, or nil if it is gone.
    static func openDescriptorCount(of pid: pid_t) -> Int? {
        access("/proc/\(pid)/fd", R_OK) == 0 ? directoryEntries("/proc/\(pid)/fd").count : nil
    }

    /// Fields of /proc/PID/stat after the command name (which may contain
    /// spaces and parentheses, so it is skipped up to the last ')').
    private static func statFields(_ pid: pid_t) -> [String]? {
        guard let text = FileBytes.readText("/proc/\(pid)/stat"),
              let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ").map(String.init)
    }

    private static func allPids() -> [pid_t] {
        directoryEntries("/proc").compactMap { pid_t($0) }
    }

    static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
