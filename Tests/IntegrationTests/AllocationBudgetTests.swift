import Glibc
import XCTest

/// Issue 10's allocation budgets, held against the release `fulcrum` (what
/// ships; a debug build allocates what the optimizer removes) with an
/// LD_PRELOAD counter: one worker, warmed up, then its heap allocations
/// counted over `exchanges` steady-state exchanges through nginx. Each test
/// prints what it measured; one over budget also prints the call stacks that
/// allocate (set ALLOCATION_SITES=1 to print them always).
final class AllocationBudgetTests: XCTestCase {
    static let warmUp = 300
    static let exchanges = 2000
    static let clientConnections = 4

    /// TCP mode: a connection (accept, connect, splice both ways, close)
    /// allocates nothing; a tiny constant (total < N/100) is allowed for
    /// one-off growth.
    func testTCPConnectionAllocatesNothingInTheWorker() throws {
        let nginx = try startNginx()
        let port = try FreePort.next()
        let config = Self.tcpConfig(port: port, frontend: "    default_backend be", server: nginx.port)
        let request = "GET /index.html HTTP/1.1\r\nHost: bench.example\r\nConnection: close\r\n\r\n"
        try countAllocations("tcp, per connection", config: config, port: port,
                    budget: { $0 < UInt64(Self.exchanges / 100) }, budgetText: "total < \(Self.exchanges / 100)") { count in
            try BoundedExchanges.tcp(port: port, count: count, request: request, expectedPrefix: "HTTP/1.1 200")
        }
    }

    /// TCP mode with content inspection: the first bytes held until the
    /// rules decide (`tcp-request content`, inspect-delay), `use_backend` on
    /// the payload and a ClientHello fetch that finds none, then forwarded:
    /// as the plain connection, nothing beyond a tiny constant.
    func testTCPConnectionWithContentInspectionAllocatesNothingInTheWorker() throws {
        let nginx = try startNginx()
        let port = try FreePort.next()
        let config = Self.tcpConfig(port: port, frontend: """
                tcp-request inspect-delay 2s
                tcp-request content reject if { req.ssl_hello_type 1 }
                tcp-request content accept if { req.payload(0,4) -m beg GET } { req.len gt 20 }
                tcp-request content reject
                use_backend none if { req.ssl_sni -m found }
                use_backend be if { req.payload(0,0) -m sub bench.example }
                default_backend none
            """, server: nginx.port) + "backend none\n"
        let request = "GET /index.html HTTP/1.1\r\nHost: bench.example\r\nConnection: close\r\n\r\n"
        try countAllocations("tcp with content inspection, per connection", config: config, port: port,
                    budget: { $0 < UInt64(Self.exchanges / 100) }, budgetText: "total < \(Self.exchanges / 100)") { count in
            try BoundedExchanges.tcp(port: port, count: count, request: request, expectedPrefix: "HTTP/1.1 200")
        }
    }

    /// TCP mode behind `accept-proxy`: the PROXY header peeked, decoded and
    /// consumed, its client address routed on (`src` ACL): as the plain
    /// connection, nothing beyond a tiny constant.
    func testTCPConnectionWithAProxyHeaderAllocatesNothingInTheWorker() throws {
        let nginx = try startNginx()
        let port = try FreePort.next()
        let config = Self.tcpConfig(port: port, frontend: """
                use_backend be if { src 192.0.2.0/24 }
                default_backend none
            """, server: nginx.port).replacingOccurrences(of: "bind 127.0.0.1:\(port)", with: "bind 127.0.0.1:\(port) accept-proxy")
            + "backend none\n"
        let request = "PROXY TCP4 192.0.2.9 198.51.100.7 40000 80\r\n"
            + "GET /index.html HTTP/1.1\r\nHost: bench.example\r\nConnection: close\r\n\r\n"
        try countAllocations("tcp behind accept-proxy, per connection", config: config, port: port,
                    budget: { $0 < UInt64(Self.exchanges / 100) }, budgetText: "total < \(Self.exchanges / 100)") { count in
            try BoundedExchanges.tcp(port: port, count: count, request: request, expectedPrefix: "HTTP/1.1 200")
        }
    }

