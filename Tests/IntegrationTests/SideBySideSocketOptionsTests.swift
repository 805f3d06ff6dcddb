import XCTest

/// Socket options read back from the kernel (SocketOptionReader) on the
/// sockets each proxy holds, side by side with haproxy 2.6: TCP keep-alive
/// on the client and server sides of a proxied connection, and a bind
/// line's `defer-accept`, `mss`, `tfo`, `interface`, `v6only` / `v4v6`.
final class SideBySideSocketOptionsTests: XCTestCase {
    private func pids(_ sbs: SideBySide, _ proxy: ProxyUnderTest) -> [pid_t] {
        let process = sbs.processes[proxy]!
        return [process.pid] + process.descendantPids()
    }

    /// One line echoed through `proxy` on `port` (to an echo server on
    /// `serverPort`), then the options of the proxy's two sockets of that
    /// connection, read while it is open; `whileOpen` runs before it closes.
    private func echoedConnectionOptions(_ sbs: SideBySide, _ proxy: ProxyUnderTest, port: UInt16, serverPort: UInt16,
                                         file: StaticString = #filePath, line: UInt = #line,
                                         whileOpen: () throws -> Void = {})
        throws -> (client: [String: String], server: [String: String]) {
        let client = try TCPClient.connect(port: port)
        defer { client.close() }
        try client.send("x\n")
        XCTAssertEqual(try client.readLine(), "x", "\(proxy) echoes", file: file, line: line)
        let clientPort = try LoopbackSocket.localPort(client.fd)
        let options = (try SocketOptionReader.read(.established(localPort: port, remotePort: clientPort), heldBy: pids(sbs, proxy)),
                       try SocketOptionReader.read(.established(localPort: 0, remotePort: serverPort), heldBy: pids(sbs, proxy)))
        try whileOpen()
        return options
    }

    func testKeepAliveProbesOnBothSidesOfAConnection() throws {
        let echo = try startBackend(.echo), plainEcho = try startBackend(.echo)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                option clitcpka
                clitcpka-idle 30s
                clitcpka-intvl 5
                clitcpka-cnt 4
                default_backend be
            backend be
                option srvtcpka
                srvtcpka-idle 45
                srvtcpka-intvl 7s
                srvtcpka-cnt 3
                server s 127.0.0.1:\(echo.port)
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend plain
            backend plain
                server s 127.0.0.1:\(plainEcho.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        var seen: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for (frontend, server, name) in [(0, echo, "ka"), (1, plainEcho, "plain")] {
                let port = sbs.ports[proxy]![frontend]
                let (clientSide, serverSide) = try echoedConnectionOptions(sbs, proxy, port: port, serverPort: server.port) {
                    // ss shows the keep-alive timer running on the proxy's client socket.
                    let ss = try CommandRunner.run("ss", ["-tnoH", "state", "established", "( sport = :\(port) )"])
                    XCTAssertEqual(ss.stdout.contains("timer:(keepalive"), name == "ka", "\(proxy) \(name): \(ss.stdout)")
                }
                for (side, o) in [("client", clientSide), ("server", serverSide)] {
                    let keepAlive = o["keepalive"] == "1"
                    seen[proxy, default: [:]]["\(name) \(side)"] = keepAlive
                        ? "on idle \(o["idle"] ?? "?") intvl \(o["intvl"] ?? "?") cnt \(o["cnt"] ?? "?")" : "off"
                }
            }
        }
        XCTAssertEqual(seen[.fulcrum]?["ka client"], "on idle 30 intvl 5 cnt 4")
        XCTAssertEqual(seen[.fulcrum]?["ka server"], "on idle 45 intvl 7 cnt 3")
        XCTAssertEqual(seen[.fulcrum]?["plain client"], "off")
        XCTAssertEqual(seen[.fulcrum]?["plain server"], "off")
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
    }

