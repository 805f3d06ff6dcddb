import Foundation

/// A real haproxy.cfg made runnable on a test machine, the same way for
/// haproxy and Fulcrum: every `bind` listens on a loopback port of the
/// test's (`{bindN}` until `text(ports:)`), every server goes to one local
/// backend, and what needs the original host (daemon mode, chroot, users,
/// pid files, stats sockets, log targets, the global connection limit (the
/// test machine may not raise its file limit that far), DNS resolvers, TLS to servers,
/// other check ports) is left out. Certificates on ssl binds become the
/// test's own.
struct CompatConfigRewrite {
    private(set) var lines: [String] = []
    private(set) var bindLines: [String] = []
    private(set) var bindIsTLS: [Bool] = []
    var bindCount: Int { bindLines.count }

    /// Global keywords dropped: they need the real host.
    private static let droppedGlobal: Set<String> = ["daemon", "chroot", "user", "group", "uid", "gid", "pidfile",
                                                      "log", "stats", "ca-base", "crt-base", "nbproc", "node",
                                                      "maxconn", "ulimit-n"]
    /// Server options dropped with their argument.
    private static let serverOptionsWithArgument: Set<String> = ["port", "addr", "resolvers", "resolve-prefer",
                                                                  "init-addr", "ca-file", "crt", "sni",
                                                                  "check-sni", "resolve-opts", "resolve-net"]
    /// Server flags dropped.
    private static let serverFlags: Set<String> = ["ssl", "check-ssl", "no-verifyhost"]

    init(text: String, backendPort: UInt16, certificate: String) {
        var section = ""
        for raw in text.components(separatedBy: "\n") {
            let words = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = words.first, !first.hasPrefix("#") else { lines.append(raw); continue }
            let indented = raw.first == " " || raw.first == "\t"
            if !indented { section = first }
            if section == "global" && indented && Self.droppedGlobal.contains(first) { continue }
            if indented && first == "log" && words.dropFirst().first != "global" { continue }
            if indented && first == "stats" && words.dropFirst().first == "socket" { continue }
            if indented && first == "bind" && words.count >= 2 {
                var out = ["bind", "127.0.0.1:{bind\(bindLines.count)}"]
                var i = 2
                var tls = false
                while i < words.count {
                    let w = words[i]
                    if w == "ssl" { tls = true }
                    if w == "crt" || w == "crt-list" {
                        out += ["crt", certificate]
                        i += 2
                        continue
                    }
                    if ["ca-file", "crl-file", "verify"].contains(w) { i += 2; continue }
                    out.append(w)
                    i += 1
                }
                bindLines.append(raw.trimmingCharacters(in: .whitespaces))
                bindIsTLS.append(tls)
                lines.append("    " + out.joined(separator: " "))
                continue
            }
            // Checks go to the same plain backend: no TLS there either.
            if indented && (first == "http-check" || first == "tcp-check") && words.dropFirst().first == "connect" {
                lines.append("    " + words.filter { $0 != "ssl" }.joined(separator: " "))
                continue
            }
            if indented && (first == "server" || first == "default-server") {
                var out = first == "server" && words.count >= 3 ? ["server", words[1], "127.0.0.1:\(backendPort)"] : [first]
                var i = out.count
                while i < words.count {
                    let w = words[i]
                    if Self.serverOptionsWithArgument.contains(w) { i += 2; continue }
                    if Self.serverFlags.contains(w) { i += 1; continue }
                    out.append(w)
                    i += 1
                }
                lines.append("    " + out.joined(separator: " "))
                continue
            }
            lines.append(raw)
        }
    }

    /// The configuration with the binds on `ports` (one per bind, in order).
    func text(ports: [UInt16]) -> String {
        var out = lines.joined(separator: "\n")
        for (i, port) in ports.enumerated() { out = out.replacingOccurrences(of: "{bind\(i)}", with: "\(port)") }
        return out.hasSuffix("\n") ? out : out + "\n"
    }
}