    /// HTTP keep-alive without rules: at most one allocation per request.
    func testHTTPRequestWithoutRulesAllocatesAtMostOnce() throws {
        let nginx = try startNginx()
        let port = try FreePort.next()
        let config = Self.httpConfig(port: port, frontend: ["default_backend be"],
                                     sections: Self.backend("be", ["server s1 127.0.0.1:\(nginx.port)"]))
        try measureHTTP("http, no rules, per request", config: config, port: port, perRequest: 1) { response in
            response.status == 200 ? nil : "status \(response.status)"
        }
    }

    /// HTTP keep-alive with `cookie SRV insert`, three ACLs (address, path,
    /// header) and `http-request set-header`: at most four per request. The
    /// client never returns the cookie, so every response gets one inserted;
    /// nginx echoes the header the rule set, so the rules are seen working.
    func testHTTPRequestWithCookieACLsAndSetHeaderAllocatesAtMostFour() throws {
        let nginx = try startNginx()
        let port = try FreePort.next()
        let config = Self.httpConfig(port: port, frontend: [
            "acl from_local src 127.0.0.0/8",
            "acl is_page path_end .html",
            "acl known_host hdr(host) -i bench.example",
            "http-request set-header X-Route page if from_local is_page known_host",
            "default_backend be",
        ], sections: Self.backend("be", [
            "cookie SRV insert indirect nocache",
            "server s1 127.0.0.1:\(nginx.port) cookie c1",
        ]))
        try measureHTTP("http, cookie + 3 ACLs + set-header, per request", config: config, port: port,
                        perRequest: 4) { response in
            guard response.status == 200 else { return "status \(response.status)" }
            guard response.value("X-Seen-Route") == "page" else { return "set-header not applied: \(response.headers)" }
            guard response.value("Set-Cookie")?.hasPrefix("SRV=c1") == true else { return "no cookie inserted: \(response.headers)" }
            return nil
        }
    }

    /// HTTP keep-alive with variables and converters: set-var from a header
    /// through `lower`, an ACL reading the variable with a converter, a
    /// set-header from the variable, and an http-after-response set-header:
    /// at most four per request (measured: the two added fields' value
    /// arrays and lists, request and response), the variables and
    /// converters themselves allocate nothing; a few allocations once.
    func testHTTPRequestWithVariablesAndConvertersAllocatesAtMostFour() throws {
        let nginx = try startNginx()
        let port = try FreePort.next()
        let config = Self.httpConfig(port: port, frontend: [
            "http-request set-var(txn.host) req.hdr(host),lower",
            "http-request set-var(sess.n) var(sess.n,0),add(1)",
            "acl known var(txn.host),upper -m str BENCH.EXAMPLE",
            "http-request set-header X-Route %[var(txn.host),field(1,.)] if known",
            "http-after-response set-header X-Count %[var(sess.n)]",
            "default_backend be",
        ], sections: Self.backend("be", ["server s1 127.0.0.1:\(nginx.port)"]))
        try measureHTTP("http, set-var + converters + var ACL + set-header + after-response, per request", config: config,
                        port: port, perRequest: 4, oneOff: 8) { response in
            guard response.status == 200 else { return "status \(response.status)" }
            guard response.value("X-Seen-Route") == "bench" else { return "set-header not applied: \(response.headers)" }
            guard response.value("X-Count") != nil else { return "after-response not applied: \(response.headers)" }
            return nil
        }
    }

