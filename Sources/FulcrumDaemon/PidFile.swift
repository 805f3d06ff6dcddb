import Glibc
import FulcrumPosix

/// `-p FILE` / `pidfile`: the master's pid. With `-sf $(cat FILE)` a new
/// instance writes the file while the old one still runs, so the old one
/// removes it at exit only if it still names the old one.
enum PidFile {
    /// nil, or why it could not be written.
    static func write(_ path: String) -> String? {
        do {
            let fd = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try fd.writeAll(Array("\(getpid())\n".utf8))
            fd.close()
            return nil
        } catch {
            return "cannot write pidfile \(path): \(error)"
        }
    }

    static func removeIfOurs(_ path: String) {
        guard let bytes = try? ConfigLoader.readBytes(path) else { return }
        let text = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        if pid_t(text) == getpid() { unlink(path) }
    }
}
