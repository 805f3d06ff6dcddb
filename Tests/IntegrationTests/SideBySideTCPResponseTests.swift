import XCTest

/// `tcp-response content` in mode tcp listen sections, side by side with
/// haproxy 2.6: what the server sends is held until the rules decide on it
/// (`res.payload`, `res.len`); `reject` gives the client nothing and ends
/// the connection, `accept` forwards the answer; a rule waits for bytes
/// still to come within `inspect-delay` (an echo of what the client sends
/// makes the answer long enough), and when the delay expires on too few the
/// rules decide on what is there (`close`: those bytes, then the end; no
/// rule: accept, and the connection stays).
final class SideBySideTCPResponseTests: XCTestCase {
    func testResponseRulesHoldDecideAndForwardAsHAProxy() throws {
        let haproxy = try requireTool("haproxy")
        let bad = try TestBackend(.banner("BAD answer\n"))
        let good = try TestBackend(.banner("GOOD answer\n"))
        // "ab\n" on accept, then the connection stays open (it echoes).
        let short = try TestBackend(.identify("ab"))
        for backend in [bad, good, short] { try backend.startListening() }
        // name: (server, ends with `close`, what the client sends first)
        let sections: [String: (port: UInt16, close: Bool, send: String)] = [
            "bad": (bad.port, false, ""), "good": (good.port, false, ""), "echoed": (short.port, true, "123456\n"),
            "silent": (short.port, true, ""), "silentkept": (short.port, false, ""),
            // `res.*` read in a request rule: the response is empty then, so `res.len ge 0` holds
            // (haproxy warns the rule "will never match", yet rejects).
            "requestside": (good.port, false, ""),
            // A variable set from the answer ("GO"), read by the next rule, before the common ones.
            "variable": (good.port, false, ""),
        ]
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            var ports: [String: UInt16] = [:]
            var config = """
                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 10s
                    timeout server 10s

                """
            for (name, section) in sections.sorted(by: { $0.key < $1.key }) {
                let port = try FreePort.next()
                ports[name] = port
                var last = section.close ? "    tcp-response content close\n" : ""
                if name == "requestside" { last += "    tcp-request content reject if { res.len ge 0 }\n" }
                let first = name != "variable" ? "" : "    tcp-response content unset-var(txn.head)\n"
                    + "    tcp-response content set-var(txn.head) res.payload(0,2)\n"
                    + "    tcp-response content reject if { var(txn.head) -m str GO }\n"
                config += """
                    listen \(name)
                        bind 127.0.0.1:\(port)
                        tcp-response inspect-delay 500ms

                    """ + first + """
                        tcp-response content reject if { res.payload(0,3) -m str BAD }
                        tcp-response content accept if { res.len ge 8 }

                    """ + last + "    server s 127.0.0.1:\(section.port)\n"
            }
            let process = proxy == .fulcrum
                ? try startFulcrum(config: config)
                : try startFulcrum(config: config, arguments: ["-db", "-f", FulcrumProcess.configPlaceholder], executable: haproxy)
            for port in ports.values { try process.waitUntilListening(port: port) }
            for name in sections.keys.sorted() {
                // A reject resets the connection at once: it may come before the connect is seen done.
                guard let client = try? TCPClient(port: ports[name]!) else {
                    seen[proxy, default: []].append("\(name): \"\" ended")
                    continue
                }
                defer { client.close() }
                if !sections[name]!.send.isEmpty { try client.send(sections[name]!.send) }
                let got = try client.receiveUntilEOF(timeout: 3)
                // A reset and a FIN both end the connection; the bytes and whether it ended are what a client sees.
                seen[proxy, default: []].append("\(name): \(got.text.debugDescription) \(got.end == .timeout ? "open" : "ended")")
            }
        }
        XCTAssertEqual(seen[.haproxy], ["bad: \"\" ended", "echoed: \"ab\\n123456\\n\" open", "good: \"GOOD answer\\n\" ended",
                                        "requestside: \"\" ended", "silent: \"ab\\n\" ended", "silentkept: \"ab\\n\" open",
                                        "variable: \"\" ended"], "haproxy")
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
    }

    /// The actions Fulcrum does not carry out (no SPOE; bandwidth limits are
    /// HAProxy 2.7's) are refused at their word,
    /// and a rule set haproxy does not know is refused as haproxy does.
    func testUnsupportedActionsAreErrorsAtTheirWord() throws {
        for (line, column, message) in [
            ("tcp-response content send-spoe-group e g", 26, "'tcp-response content send-spoe-group' is not supported yet"),
            ("tcp-response content set-bandwidth-limit l", 26, "'tcp-response content set-bandwidth-limit' is not supported yet"),
            ("tcp-response content nope", 26, "unknown action 'nope' for 'tcp-response content'"),
            ("tcp-response session accept", 18, "unknown 'tcp-response' rule set 'session'"),
        ] {
            let config = "defaults\n    mode tcp\nlisten l\n    bind 127.0.0.1:9\n    \(line)\n    server s 127.0.0.1:9\n"
            let ours = try FulcrumProcess.checkConfig(config)
            XCTAssertEqual(ours.status, 1, line)
            XCTAssertTrue(ours.stderr.contains("fulcrum.cfg:5:\(column): \(message)"), "\(line): \(ours.stderr)")
        }
    }
}