    /// HTTP keep-alive with an ACL reading a file (`-f`), an ACL on a map
    /// converter's result and `http-request set-header` whose value is a map
    /// lookup: the lookups allocate nothing, so the set-header's field is
    /// the one allocation beyond a plain request's.
    func testHTTPRequestWithMapsAndACLFilesAllocatesAtMostTwo() throws {
        let nginx = try startNginx()
        let port = try FreePort.next()
        let files = try TemporaryDirectory(prefix: "allocmap")
        addTeardownBlock { files.remove() }
        let hosts = try files.write("hosts.map", (0..<500).map { "site\($0).example route\($0)\n" }.joined()
                                    + "bench.example page\n")
        let nets = try files.write("nets.acl", "10.0.0.0/8\n127.0.0.0/8\n192.168.0.0/16\n")
        let config = Self.httpConfig(port: port, frontend: [
            "acl from_local src -f \(nets)",
            "acl mapped req.hdr(host),lower,map_str(\(hosts)) -m found",
            "http-request set-header X-Route %[req.hdr(host),lower,map(\(hosts),none)] if from_local mapped",
            "default_backend be",
        ], sections: Self.backend("be", ["server s1 127.0.0.1:\(nginx.port)"]))
        try measureHTTP("http, ACL file + map ACL + map set-header, per request", config: config, port: port,
                        perRequest: 2) { response in
            guard response.status == 200 else { return "status \(response.status)" }
            guard response.value("X-Seen-Route") == "page" else { return "map not applied: \(response.headers)" }
            return nil
        }
    }

    /// HTTP keep-alive answered from the cache (`cache-use` / `cache-store`):
    /// after the first request stored nginx's page, each hit (the key's
    /// SHA-1, the shared region's lookup and copy, the answer with `age`)
    /// allocates nothing, as a request without rules.
    func testHTTPCacheHitAllocatesNothing() throws {
        let nginx = try startNginx()
        let port = try FreePort.next()
        let config = Self.httpConfig(port: port, frontend: ["http-request cache-use c", "http-response cache-store c",
                                                            "default_backend be"],
                                     sections: Self.backend("be", ["server s1 127.0.0.1:\(nginx.port)"])
                                         + "cache c\n    total-max-size 4\n    max-age 3600\n")
        // The first request of each client connection may be a miss (they start together); every later one is a hit.
        final class Misses: @unchecked Sendable { var count = 0 }
        let misses = Misses()
        try measureHTTP("http, cache hits, per request", config: config, port: port, perRequest: 0) { response in
            guard response.status == 200 else { return "status \(response.status)" }
            if response.value("age") == nil { misses.count += 1 }
            return misses.count <= Self.clientConnections ? nil : "\(misses.count) responses without age: not served from the cache"
        }
    }

    /// HTTP keep-alive logged with `option httplog` and a header capture to a
    /// UDP target: the line (record, render, framing, send) allocates nothing.
    func testHTTPRequestLoggedWithHTTPLogAllocatesNothing() throws {
        let nginx = try startNginx()
        let sink = try UDPLogSink()
        let port = try FreePort.next()
        let config = Self.httpConfig(port: port, global: ["log \(sink.address) local0"],
                                     defaults: ["log global", "option httplog"],
                                     frontend: ["capture request header Host len 32", "default_backend be"],
                                     sections: Self.backend("be", ["server s1 127.0.0.1:\(nginx.port)"]))
        try measureHTTP("http, option httplog to UDP, per request", config: config, port: port, perRequest: 0) { response in
            response.status == 200 ? nil : "status \(response.status)"
        }
        let lines = sink.drain()
        XCTAssertGreaterThanOrEqual(lines.count, Self.exchanges, "fewer log lines than requests arrived")
        let sample = try XCTUnwrap(lines.last)
        XCTAssertTrue(sample.hasPrefix("<134>"), sample)
        XCTAssertTrue(sample.contains(" fe be/s1 ") && sample.contains(" 200 ") && sample.contains("{bench.example}")
                      && sample.hasSuffix("\"GET /index.html HTTP/1.1\"\n"), sample)
    }

    // MARK: Measuring

    /// `oneOff`: allocations allowed once over the whole run (a store
    /// growing the first time it is used), not per request.
    private func measureHTTP(_ label: String, config: String, port: UInt16, perRequest: UInt64, oneOff: UInt64 = 0,
                             check: @escaping BoundedExchanges.Check) throws {
        var clients: [TCPClient] = []
        let request = "GET /index.html HTTP/1.1\r\nHost: bench.example\r\n\r\n"
        try countAllocations(label, config: config, port: port, budget: { $0 <= perRequest * UInt64(Self.exchanges) + oneOff },
                    budgetText: "<= \(perRequest) per request" + (oneOff > 0 ? " + \(oneOff) once" : "")) { count in
            if clients.isEmpty {
                clients = try (0..<Self.clientConnections).map { _ in try TCPClient.connect(port: port) }
            }
            try BoundedExchanges.http(over: clients, count: count, request: request, check: check)
        }
    }

