import XCTest

/// Agent checks (`agent-check`, `agent-port`, `agent-inter`, `agent-send`)
/// side by side with haproxy 2.6: each proxy has its own agent (the test's
/// `CheckAgent`, answering the same line to both), and after each reply
/// both proxies' `show servers state` rows and the stats' status, weight
/// and agent columns must be the same; the bytes `agent-send` sends too.
final class SideBySideAgentCheckTests: XCTestCase {
    private struct Lab {
        let proxies: SideBySide
        let sockets: SideBySideStatsSockets
        let agents: [ProxyUnderTest: CheckAgent]
        let spareAgents: [ProxyUnderTest: CheckAgent]
    }

    private func start(reply: String) throws -> Lab {
        let server = try startBackend(.http(status: 200, body: "ok"))
        var agents: [ProxyUnderTest: CheckAgent] = [:], spare: [ProxyUnderTest: CheckAgent] = [:]
        let sockets = try SideBySideStatsSockets(self)
        var substitutions = sockets.substitutions
        for proxy in ProxyUnderTest.allCases {
            agents[proxy] = try startCheckAgent(reply: reply)
            spare[proxy] = try startCheckAgent(reply: reply)
            substitutions[proxy]!["{agent}"] = "\(agents[proxy]!.port)"
        }
        let config = """
            defaults
                mode tcp
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:{port}
                default_backend b
            backend b
                server s1 127.0.0.1:\(server.port) agent-check agent-port {agent} agent-inter 300 weight 10
                server s2 127.0.0.1:\(server.port) check inter 100 agent-check agent-port {agent} agent-inter 300 agent-send "ping\\n"
                server s3 127.0.0.1:\(server.port)

            """
        let proxies = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                     substitutions: substitutions)
        return Lab(proxies: proxies, sockets: sockets, agents: agents, spareAgents: spare)
    }

    private static let statColumns = ["status", "weight", "uweight", "chkfail", "chkdown", "check_status", "check_health",
                                      "agent_status", "agent_code", "agent_desc", "last_agt", "agent_rise", "agent_fall",
                                      "agent_health"]

    /// The servers' state as one proxy shows it, with what differs by
    /// nature (time since the last change, each proxy's agent port) left
    /// out; nil while an agent check is in flight (HAProxy blanks last_agt then).
    private func state(_ lab: Lab, _ proxy: ProxyUnderTest) -> [String]? {
        let path = lab.sockets.paths[proxy]!
        guard let servers = try? MasterCLI.send("show servers state b", socketPath: path),
              let csv = try? MasterCLI.send("show stat", socketPath: path),
              let table = try? StatsTable(csv: csv) else { return nil }
        var out: [String] = []
        for row in servers.split(separator: "\n").dropFirst(2) {
            var fields = row.split(separator: " ").map(String.init)
            guard fields.count > 24 else { return nil }
            fields[9] = "-"
            if fields[24] == "\(lab.agents[proxy]!.port)" { fields[24] = "{agent}" }
            if fields[24] == "\(lab.spareAgents[proxy]!.port)" { fields[24] = "{spare}" }
            out.append(fields.joined(separator: " "))
        }
        for name in ["s1", "s2", "s3", "BACKEND"] {
            let key = "b/\(name)"
            let values = Self.statColumns.map { table.rows[key]?[$0] ?? "?" }
            if values[7].hasPrefix("* ") { return nil }
            out.append("\(name): " + zip(Self.statColumns, values).map { "\($0)=\($1)" }.joined(separator: ","))
        }
        return out
    }

    /// Waits (bounded) until both proxies show the same settled state, then compares them.
    private func assertSameState(_ lab: Lab, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        var last: [ProxyUnderTest: [String]] = [:]
        let same = waitUntil(timeout: 5, interval: 0.05) {
            for proxy in ProxyUnderTest.allCases { if let s = state(lab, proxy) { last[proxy] = s } }
            return last[.fulcrum] != nil && last[.fulcrum] == last[.haproxy]
        }
        XCTAssertTrue(same, "\(what): fulcrum\n" + (last[.fulcrum] ?? []).joined(separator: "\n")
                      + "\nhaproxy\n" + (last[.haproxy] ?? []).joined(separator: "\n"), file: file, line: line)
    }

    /// Every agent gets `reply`; returns once each proxy checked both agents twice with it.
    private func answer(_ lab: Lab, _ reply: String, file: StaticString = #filePath, line: UInt = #line) {
        var before: [ProxyUnderTest: Int] = [:]
        for (proxy, agent) in lab.agents { agent.set(reply: reply); before[proxy] = agent.connections }
        for (proxy, agent) in lab.agents {
            XCTAssertTrue(agent.waitForConnections(after: before[proxy]!, more: 4), "\(proxy) asks its agent", file: file, line: line)
        }
    }

    func testRepliesSetStateWeightAndHealthAsHAProxy() throws {
        let lab = try start(reply: "up\n")
        answer(lab, "up\n")
        assertSameState(lab, "up")
        for reply in ["50%\n", "drain\n", "down # disk full\n", "up\n", "ready 100%\n", "maint\n", "ready\n",
                      "bogus\n", "stopped\n", "up 200%\n", "fail,75%,drain#going away\n", "UP READY\n", "up", "\n"] {
            answer(lab, reply)
            assertSameState(lab, "after \(reply.debugDescription)")
        }
        // agent-send: s2's agent connections carry "ping\n", s1's nothing, in both proxies.
        for (proxy, agent) in lab.agents {
            let text = String(decoding: agent.bytes, as: UTF8.self)
            XCTAssertFalse(text.isEmpty, "\(proxy) sent its agent-send")
            XCTAssertEqual(text.replacingOccurrences(of: "ping\n", with: ""), "", "\(proxy) sent only agent-send's bytes")
        }
    }

    func testRuntimeCommandsAsHAProxy() throws {
        let lab = try start(reply: "up\n")
        answer(lab, "up\n")
        // An empty line changes nothing: the states below are the commands'.
        answer(lab, "\n")
        assertSameState(lab, "start")
        let commands = [
            "enable agent b/s3", "disable agent b/s3", "set server b/s3 agent up", "set server b/s1 agent foo",
            "disable agent b/s1", "set server b/s1 agent up", "set server b/s1 agent-send abc", "enable agent b/s1",
            "set server b/s1 agent down", "set server b/s1 agent up", "set server b/s1 agent-addr bad",
            "set server b/s1 agent-port 70000", "set server b/s1 agent-port x", "set server b/s1 agent-addr",
            "set server b/s3 agent-send abc", "set server b/s3 agent-port 5", "enable agent b/nope", "enable agent",
        ]
        for command in commands {
            var answers: [ProxyUnderTest: String] = [:]
            for proxy in ProxyUnderTest.allCases {
                answers[proxy] = try MasterCLI.send(command, socketPath: lab.sockets.paths[proxy]!)
            }
            XCTAssertEqual(answers[.fulcrum], answers[.haproxy], command)
            assertSameState(lab, "after \(command)")
        }
        // agent-addr with a port, and agent-send: the next checks go to the spare agent with the new text.
        var before: [ProxyUnderTest: Int] = [:]
        for proxy in ProxyUnderTest.allCases {
            let spare = lab.spareAgents[proxy]!
            before[proxy] = spare.bytes.count
            for command in ["set server b/s1 agent-addr 127.0.0.1 port \(spare.port)", "set server b/s1 agent-send hello"] {
                XCTAssertEqual(try MasterCLI.send(command, socketPath: lab.sockets.paths[proxy]!), "\n", "\(proxy): \(command)")
            }
        }
        for proxy in ProxyUnderTest.allCases {
            let spare = lab.spareAgents[proxy]!
            XCTAssertTrue(waitUntil(timeout: 5) { String(decoding: spare.bytes, as: UTF8.self).contains("hello") },
                          "\(proxy) checks the new agent address with the new text: \(spare.bytes)")
        }
        assertSameState(lab, "agent-addr")
    }
}