    func testBindLineSocketOptions() throws {
        let echo = try startBackend(.echo)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                maxconn 500
                bind 127.0.0.1:{port} defer-accept mss 1200 tfo interface lo
                bind [::]:{port2} v6only
                bind [::]:{port3} v4v6
                bind 127.0.0.1:{port4}
                default_backend be
            backend be
                server s 127.0.0.1:\(echo.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        var seen: [ProxyUnderTest: [[String: String]]] = [:]
        for proxy in ProxyUnderTest.allCases {
            seen[proxy] = try (0..<4).map { i in
                try SocketOptionReader.read(.listener(port: sbs.ports[proxy]![i]), heldBy: pids(sbs, proxy))
            }
        }
        let f = try XCTUnwrap(seen[.fulcrum])
        XCTAssertEqual([f[0]["defer"], f[0]["mss"], f[0]["fastopen"], f[0]["device"]], ["1", "1200", "500", "lo"])
        XCTAssertEqual([f[1]["v6only"], f[2]["v6only"]], ["1", "0"])
        XCTAssertEqual([f[3]["defer"], f[3]["fastopen"], f[3]["device"]], ["0", "0", ""])
        XCTAssertNotEqual(f[3]["mss"], "1200")
        // The echo still answers through the options.
        let client = try TCPClient.connect(port: sbs.ports[.fulcrum]![0])
        try client.send("hello\n")
        XCTAssertEqual(try client.readLine(), "hello")
        for i in 0..<4 {
            XCTAssertEqual(seen[.fulcrum]?[i], seen[.haproxy]?[i], "bind \(i + 1)")
        }
    }

    /// `tune.rcvbuf|sndbuf.client|server`, `option tcp-smart-connect` and
    /// server `tfo`: the buffers of accepted client sockets and of server
    /// connections as haproxy sets them, TCP_QUICKACK off before connecting;
    /// `tfo` turns TCP_FASTOPEN_CONNECT on. Debian's haproxy 2.6.12 sets no
    /// Fast Open option on its server sockets at all (seen with strace, also
    /// with `retry-on conn-failure empty-response response-timeout`), so that
    /// one is Fulcrum's alone (docs/differences.md).
    func testBufferSizesSmartConnectAndServerFastOpen() throws {
        let echo = try startBackend(.echo), plainEcho = try startBackend(.echo)
        let config = """
            global
                tune.rcvbuf.client 65536
                tune.sndbuf.client 98304
                tune.rcvbuf.server 32768
                tune.sndbuf.server 49152

            """ + SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                option tcp-smart-connect
                server s 127.0.0.1:\(echo.port) tfo
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend plain
            backend plain
                server s 127.0.0.1:\(plainEcho.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        var seen: [ProxyUnderTest: [String: String]] = [:]
        var fastOpen: [String: String] = [:]
        for proxy in ProxyUnderTest.allCases {
            for (frontend, server, name) in [(0, echo, "smart"), (1, plainEcho, "plain")] {
                let (c, o) = try echoedConnectionOptions(sbs, proxy, port: sbs.ports[proxy]![frontend], serverPort: server.port)
                seen[proxy, default: [:]][name] = "client rcvbuf \(c["rcvbuf"] ?? "?") sndbuf \(c["sndbuf"] ?? "?"), "
                    + "server rcvbuf \(o["rcvbuf"] ?? "?") sndbuf \(o["sndbuf"] ?? "?")"
                if proxy == .fulcrum { fastOpen[name] = o["fastopen_connect"] }
            }
        }
        // The kernel doubles what it is given.
        XCTAssertEqual(seen[.fulcrum]?["smart"], "client rcvbuf 131072 sndbuf 196608, server rcvbuf 65536 sndbuf 98304")
        XCTAssertEqual(seen[.fulcrum]?["plain"], seen[.fulcrum]?["smart"])
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
        XCTAssertEqual(fastOpen, ["smart": "1", "plain": "0"])
    }

    /// `option tcp-smart-connect`: HAProxy 2.6 turns TCP_QUICKACK off on a
    /// server socket before connect(2) when bytes wait to leave with the
    /// handshake's ACK: a PROXY header. A mode tcp stream connects before
    /// its client sent anything, and an HTTP request goes out later through
    /// its mux, so neither gets it (read from strace on both proxies).
    func testSmartConnectTurnsQuickAckOffBeforeConnecting() throws {
        let plain = try startBackend(.echo), proxied = try startBackend(.echo)
        let web = try startRecordingBackend("web")
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                option tcp-smart-connect
                server s 127.0.0.1:\(plain.port)
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend withproxy
            backend withproxy
                option tcp-smart-connect
                server s 127.0.0.1:\(proxied.port) send-proxy
            frontend web
                mode http
                bind 127.0.0.1:{port3}
                default_backend webbe
            backend webbe
                mode http
                option tcp-smart-connect
                server s 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web])
        var seen: [ProxyUnderTest: [String: Bool?]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for (frontend, port, name) in [(0, plain.port, "tcp"), (1, proxied.port, "send-proxy"), (2, web.port, "http")] {
                let destination = "htons(\(port))"
                let calls = try SyscallTrace.lines(of: pids(sbs, proxy), calls: ["setsockopt", "connect"],
                                                   until: { $0.contains("connect(") && $0.contains(destination) }) {
                    if name == "http" {
                        let client = try HTTPTestClient(port: sbs.ports[proxy]![frontend])
                        defer { client.connection.close() }
                        XCTAssertEqual(try client.request().status, 200, "\(proxy)")
                    } else {
                        let client = try TCPClient.connect(port: sbs.ports[proxy]![frontend])
                        defer { client.close() }
                        try client.send("x\n")
                        XCTAssertNotNil(try client.readLine(), "\(proxy) \(name)")
                    }
                }
                seen[proxy, default: [:]][name] = quickAckOff(before: destination, in: calls)
            }
        }
        XCTAssertEqual(seen[.fulcrum], ["tcp": false, "send-proxy": true, "http": false])
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
    }

