import XCTest
@testable import FulcrumCore

/// The arguments and environment HAProxy 2.6 gives an external check
/// program (recorded from haproxy 2.6.12 running the same configuration).
final class ExternalCheckCommandTests: XCTestCase {
    private func inputs(listener: (address: String, port: Int?)?) -> ExternalCheckCommand.Inputs {
        .init(proxyName: "l", proxyID: 4, listener: listener, serverName: "t", serverID: 42, serverAddress: "127.0.0.1",
              serverPort: 18099, serverMaxconn: 7, serverCurrentConnections: 0, path: "/usr/bin:/bin")
    }

    func testListenSectionPassesItsFirstBind() {
        let i = inputs(listener: ("127.0.0.1", 18097))
        XCTAssertEqual(ExternalCheckCommand.arguments(i), ["127.0.0.1", "18097", "127.0.0.1", "18099"])
        XCTAssertEqual(ExternalCheckCommand.environment(i).sorted(), [
            "HAPROXY_PROXY_ADDR=127.0.0.1", "HAPROXY_PROXY_ID=4", "HAPROXY_PROXY_NAME=l", "HAPROXY_PROXY_PORT=18097",
            "HAPROXY_SERVER_ADDR=127.0.0.1", "HAPROXY_SERVER_CURCONN=0", "HAPROXY_SERVER_ID=42", "HAPROXY_SERVER_MAXCONN=7",
            "HAPROXY_SERVER_NAME=t", "HAPROXY_SERVER_PORT=18099", "HAPROXY_SERVER_PROTO=tcp", "HAPROXY_SERVER_SSL=0",
            "PATH=/usr/bin:/bin",
        ])
    }

    func testBackendWithoutListenerSaysNotUsedAndEmpty() {
        let i = inputs(listener: nil)
        XCTAssertEqual(ExternalCheckCommand.arguments(i), ["NOT_USED", "NOT_USED", "127.0.0.1", "18099"])
        let env = ExternalCheckCommand.environment(i)
        XCTAssertTrue(env.contains("HAPROXY_PROXY_ADDR=") && env.contains("HAPROXY_PROXY_PORT="))
    }

    func testPreservedEnvironmentIsOverriddenByHAProxysVariables() {
        let env = ExternalCheckCommand.environment(inputs(listener: nil), inherited: ["HOME=/root", "PATH=/sbin"])
        XCTAssertTrue(env.contains("HOME=/root"))
        XCTAssertEqual(env.filter { $0.hasPrefix("PATH=") }, ["PATH=/usr/bin:/bin"])
    }
}
