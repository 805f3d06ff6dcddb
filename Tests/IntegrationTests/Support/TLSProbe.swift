import Foundation

/// One TLS handshake with `openssl s_client`, to see which certificate a
/// proxy serves.
enum TLSProbe {
    /// The subject of the certificate served on `port` for `serverName`
    /// (openssl's form, `CN = a.test`), or nil when the handshake fails.
    static func servedSubject(_ port: UInt16, serverName: String?, extra: [String] = []) throws -> String? {
        var args = ["s_client", "-connect", "127.0.0.1:\(port)", "-showcerts"] + extra
        if let serverName { args += ["-servername", serverName] } else { args += ["-noservername"] }
        let r = try CommandRunner.run("openssl", args, stdin: "", timeout: 15)
        guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("subject=") }) else { return nil }
        return String(line.dropFirst("subject=".count)).trimmingCharacters(in: .whitespaces)
    }
}
