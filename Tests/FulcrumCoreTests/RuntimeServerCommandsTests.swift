import XCTest
import Glibc
import FulcrumBytes
import FulcrumConfig
@testable import FulcrumCore

/// `set server addr|check-port|agent|ssl|fqdn`, `add server`, `del server`:
/// HAProxy 2.6's answers (captured from haproxy 2.6.12), and the table words
/// that carry an address and a dynamic server to every process.
final class RuntimeServerCommandsTests: XCTestCase {
    let s = RuntimeFixture.snapshot()

    func reply(_ line: String, _ snapshot: RuntimeSnapshot? = nil) -> RuntimeReply {
        RuntimeCLI.respond(to: RuntimeCommandLine.words(line), level: .admin, master: false, snapshot: snapshot ?? s)
    }

    func testAddressChangesAnswerAsHAProxy() {
        let ip2 = IPAddress("127.0.0.2")!
        XCTAssertEqual(reply("set server be1/s1 addr 127.0.0.2"),
                       .setAddress(backend: "be1", server: "s1", address: TableServerAddress(ip: ip2, port: 18091),
                                   answer: "IP changed from '127.0.0.1' to '127.0.0.2' by 'stats socket command'\n"))
        XCTAssertEqual(reply("set server be1/s1 addr 127.0.0.2 port 81"),
                       .setAddress(backend: "be1", server: "s1", address: TableServerAddress(ip: ip2, port: 81),
                                   answer: "IP changed from '127.0.0.1' to '127.0.0.2', port changed from '18091' to '81' by 'stats socket command'\n"))
        guard case .setAddress(_, _, _, let same) = reply("set server be1/s1 addr 127.0.0.1 port 18091") else { return XCTFail() }
        XCTAssertEqual(same, "no need to change the addr, no need to change the port by 'stats socket command'\n")
        guard case .setAddress(_, _, let wrapped, let big) = reply("set server be1/s1 addr 127.0.0.1 port 70000") else { return XCTFail() }
        XCTAssertEqual(big, "no need to change the addr, port changed from '18091' to '4464' by 'stats socket command'\n")
        XCTAssertEqual(wrapped.port, 4464)
        guard case .setAddress(_, _, _, let bad) = reply("set server be1/s1 addr 127.0.0.1 port abc") else { return XCTFail() }
        XCTAssertEqual(bad, "no need to change the addr, problem converting port 'abc' to an int by 'stats socket command'\n")
        XCTAssertEqual(reply("set server be1/s1 addr bad"), .text("Invalid addr 'bad' by 'stats socket command'\n"))
        XCTAssertEqual(reply("set server be1/s1 addr"), .text("set server <b>/<s> addr requires an address and optionally a port.\n"))
        XCTAssertEqual(reply("set server be1/nope addr 1.2.3.4"), .text("No such server.\n"))
        XCTAssertEqual(reply("set server nope/s1 addr 1.2.3.4"), .text("No such backend.\n"))
    }

    func testOtherSetServerOptions() {
        XCTAssertEqual(reply("set server be1/s1 check-port 9000"), .setCheckPort(backend: "be1", server: "s1", port: 9000))
        XCTAssertEqual(reply("set server be1/s1 check-port"), .text("set server <b>/<s> check-port requires a port.\n"))
        XCTAssertEqual(reply("set server be1/s1 check-port abc"), .text("provided port is not an integer"))
        XCTAssertEqual(reply("set server be1/s1 check-port 70000"), .text("provided port is invalid"))
        XCTAssertEqual(reply("set server be1/s3 check-port 9000"), .text("health checks are not enabled on this server"))
        XCTAssertEqual(reply("set server be1/s1 agent up"), .text("agent checks are not enabled on this server.\n"))
        XCTAssertEqual(reply("set server be1/s1 agent-send x"), .text("agent checks are not enabled on this server.\n"))
        XCTAssertEqual(reply("set server be1/s1 agent-addr 1.2.3.4"), .text("agent checks are not enabled on this server"))
        XCTAssertEqual(reply("set server be1/s1 agent-addr"),
                       .text("set server <b>/<s> agent-addr requires an address and optionally a port.\n"))
        XCTAssertEqual(reply("set server be1/s1 ssl on"),
                       .text("'set server <srv> ssl' cannot be set.  default-server should define ssl settings\n"))
        XCTAssertEqual(reply("set server be1/s1 fqdn a.example"),
                       .text("set server <b>/<s> fqdn failed because no resolution is configured.\n"))
        XCTAssertEqual(reply("set server be1/s1 fqdn"), .text("set server <b>/<s> fqdn requires a FQDN.\n"))
        XCTAssertEqual(reply("set server be1/s1 check-addr 127.0.0.9 port 9999"),
                       .setCheckAddress(backend: "be1", server: "s1", address: IPAddress("127.0.0.9")!, port: 9999))
        XCTAssertEqual(reply("set server be1/s1 check-addr bad"), .text("invalid addr 'bad'"))
        XCTAssertEqual(reply("set server be1/s1 check-addr 127.0.0.9 port abc"), .text("provided port is not an integer"))
        XCTAssertEqual(reply("set server be1/s3 check-addr 127.0.0.9"), .text("health checks are not enabled on this server"))
        XCTAssertEqual(reply("set server be1/s1 agent-port"), .text("set server <b>/<s> agent-port requires a port.\n"))
        var tls = s
        let i = tls.servers.firstIndex { $0.backendName == "be1" && $0.name == "s2" }!
        tls.servers[i].sslConfigured = true
        XCTAssertEqual(reply("set server be1/s2 ssl off", tls), .setSSL(backend: "be1", server: "s2", on: false))
        XCTAssertEqual(reply("set server be1/s2 ssl maybe", tls), .text("'set server <srv> ssl' expects 'on' or 'off'.\n"))
        tls.servers[i].dynamic = true
        XCTAssertEqual(reply("set server be1/s2 ssl on", tls), .text("'set server <srv> ssl' not supported on dynamic servers\n"))
    }

