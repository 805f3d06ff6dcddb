import Glibc

/// Sysctls the daemon sets for itself, through /proc/sys (per network
/// namespace for net.*).
public enum KernelTunables {
    public static let tcpMigrateRequests = "/proc/sys/net/ipv4/tcp_migrate_req"

    /// The value of a numeric sysctl, nil when the kernel has none.
    public static func read(_ path: String) -> Int? {
        guard let fd = try? FileDescriptor.open(path, flags: O_RDONLY) else { return nil }
        defer { fd.close() }
        guard let bytes = try? fd.readAll() else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self).split(separator: "\n").first ?? "")
    }

    /// Writes a numeric sysctl; throws what the kernel said (EACCES/EROFS
    /// without privileges or in a read-only /proc/sys).
    public static func write(_ path: String, _ value: Int) throws(Errno) {
        let fd = try FileDescriptor.open(path, flags: O_WRONLY)
        defer { fd.close() }
        try fd.writeAll(Array("\(value)\n".utf8))
    }
}
