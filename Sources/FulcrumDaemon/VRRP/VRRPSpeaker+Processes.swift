import Glibc
import FulcrumPosix

/// `vrrp_track_process`: the running processes, read from /proc on a short
/// period (keepalived follows the kernel's process events; polling keeps
/// the VRRP child free of the connector socket, docs/differences.md).
extension VRRPSpeaker {
    /// How often /proc is read while some instance tracks a process (ms).
    static let processPollInterval: Int64 = 500

    /// Every process's name and, when some tracked process needs them, argv.
    static func runningProcesses(withArguments: Bool) -> [RunningProcess] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var out: [RunningProcess] = []
        // One buffer for every file of the scan.
        var buffer = [UInt8](repeating: 0, count: 4096)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard let first = name.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { continue }
            guard let n = Self.readSmall("/proc/\(name)/comm", into: &buffer) else { continue }
            var processName = String(decoding: buffer[..<n], as: UTF8.self)
            if processName.hasSuffix("\n") { processName.removeLast() }
            var arguments: [String] = []
            if withArguments, let n = Self.readSmall("/proc/\(name)/cmdline", into: &buffer) {
                arguments = buffer[..<n].split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                if arguments.last == "" { arguments.removeLast() }
            }
            out.append(RunningProcess(name: processName, arguments: arguments))
        }
        return out
    }

    /// Reads the start of a /proc file into `buffer` (one read: they are
    /// small, and this runs for every process twice a second); the count read.
    static func readSmall(_ path: String, into buffer: inout [UInt8]) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        return n >= 0 ? n : nil
    }

    /// Counts the tracked processes again; a quorum gained or lost (after
    /// its delay) moves the tracking instances.
    func pollProcesses(now: Int64) {
        let needArguments = processTrackers.contains { $0.process.fullCommand || $0.process.parameters != nil }
        let running = Self.runningProcesses(withArguments: needArguments)
        var changed = false
        for k in processTrackers.indices {
            let count = VRRPProcessMatch.count(processTrackers[k].process, in: running)
            if processTrackers[k].observe(count: count, now: now) {
                changed = true
                let p = processTrackers[k].process
                Log.notice("Quorum \(processTrackers[k].up ? "gained" : "lost") for tracked process \(p.name)")
            }
        }
        if changed { applyTracking(now: now, starting: false) }
    }

    /// Whether tracked process `name` is up (false when unknown).
    func trackedProcessUp(_ name: String) -> Bool {
        processTrackers.first { $0.process.name == name }?.up ?? false
    }
}
