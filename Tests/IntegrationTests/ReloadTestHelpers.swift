import XCTest
import Foundation

/// Small pieces the reload tests share: a tcp-mode configuration, one-shot
/// round trips, `show stat` CSV as rows.
enum ReloadTestHelpers {
    /// A mode tcp proxy on `port` to `servers` (name, port), `workers`
    /// workers, with extra global lines (stats socket, hard-stop-after...).
    static func tcpConfig(port: UInt16, servers: [(String, UInt16)], workers: Int, global: String = "",
                          backendLines: String = "", extra: String = "") -> String {
        var cfg = """
            global
                workers \(workers)
            \(global)
            defaults
                mode tcp
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
            \(backendLines)

            """
        for (name, p) in servers { cfg += "    server \(name) 127.0.0.1:\(p)\n" }
        return cfg + extra + "\n"
    }

    /// Connects, reads the `.identify` backend's name line, closes.
    static func roundTrip(_ port: UInt16, expect: String) -> Bool {
        guard let c = try? TCPClient.connect(port: port, timeout: 3) else { return false }
        return (try? c.readLine(timeout: 3)) == expect
    }

    /// An echo exchange on a fresh connection: the line comes back.
    static func echoExchange(_ client: TCPClient) throws -> String? {
        try client.send("ping\n")
        let got = try client.readLine(timeout: 3)
        return got == "ping" ? nil : "echo answered \(got ?? "nothing")"
    }

    /// Rows of `show stat` CSV keyed by "pxname/svname", columns by name
    /// (none when the text is not a CSV dump).
    static func statRows(_ csv: String) -> [String: [String: String]] {
        (try? StatsTable(csv: csv))?.rows ?? [:]
    }

    /// The pids listed under "# old workers" in `show proc`, with the text
    /// after the version column ("N sessions").
    static func oldWorkers(_ showProc: String) -> [pid_t: String] {
        var result: [pid_t: String] = [:]
        var inOld = false
        for line in showProc.split(separator: "\n") {
            if line.hasPrefix("#") { inOld = line == "# old workers"; continue }
            guard inOld, let pid = pid_t(line.split(separator: " ").first ?? "") else { continue }
            result[pid] = line.contains(" sessions") ? String(line.split(separator: " ").suffix(2).joined(separator: " ")) : ""
        }
        return result
    }
}
