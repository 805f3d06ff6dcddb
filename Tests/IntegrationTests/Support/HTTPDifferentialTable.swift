import Foundation

/// Renders the differential corpus's observations as docs/http-differential.md:
/// one table per side (a row per case, a cell per proxy) and, below, every
/// distinct byte string a client or a server received, each once under a
/// label the cells point to. The test compares this text with the committed
/// file, so the document is the expected outcome and cannot go stale.
struct HTTPDifferentialTable {
    struct Row {
        var id: String
        var name: String
        /// Sent by the client (request side) or by the server (response side).
        var bytes: [UInt8]
        var observations: [HTTPDifferentialRig.Proxy: HTTPDifferentialRig.Observation]
        /// What each proxy's output reads as under StrictHTTPReader.
        var ambiguities: [HTTPDifferentialRig.Proxy: String]
    }

    private var clientLabels: [[UInt8]: String] = [:]
    private var clientOrder: [[UInt8]] = []
    private var backendLabels: [[UInt8]: String] = [:]
    private var backendOrder: [[UInt8]] = []

    static let proxies = HTTPDifferentialRig.Proxy.allCases
    static let header = """
        # HTTP differential corpus

        Generated and checked by `HTTPDifferentialTests` (Tests/IntegrationTests): the
        same bytes go, on a fresh connection each, to Fulcrum, HAProxy 2.6 and nginx 1.22
        (Debian packages), each in front of its own recording server and configured alike
        (`HTTPDifferentialRig`: keep-alive with the client, `option http-server-close`,
        nginx's HTTP/1.0 upstream, 300 ms keep-alive, 1 s client and 3 s server timeouts,
        16 KB buffers). The test fails when any proxy's outcome differs from this file;
        `FULCRUM_RECORD_DIFFERENTIAL=1` rewrites it.

        A cell reads `rN STATUS… END ⇒ bN`: `rN` is what the client received (below,
        byte for byte), then the status lines in it, how the proxy ended the connection
        (`fin`, `rst`, or `open` if it never did), and `bN` what the server received on
        the connections the case opened (nothing when absent). `⚠` marks output a lenient
        reader could frame differently from a strict one (`StrictHTTPReader`): Fulcrum
        must have none. Dates and ports are replaced by `{date}`, `{port}`, `{server}`;
        a run of more than 24 equal bytes is written `{N×c}`.

        """

    mutating func render(requests: [Row], responses: [Row]) -> String {
        var out = Self.header
        out += "\n## Requests\n\nThe client sends the case's bytes; the server answers `ok`.\n\n"
        out += table(requests)
        out += "\n## Responses\n\nThe client sends `GET / HTTP/1.1` (or the method named); the server answers the case's bytes and closes.\n\n"
        out += table(responses)
        out += "\n## Case bytes\n\n"
        for row in requests + responses {
            out += "### \(row.id)\n\n" + Self.block(row.bytes)
        }
        out += "\n## Client bytes\n\n"
        for bytes in clientOrder { out += "### \(clientLabels[bytes]!)\n\n" + Self.block(bytes) }
        out += "\n## Server bytes\n\n"
        for bytes in backendOrder { out += "### \(backendLabels[bytes]!)\n\n" + Self.block(bytes) }
        return out
    }

    private mutating func table(_ rows: [Row]) -> String {
        var out = "| id | case | " + Self.proxies.map(\.title).joined(separator: " | ") + " |\n"
        out += "|---|---|" + Self.proxies.map { _ in "---|" }.joined() + "\n"
        for row in rows {
            let cells = Self.proxies.map { proxy -> String in
                guard let o = row.observations[proxy] else { return "not run" }
                return cell(o, ambiguous: row.ambiguities[proxy] != nil)
            }
            out += "| \(row.id) | \(row.name.replacingOccurrences(of: "|", with: "\\|")) | " + cells.joined(separator: " | ") + " |\n"
        }
        return out
    }

    private mutating func cell(_ o: HTTPDifferentialRig.Observation, ambiguous: Bool) -> String {
        let statuses = Self.statusLines(o.client)
        var text = label(o.client, in: &clientLabels, order: &clientOrder, prefix: "r")
        text += statuses.isEmpty ? " –" : " " + statuses.joined(separator: " ")
        switch o.end {
        case .eof: text += " fin"
        case .reset: text += " rst"
        case .timeout, .complete: text += " open"
        }
        let sent = o.backend.filter { !$0.isEmpty }
        if !sent.isEmpty {
            // Several server connections are one byte string with a marker between.
            let joined = Array(sent.joined(separator: Array("\n--- next server connection ---\n".utf8)))
            text += " ⇒ " + label(joined, in: &backendLabels, order: &backendOrder, prefix: "b")
        }
        return ambiguous ? text + " ⚠" : text
    }

    private func label(_ bytes: [UInt8], in labels: inout [[UInt8]: String], order: inout [[UInt8]], prefix: String) -> String {
        if let existing = labels[bytes] { return existing }
        let name = prefix + String(labels.count + 1)
        labels[bytes] = name
        order.append(bytes)
        return name
    }

    /// The status code of every line that starts a response ("HTTP/1.x NNN").
    static func statusLines(_ bytes: [UInt8]) -> [String] {
        // Split on bytes: as Characters, "\r\n" is one grapheme and never equals "\n".
        bytes.split(separator: 10).compactMap { line in
            guard line.starts(with: Array("HTTP/1.".utf8)), line.count >= 12 else { return nil }
            return String(decoding: line.dropFirst(9).prefix(3), as: UTF8.self)
        }
    }

    /// A fenced block: printable ASCII as is, `\r` `\n` `\t` `\0` `\\` and
    /// `\xNN` escaped, a line break after each `\n`, long runs folded.
    static func block(_ bytes: [UInt8]) -> String {
        var out = ""
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            var run = 1
            while i + run < bytes.count && bytes[i + run] == b { run += 1 }
            if run > 24 {
                out += "{\(run)×\(escape(b))}"
                i += run
                continue
            }
            out += escape(b)
            if b == 10 { out += "\n" }
            i += 1
        }
        if !out.hasSuffix("\n") { out += "\n" }
        return "```\n" + (bytes.isEmpty ? "(nothing)\n" : out) + "```\n\n"
    }

    private static func escape(_ b: UInt8) -> String {
        switch b {
        case 13: return "\\r"
        case 10: return "\\n"
        case 9: return "\\t"
        case 0: return "\\0"
        case 92: return "\\\\"
        case 96: return "\\x60"
        case 32..<127: return String(UnicodeScalar(b))
        default: return String(format: "\\x%02X", b)
        }
    }
}

extension HTTPDifferentialRig.Proxy {
    var title: String {
        switch self {
        case .fulcrum: return "Fulcrum"
        case .haproxy: return "HAProxy 2.6"
        case .nginx: return "nginx 1.22"
        }
    }
}
