import XCTest
@testable import FulcrumConfig

/// `agent-check` and its server options, with HAProxy 2.6's refusals.
final class AgentCheckConfigTests: XCTestCase {
    private func servers(_ body: String) -> ([Server], ParseResult) {
        let r = parse(tcpDefaults + "backend b\n" + body)
        return (r.configuration.backend(named: "b")?.servers ?? [], r)
    }

    func testOptionsAndDefaults() {
        let (s, r) = servers("""
              default-server agent-check agent-port 5555 agent-inter 3s
              server s1 10.0.0.1:80 agent-addr 10.0.0.9 agent-send "ready?\\n"
              server s2 10.0.0.2:80 no-agent-check
            """ + "\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(s.count, 2)
        var expected = AgentCheckParams()
        expected.enabled = true; expected.port = 5555; expected.inter = 3000
        expected.address = "10.0.0.9"; expected.send = "ready?\n"
        XCTAssertEqual(s.first?.params.agent, expected)
        XCTAssertEqual(s.last?.params.agent.enabled, false)
    }

    func testRefusals() {
        let (_, r) = servers("  server s1 10.0.0.1:80 agent-check\n  server s2 10.0.0.1:80 agent-inter x\n")
        let messages = r.diagnostics.map(\.message)
        XCTAssertTrue(messages.contains("server s1 does not have agent port. Agent check has been disabled."), "\(messages)")
        XCTAssertTrue(messages.contains("'agent-inter' expects a delay as argument."), "\(messages)")
        XCTAssertFalse(messages.contains { $0.contains("not supported yet") }, "\(messages)")
    }
}