    /// One worker, mode tcp, frontend `fe` on `port` with `frontend` lines,
    /// backend `be` with one server on `server`.
    static func tcpConfig(port: UInt16, frontend: String, server: UInt16) -> String {
        """
        global
            workers 1
        defaults
            mode tcp
            timeout connect 2s
            timeout client 10s
            timeout server 10s
        frontend fe
            bind 127.0.0.1:\(port)
        \(frontend)
        backend be
            server s1 127.0.0.1:\(server)

        """
    }

    /// Starts the release fulcrum on `config` with the counter preloaded,
    /// runs `warmUp` exchanges, then counts the worker's allocations over
    /// `exchanges` more and checks `budget` (on the total).
    private func countAllocations(_ label: String, config: String, port: UInt16, budget: (UInt64) -> Bool, budgetText: String,
                         run: (Int) throws -> Void) throws {
        let counter = try AllocationCounter()
        let fulcrum = try startFulcrum(config: config, arguments: ["-f", FulcrumProcess.configPlaceholder],
                                       environment: counter.environment, executable: FulcrumReleaseBinary.path())
        try fulcrum.waitUntilListening(port: port)
        let worker = try XCTUnwrap(fulcrum.waitForChildren(count: 1).first)

        try run(Self.warmUp)
        let before = try counter.countsOnceQuiet(of: worker)
        // The hook is live in the worker: its start-up allocated.
        XCTAssertGreaterThan(before.allocations, 0, "the counter saw no allocation in worker \(worker)")
        try run(Self.exchanges)
        let measured = try counter.countsOnceQuiet(of: worker) - before
        XCTAssertEqual(fulcrum.childPids(role: "worker"), [worker], "the measured worker was replaced")

        let perExchange = Double(measured.allocations) / Double(Self.exchanges)
        let met = budget(measured.allocations)
        print("allocation budget [\(label)]: \(perExchange) allocations per exchange over \(Self.exchanges) "
              + "(\(measured)); budget \(budgetText): \(met ? "met" : "MISSED")")
        if !met || getenv("ALLOCATION_SITES") != nil {
            print(try allocationSites(counter: counter, worker: worker, perExchange: perExchange, run: run))
        }
        XCTAssertTrue(met, "\(label): \(perExchange) allocations per exchange (\(measured)); budget \(budgetText)")
    }

    /// Records the stacks of every allocation over a few more exchanges and
    /// groups them, for the lead to see where they come from.
    private func allocationSites(counter: AllocationCounter, worker: pid_t, perExchange: Double,
                                 run: (Int) throws -> Void) throws -> String {
        let capacity = 512
        let traced = max(1, min(20, Int(Double(capacity) / max(1, perExchange.rounded(.up)))))
        try counter.traceNextAllocations(capacity, of: worker)
        try run(traced)
        _ = try counter.countsOnceQuiet(of: worker)
        let sites = AllocationSites(traces: counter.recordedTraces().filter { $0.pid == worker }, pid: worker)
        return "allocation sites over \(traced) exchanges:\n" + sites.report(exchanges: traced)
    }

    /// nginx serving /index.html (612 bytes) with keep-alive, echoing the
    /// request's X-Route field as X-Seen-Route.
    private func startNginx() throws -> NginxServer {
        let nginx = try NginxServer(http: """
            server {
                listen 127.0.0.1:{port};
                root {root};
                keepalive_requests 1000000;
                keepalive_timeout 75s;
                add_header X-Seen-Route $http_x_route always;
            }
            """)
        addTeardownBlock { nginx.stop() }
        let page = nginx.directory.file("www/index.html")
        try FileBytes.write(Array(repeating: UInt8(ascii: "x"), count: 612), to: page)
        chmod(page, 0o644)
        return nginx
    }
}
