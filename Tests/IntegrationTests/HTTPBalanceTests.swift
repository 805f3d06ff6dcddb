import XCTest

/// The HTTP hash balancers: `balance uri`, `url_param`, `hdr()`; each key
/// keeps its server, and requests without a key fall back to round robin.
final class HTTPBalanceTests: XCTestCase {
    private func start(_ balance: String) throws -> (UInt16, [HTTPTestServer]) {
        let servers = try ["s1", "s2", "s3"].map { try startHTTPServer(name: $0) }
        let port = try startHTTPProxy(frontend: ["default_backend be"], sections: Self.backend("be", ["balance \(balance)"]
            + servers.enumerated().map { "server s\($0.offset + 1) 127.0.0.1:\($0.element.port)" })).1
        return (port, servers)
    }

    private func serverFor(_ port: UInt16, _ target: String, headers: [(String, String)] = []) throws -> String {
        let client = try HTTPTestClient(port: port)
        defer { client.close() }
        return try client.request("GET", target, headers: headers).header("X-Server") ?? "none"
    }

    func testBalanceURIKeepsEachPathOnOneServer() throws {
        let (port, _) = try start("uri")
        var chosen: [String: String] = [:]
        for i in 0..<12 {
            let path = "/item/\(i)"
            chosen[path] = try serverFor(port, path)
            for query in ["?a=1", "?b=2"] {
                XCTAssertEqual(try serverFor(port, path + query), chosen[path], "\(path)\(query): the query is not hashed")
            }
        }
        XCTAssertGreaterThanOrEqual(Set(chosen.values).count, 2, "12 paths over 3 servers: \(chosen)")
    }

    func testBalanceURLParam() throws {
        let (port, _) = try start("url_param id")
        var chosen: [String: String] = [:]
        for id in 0..<12 {
            chosen["\(id)"] = try serverFor(port, "/a?id=\(id)")
            XCTAssertEqual(try serverFor(port, "/other/path?x=1&id=\(id)"), chosen["\(id)"], "id=\(id)")
        }
        XCTAssertGreaterThanOrEqual(Set(chosen.values).count, 2, "\(chosen)")
        let withoutParam = try (0..<6).map { _ in try serverFor(port, "/a?x=1") }
        XCTAssertEqual(Set(withoutParam).count, 3, "no id: round robin over 3 servers: \(withoutParam)")
    }

    func testBalanceHeaderFallsBackToRoundRobin() throws {
        let (port, _) = try start("hdr(X-User)")
        var chosen: [String: String] = [:]
        for user in 0..<12 {
            chosen["u\(user)"] = try serverFor(port, "/", headers: [("X-User", "u\(user)")])
            XCTAssertEqual(try serverFor(port, "/x", headers: [("X-User", "u\(user)")]), chosen["u\(user)"], "u\(user)")
        }
        XCTAssertGreaterThanOrEqual(Set(chosen.values).count, 2, "\(chosen)")
        let withoutHeader = try (0..<6).map { _ in try serverFor(port, "/") }
        XCTAssertEqual(Set(withoutHeader).count, 3, "no X-User: round robin over 3 servers: \(withoutHeader)")
    }
}