    /// Whether TCP_QUICKACK was turned off on the socket of the first traced
    /// connect to `destination` before that connect (nil: no such connect).
    private func quickAckOff(before destination: String, in calls: [String]) -> Bool? {
        guard let c = calls.firstIndex(where: { $0.contains("connect(") && $0.contains(destination) }),
              let fd = calls[c].split(separator: "(", maxSplits: 1).last?.split(separator: ",").first else { return nil }
        return calls[..<c].contains { $0.contains("setsockopt(\(fd), SOL_TCP, TCP_QUICKACK, [0]") }
    }

    /// `option nolinger`: the client's half-close travels to the server and
    /// back; the proxy then closes the client with an RST instead of a FIN.
    func testNolingerClosesWithAReset() throws {
        let echo = try startBackend(.echo)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                option nolinger
                default_backend be
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend be
            backend be
                server s 127.0.0.1:\(echo.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        for proxy in ProxyUnderTest.allCases {
            for (frontend, expected) in [(0, TCPClient.End.reset), (1, .eof)] {
                let client = try TCPClient.connect(port: sbs.ports[proxy]![frontend])
                defer { client.close() }
                try client.send("x\n")
                XCTAssertEqual(try client.readLine(), "x", "\(proxy)")
                try client.shutdownWrite()
                XCTAssertEqual(try client.receiveUntilEOF(timeout: 5).end, expected, "\(proxy) frontend \(frontend + 1)")
            }
        }
    }

    /// `tcp-smart-accept`: HAProxy turns TCP_QUICKACK off on the listeners
    /// of mode http frontends (and ssl binds) unless told `no option
    /// tcp-smart-accept`, and of any frontend with the option.
    func testSmartAcceptTurnsQuickAckOffOnListeners() throws {
        let echo = try startBackend(.echo)
        let config = """
            defaults
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend http
                mode http
                bind 127.0.0.1:{port}
                default_backend be
            frontend tcp
                mode tcp
                bind 127.0.0.1:{port2}
                default_backend tcpbe
            frontend tcpsmart
                mode tcp
                option tcp-smart-accept
                bind 127.0.0.1:{port3}
                default_backend tcpbe
            frontend httpquick
                mode http
                no option tcp-smart-accept
                bind 127.0.0.1:{port4}
                default_backend be
            backend be
                mode http
                server s 127.0.0.1:\(echo.port)
            backend tcpbe
                mode tcp
                server s 127.0.0.1:\(echo.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            seen[proxy] = try (0..<4).map { i in
                try SocketOptionReader.read(.listener(port: sbs.ports[proxy]![i]), heldBy: pids(sbs, proxy))["quickack"] ?? "?"
            }
        }
        XCTAssertEqual(seen[.haproxy], ["0", "1", "0", "1"])
        XCTAssertEqual(seen[.fulcrum], ["0", "1", "0", "1"])
    }

    /// `option splice-response`: even a small answer goes through splice(2)
    /// (counted with strace on the process that forwards it); without it a
    /// small answer is copied (Fulcrum splices bulk transfers only).
    func testSpliceResponseSplicesFromTheFirstByte() throws {
        let strace = try requireTool("strace")
        let source = try startBackend(.source(bytes: 3000))
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                option splice-response
                default_backend be
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend be
            backend be
                server s 127.0.0.1:\(source.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        var seen: [ProxyUnderTest: [Bool]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let process = sbs.processes[proxy]!
            let target = proxy == .fulcrum ? try XCTUnwrap(process.childPids(role: "worker").first) : process.pid
            for frontend in 0..<2 {
                let files = try TemporaryDirectory(prefix: "strace")
                defer { files.remove() }
                let trace = try ChildProcess(executable: strace, arguments: ["-f", "-e", "trace=splice", "-o", files.file("out"),
                                                                             "-p", "\(target)"],
                                             environment: [:], stdoutPath: files.file("stdout"), stderrPath: files.file("err"))
                defer { _ = trace.terminateTree(grace: 2) }
                XCTAssertTrue(waitUntil(timeout: 5) { FileBytes.readText(files.file("err"))?.contains("attached") == true },
                              "\(proxy): strace attached")
                let client = try TCPClient.connect(port: sbs.ports[proxy]![frontend])
                let received = try client.receiveUntilEOF(timeout: 5)
                client.close()
                XCTAssertEqual(received.bytes.count, 3000, "\(proxy) frontend \(frontend + 1)")
                try trace.signal(SIGINT)
                _ = trace.wait(timeout: 5)
                let calls = (FileBytes.readText(files.file("out")) ?? "").components(separatedBy: "splice(").count - 1
                seen[proxy, default: []].append(calls > 0)
            }
        }
        XCTAssertEqual(seen[.haproxy], [true, false], "haproxy splices with the option only")
        XCTAssertEqual(seen[.fulcrum], [true, false], "fulcrum splices a small answer with the option only")
    }
}
