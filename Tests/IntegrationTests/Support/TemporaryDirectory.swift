import Glibc

/// A fresh directory under /tmp, removed with its contents when released.
/// The path is kept short because unix socket paths are limited to 107 bytes.
final class TemporaryDirectory {
    let path: String

    init(prefix: String = "fit") throws {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw HarnessError.posix("mkdtemp") }
        path = String(cString: template)
    }

    /// Absolute path of `name` inside the directory.
    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `text` to `name` (created or truncated) and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let target = file(name)
        // A configuration file ends with a newline, as an editor writes it
        // (HAProxy and Fulcrum refuse a last line without one).
        let isConfig = name.hasSuffix(".cfg") || name.hasSuffix(".conf")
        let ended = isConfig && !text.isEmpty && !text.hasSuffix("\n") ? text + "\n" : text
        try FileBytes.write(Array(ended.utf8), to: target)
        return target
    }

    /// Deletes the directory now (idempotent). Used by teardown, because
    /// XCTest may keep a test's objects alive until the whole run ends.
    func remove() {
        if access(path, F_OK) == 0 { removeTree(path) }
    }

    deinit {
        remove()
    }

    /// Depth-first removal; bounded by the directory's own small size.
    private func removeTree(_ path: String) {
        guard let dir = opendir(path) else {
            unlink(path)
            return
        }
        var entries: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            entries.append((name, entry.pointee.d_type == UInt8(DT_DIR)))
        }
        closedir(dir)
        for (name, isDirectory) in entries {
            if isDirectory { removeTree("\(path)/\(name)") } else { unlink("\(path)/\(name)") }
        }
        rmdir(path)
    }
}
