import Glibc
import XCTest

/// The measurement of issue 10's and issue 17's memory targets, shared by
/// IdleConnectionMemoryTests (5,000 connections, one worker) and
/// ScaleConnectionMemoryTests (100,000, two workers): keep-alive client
/// connections, each after one request, held idle against a proxy, PSS
/// summed over every process of the proxy.
struct IdleConnectionMemory {
    static let request = "GET /index.html HTTP/1.1\r\nHost: bench.example\r\n\r\n"

    /// Connections held at once.
    let connections: Int
    /// Client source addresses, taken in turn (empty: the kernel's choice).
    var sources: [String] = []

    /// PSS in KB: before the connections (after one warm-up request), while
    /// they are held, once they closed.
    struct Figures: CustomStringConvertible {
        var idle: Int
        var held: Int
        var afterClose: Int
        var connections: Int
        var perConnection: Double { Double(held - idle) / Double(connections) }
        /// What holding `count` connections would come to: idle plus the per-connection slope.
        func projectedHeld(_ count: Int) -> Double { Double(idle) + perConnection * Double(count) }
        var description: String {
            "idle \(idle) KB, held \(held) KB (\(Int(perConnection * 1000)) bytes a connection), after close \(afterClose) KB"
        }
    }

    /// The same text for haproxy and Fulcrum but the process/thread line:
    /// HTTP keep-alive with timeouts long enough for the idle connections to
    /// stay, room for all of them, and `servers` (host, port) balanced in
    /// turn (one server address per 64k backend connections: each is a
    /// destination of its own for the source ports).
    func config(_ processesLine: String, port: UInt16, servers: [(String, UInt16)]) -> String {
        let lines = servers.enumerated().map { "    server s\($0.offset + 1) \($0.element.0):\($0.element.1)" }
        return """
            global
                \(processesLine)
                maxconn \(connections + 1000)
            defaults
                mode http
                option http-keep-alive
                maxconn \(connections + 1000)
                timeout connect 5s
                timeout client 300s
                timeout server 300s
                timeout http-request 10s
                timeout http-keep-alive 300s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
            \(lines.joined(separator: "\n"))

            """
    }

    /// Figures for the process tree at `pid` serving `port`. With
    /// `awaitReturnWithin` (a fraction of idle), "after close" is taken once
    /// the PSS is back within it of idle, or after 30 s if it never is.
    func measure(pid: pid_t, port: UInt16, awaitReturnWithin: Double?) throws -> Figures {
        let warmUp = try TCPClient.connect(port: port)
        try warmUp.send(Self.request)
        guard try warmUp.readHTTPResponse()?.status == 200 else {
            throw HarnessError.failed("warm-up request on port \(port): no 200 answer")
        }
        warmUp.close()
        let idle = try Self.settledPSS(of: pid)
        let held = try HeldConnections(port: port, count: connections, request: Self.request, sources: sources)
        let heldPSS = ProcessMemory.treePSSKilobytes(of: pid)
        held.close()
        var after = ProcessMemory.treePSSKilobytes(of: pid)
        if let within = awaitReturnWithin {
            waitUntil(timeout: 30, interval: 0.5) {
                after = ProcessMemory.treePSSKilobytes(of: pid)
                return Double(after) <= Double(idle) * (1 + within)
            }
        }
        return Figures(idle: idle, held: heldPSS, afterClose: after, connections: connections)
    }

    /// nginx serving a 612-byte page on one port of each of `addresses`,
    /// with room and keep-alive for every connection; stopped at teardown.
    func startNginx(_ test: XCTestCase, addresses: [String]) throws -> NginxServer {
        let listens = addresses.map { "listen \($0):{port};" }.joined(separator: "\n    ")
        let nginx = try NginxServer(http: """
            server {
                \(listens)
                root {root};
                keepalive_requests 1000000;
                keepalive_timeout 300s;
            }
            """, workerConnections: connections + 5000)
        test.addTeardownBlock { nginx.stop() }
        let page = nginx.directory.file("www/index.html")
        try FileBytes.write(Array(repeating: UInt8(ascii: "x"), count: 612), to: page)
        chmod(page, 0o644)
        return nginx
    }

