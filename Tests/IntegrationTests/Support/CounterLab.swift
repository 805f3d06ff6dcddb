import Glibc
import XCTest

/// One configuration under haproxy 2.6 and Fulcrum with a stats socket each,
/// and a request mix that touches every counter `show stat` has: 2xx, 404,
/// 5xx from a server, a 503 with no server, a server timeout, a retry with
/// redispatch, a denied request, a bad request, a client leaving mid-body, a
/// slow response, a tcp frontend.
final class CounterLab {
    let sideBySide: SideBySide
    /// Each proxy's stats socket.
    var socketPaths: [ProxyUnderTest: String] = [:]
    /// Stats socket connections made so far: HAProxy counts them in show info.
    var cliConnections: [ProxyUnderTest: Int] = [:]

    init(_ test: XCTestCase) throws {
        let web = try test.startRecordingBackend("web") { request in
            switch request.path {
            case "/missing": return ScriptedResponse(status: 404, reason: "Not Found", body: "no")
            case "/fail": return ScriptedResponse(status: 500, reason: "Internal Server Error", body: "oops")
            case "/slow":
                sleepSeconds(0.3)
                return ScriptedResponse.identify(request)
            default: return ScriptedResponse.identify(request)
            }
        }
        // Accepts (the kernel completes the handshake) and never answers.
        let silentPort = try FreePort.next()
        let silent = try LoopbackSocket.listen(port: silentPort)
        test.addTeardownBlock { close(silent) }
        let deadPort = try FreePort.next()
        let statsSockets = try SideBySideStatsSockets(test)
        socketPaths = statsSockets.paths
        let substitutions = statsSockets.substitutions
        let config = """
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 1s
            frontend fe
                option socket-stats
                bind 127.0.0.1:{port}
                bind 127.0.0.1:{port3} name second
                http-request deny if { path /deny }
                use_backend be_none if { path /none }
                use_backend be_silent if { path /silent }
                use_backend be_retry if { path /retry }
                use_backend be_slow if { path /slow }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)
            backend be_none
                server gone 127.0.0.1:\(web.port) disabled
            backend be_silent
                server silent 127.0.0.1:\(silentPort)
            backend be_retry
                balance first
                retries 1
                option redispatch
                server dead 127.0.0.1:\(deadPort)
                server live 127.0.0.1:\(web.port)
            backend be_slow
                server web 127.0.0.1:\(web.port)
            listen stats
                bind 127.0.0.1:{port5}
                stats enable
                stats uri /stats
            frontend prom
                bind 127.0.0.1:{port4}
                http-request use-service prometheus-exporter if { path /metrics }
                http-request deny
            frontend ft
                mode tcp
                option socket-stats
                bind 127.0.0.1:{port2}
                default_backend bt
            backend bt
                mode tcp
                server web 127.0.0.1:\(web.port)

            """
        sideBySide = try SideBySide(test, config: config, backends: [web], global: SideBySideStatsSockets.global,
                                 substitutions: substitutions)
    }

    /// One runtime-API command on `proxy`'s stats socket.
    func command(_ text: String, _ proxy: ProxyUnderTest) throws -> String {
        cliConnections[proxy, default: 0] += 1
        return try MasterCLI.send(text, socketPath: socketPaths[proxy]!)
    }

    /// The same traffic to one proxy, request after request.
    func drive(_ proxy: ProxyUnderTest) throws {
        let ports = sideBySide.ports[proxy]!
        let keepAlive = try TCPClient.connect(port: ports[0])
        for path in ["/", "/a", "/missing", "/fail"] {
            try keepAlive.send(httpGet(path))
            XCTAssertNotNil(try keepAlive.readHTTPResponse(requestMethod: "GET"), path)
        }
        keepAlive.close()
        for path in ["/deny", "/none", "/silent", "/retry", "/slow"] {
            let client = try TCPClient.connect(port: ports[0])
            try client.send(httpGet(path))
            XCTAssertNotNil(try client.readHTTPResponse(requestMethod: "GET"), path)
            client.close()
        }
        // A request the parser refuses: 400, never forwarded.
        let bad = try TCPClient.connect(port: ports[0])
        try bad.send("GARBAGE\r\n\r\n")
        XCTAssertNotNil(try bad.readHTTPResponse(requestMethod: "GET"))
        bad.close()
        // A client that leaves in the middle of its request body.
        let leaving = try TCPClient.connect(port: ports[0])
        try leaving.send("POST /upload HTTP/1.1\r\nHost: site\r\nContent-Length: 100\r\n\r\n0123456789")
        // It leaves once the proxy holds a session on the server for it.
        let connected = waitUntil(timeout: 5, interval: 0.02) {
            ((try? StatsTable(csv: self.command("show stat", proxy)))?.int("be/web", "scur") ?? 0) == 1
        }
        XCTAssertTrue(connected, "\(proxy): the request with a partial body reached no server")
        leaving.close()
        // The frontend's second listener.
        let second = try TCPClient.connect(port: ports[2])
        try second.send(httpGet("/second"))
        XCTAssertEqual(try second.readHTTPResponse(requestMethod: "GET")?.status, 200)
        second.close()
        // mode tcp: the request crosses as bytes.
        let tcp = try TCPClient.connect(port: ports[1])
        try tcp.send(httpGet("/tcp", ["Connection: close"]))
        _ = try tcp.receiveUntilEOF()
        tcp.close()
    }
}