    func testAddAndDeleteServerChecks() {
        XCTAssertEqual(reply("add server be2/n 1.2.3.4:80"), .text("Backend must use a dynamic load balancing to support dynamic servers."))
        XCTAssertEqual(reply("add server nope/n 1.2.3.4:80"), .text("No such backend."))
        XCTAssertEqual(reply("add server be1/n"), .text("'server' expects <name> and <addr>[:<port>] as arguments.\n"))
        XCTAssertEqual(reply("add server be1/n 1.2.3.4:80 cookie x"), .text("'cookie' option is not accepted for dynamic server\n"))
        XCTAssertEqual(reply("add server be1/s1 1.2.3.4:80"), .text("Already exists a server with the same name in backend.\n"))
        guard case .addServer(let b, let server, let definition) = reply("add server be1/n 1.2.3.4:80 weight 3 check") else { return XCTFail() }
        XCTAssertEqual(b, "be1"); XCTAssertEqual(server.params.weight, 3); XCTAssertTrue(server.params.check)
        XCTAssertEqual(definition, "n 1.2.3.4:80 weight 3 check")
        XCTAssertEqual(reply("del server be1/s1"), .text("Only servers in maintenance mode can be deleted."))
        XCTAssertEqual(reply("del server be1/nope"), .text("No such server."))
        XCTAssertEqual(reply("del server nope/s1"), .text("No such backend."))
        var snapshot = s
        let i = snapshot.servers.firstIndex { $0.backendName == "be1" && $0.name == "s1" }!
        snapshot.servers[i].admin.insert(.forcedMaintenance)
        XCTAssertEqual(reply("del server be1/s1", snapshot), .deleteServer(backend: "be1", server: "s1"))
        snapshot.servers[i].counters.sessionsCurrent = 1
        XCTAssertEqual(reply("del server be1/s1", snapshot), .text("Server still has connections attached to it, cannot remove it."))
    }

    func testTableCarriesAddressesAndDefinitions() throws {
        let size = SharedTable.byteSize(servers: 2, frontends: 0, binds: 0, backends: 1, workers: 1)
        let raw = try XCTUnwrap(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))
        defer { munmap(raw, size) }
        let t = SharedTable(base: raw, servers: 2, frontends: 0, binds: 0, backends: 1, workers: 1, initialize: true)
        XCTAssertNil(t.serverAddress(1))
        XCTAssertEqual(t.addressSequence(1), 0)
        t.setServerAddress(1, TableServerAddress(ip: IPAddress("::1")!, port: 82))
        XCTAssertEqual(t.serverAddress(1), TableServerAddress(ip: IPAddress("::1")!, port: 82))
        let first = t.addressSequence(1)
        t.setServerAddress(1, TableServerAddress(ip: IPAddress("10.0.0.9")!, port: 0))
        XCTAssertEqual(t.serverAddress(1), TableServerAddress(ip: IPAddress("10.0.0.9")!, port: 0))
        XCTAssertGreaterThan(t.addressSequence(1), first)
        XCTAssertNil(t.serverAddress(0))
        XCTAssertNil(t.checkPortOverride(0))
        t.setCheckPortOverride(0, 0)
        XCTAssertEqual(t.checkPortOverride(0), 0)
        XCTAssertTrue(t.setDefinition(1, "n1 127.0.0.1:80 weight 3"))
        XCTAssertEqual(t.definition(1), "n1 127.0.0.1:80 weight 3")
        XCTAssertFalse(t.setDefinition(1, String(repeating: "x", count: SharedTable.definitionCapacity + 1)))
        XCTAssertEqual(t.definition(0), "")
    }

    func testSpareSlotsOnlyForDynamicAlgorithms() {
        let text = """
            backend rr
                server a 127.0.0.1:80
            backend st
                balance static-rr
                server a 127.0.0.1:80
            backend ch
                balance source
                hash-type consistent
                server a 127.0.0.1:80

            """
        let c = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:]).configuration
        let index = TableIndex(c)
        XCTAssertEqual(index.spareServers, [TableIndex.sparesPerBackend, 0, TableIndex.sparesPerBackend])
        XCTAssertEqual(index.serverLine(backend: 1, server: 0), 1 + TableIndex.sparesPerBackend)
        XCTAssertEqual(index.spareLines(backend: 0), 1 ..< 1 + TableIndex.sparesPerBackend)
        XCTAssertEqual(index.serverCount, 3 + 2 * TableIndex.sparesPerBackend)
    }
}