    /// haproxy (`nbthread processes`) then Fulcrum (`workers processes`) on
    /// the same configuration in front of `servers`, measured one after the
    /// other; prints both figures and fails when Fulcrum holds more than
    /// `maximumRatio` times haproxy's PSS (with `projectedTo`, what each
    /// would hold at that many connections: idle plus its per-connection
    /// slope measured here, so a machine that cannot hold them still
    /// measures the ratio there), when a connection costs it more
    /// than `maximumPerConnectionRatio` times what one costs haproxy (held
    /// less idle PSS, per connection: the part that grows with the count), or
    /// when it stays more than `maximumReturnAbove` above its idle PSS once
    /// the connections closed.
    func compare(_ test: XCTestCase, haproxy haproxyPath: String, fulcrum binary: String, processes: Int,
                 servers: [(String, UInt16)], maximumRatio: Double, maximumPerConnectionRatio: Double,
                 maximumReturnAbove: Double, projectedTo: Int? = nil) throws {
        let haproxyPort = try FreePort.next()
        let haproxy = try HAProxyReference(executable: haproxyPath,
                                           config: config("nbthread \(processes)", port: haproxyPort, servers: servers),
                                           port: haproxyPort)
        test.addTeardownBlock { haproxy.stop() }
        let reference = try measure(pid: haproxy.pid, port: haproxyPort, awaitReturnWithin: nil)
        haproxy.stop()

        let port = try FreePort.next()
        let fulcrum = try test.startFulcrum(config: config("workers \(processes)", port: port, servers: servers),
                                            arguments: ["-f", FulcrumProcess.configPlaceholder], executable: binary)
        try fulcrum.waitUntilListening(port: port)
        try fulcrum.waitForChildren(count: processes)
        let measured = try measure(pid: fulcrum.pid, port: port, awaitReturnWithin: maximumReturnAbove)

        let at = projectedTo ?? connections
        let ratio = measured.projectedHeld(at) / reference.projectedHeld(at)
        let perConnectionRatio = measured.perConnection / reference.perConnection
        let returned = Double(measured.afterClose - measured.idle) / Double(measured.idle)
        print("idle connection memory (\(connections) connections, \(processes) workers / threads): fulcrum \(measured); "
              + "haproxy \(reference); held ratio at \(at) connections \(ratio) (target <= \(maximumRatio)); per connection ratio "
              + "\(perConnectionRatio) (target <= \(maximumPerConnectionRatio)); fulcrum after close "
              + "\(Int((returned * 100).rounded()))% above idle (target <= \(Int(maximumReturnAbove * 100))%)")
        XCTAssertLessThanOrEqual(ratio, maximumRatio,
                                 "fulcrum holds \(Int(measured.projectedHeld(at))) KB for \(at) idle connections, "
                                 + "haproxy \(Int(reference.projectedHeld(at))) KB (measured at \(connections))")
        XCTAssertLessThanOrEqual(perConnectionRatio, maximumPerConnectionRatio,
                                 "an idle connection costs fulcrum \(Int(measured.perConnection * 1000)) bytes, "
                                 + "haproxy \(Int(reference.perConnection * 1000))")
        XCTAssertLessThanOrEqual(returned, maximumReturnAbove,
                                 "fulcrum's PSS after the connections closed: \(measured.afterClose) KB, idle \(measured.idle) KB")
    }

    /// The tree's PSS once two readings a second apart differ by under 1%
    /// (what the warm-up took is let go of, or kept for good).
    static func settledPSS(of pid: pid_t) throws -> Int {
        var last = ProcessMemory.treePSSKilobytes(of: pid)
        for _ in 0..<20 {
            sleepSeconds(1)
            let now = ProcessMemory.treePSSKilobytes(of: pid)
            if abs(now - last) * 100 < last { return now }
            last = now
        }
        throw HarnessError.timeout("PSS of pid \(pid) settling within 20 s (last \(last) KB)")
    }
}
