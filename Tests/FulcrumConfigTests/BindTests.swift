import XCTest
@testable import FulcrumConfig

final class BindTests: XCTestCase {
    private func addresses(_ spec: String, env: [String: String] = [:]) -> [BindAddress] {
        let r = parse(tcpDefaults + "frontend f\n  bind \(spec)\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n", env: env)
        XCTAssertEqual(r.alerts, [], spec)
        return r.configuration.frontends.first?.binds.first?.addresses ?? []
    }

    private func bindAlert(_ spec: String) -> Diagnostic? {
        let r = parse(tcpDefaults + "frontend f\n  bind \(spec)\n  bind :1\n  default_backend f\nbackend f\n")
        XCTAssertEqual(r.alerts.count, 1, spec)
        return r.alerts.first
    }

    func testAddressForms() {
        XCTAssertEqual(addresses("1.2.3.4:80"), [.inet(host: "1.2.3.4", port: 80)])
        XCTAssertEqual(addresses("*:80"), [.inet(host: "0.0.0.0", port: 80)])
        XCTAssertEqual(addresses(":80"), [.inet(host: "0.0.0.0", port: 80)])
        XCTAssertEqual(addresses("[::]:443"), [.inet(host: "::", port: 443)])
        XCTAssertEqual(addresses("[::1]:8443"), [.inet(host: "::1", port: 8443)])
        XCTAssertEqual(addresses(":::80"), [.inet(host: "::", port: 80)])
        XCTAssertEqual(addresses("ipv4@10.0.0.1:80"), [.inet(host: "10.0.0.1", port: 80)])
        XCTAssertEqual(addresses("ipv6@:80"), [.inet(host: "::", port: 80)])
        XCTAssertEqual(addresses("localhost:80"), [.inet(host: "localhost", port: 80)])
    }

    func testRangesAndLists() {
        XCTAssertEqual(addresses("127.0.0.1:8000-8002"), (8000...8002).map { .inet(host: "127.0.0.1", port: $0) })
        XCTAssertEqual(addresses(":80,[::]:80,10.0.0.1:81-82"), [
            .inet(host: "0.0.0.0", port: 80), .inet(host: "::", port: 80),
            .inet(host: "10.0.0.1", port: 81), .inet(host: "10.0.0.1", port: 82),
        ])
    }

    func testInheritedDescriptors() {
        XCTAssertEqual(addresses("fd@3"), [.inheritedFD(3)])
        XCTAssertEqual(addresses("\"fd@${LISTEN_FD}\"", env: ["LISTEN_FD": "5"]), [.inheritedFD(5)])
        XCTAssertEqual(addresses("fd@${LISTEN_FD}", env: ["LISTEN_FD": "6"]), [.inheritedFD(6)])
        XCTAssertEqual(bindAlert("fd@${NOPE}")?.message, "invalid file descriptor 'fd@' in bind address (expected fd@<number>)")
        XCTAssertEqual(bindAlert("fd@$NOPE")?.message, "invalid file descriptor 'fd@$NOPE' in bind address (expected fd@<number>)")
        XCTAssertEqual(bindAlert("fd@x")?.location?.column, 8)
    }

    func testOptions() {
        let r = parse(tcpDefaults + "frontend f\n  bind :80,:81 name web backlog 1024 maxconn 500\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n")
        XCTAssertEqual(r.diagnostics, [])
        let bind = r.configuration.frontends[0].binds[0]
        XCTAssertEqual(bind.name, "web")
        XCTAssertEqual(bind.backlog, 1024)
        XCTAssertEqual(bind.maxconn, 500)
        XCTAssertEqual(bind.spec, ":80,:81")
        XCTAssertEqual(bind.location, SourceLocation(file: "t.cfg", line: 8, column: 3))
    }

    /// UNIX sockets: a path, `unix@`, `abns@`; their file's mode and owner.
    func testUnixSockets() {
        XCTAssertEqual(addresses("/run/x.sock"), [.unix(path: "/run/x.sock")])
        XCTAssertEqual(addresses("unix@/run/y.sock"), [.unix(path: "/run/y.sock")])
        XCTAssertEqual(addresses("abns@app"), [.abstract(name: "app")])
        let r = parse(tcpDefaults + "frontend f\n  bind /run/x.sock mode 660 user nobody group nogroup uid 7 gid 8 accept-proxy\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n")
        XCTAssertEqual(r.diagnostics, [])
        let bind = r.configuration.frontends[0].binds[0]
        XCTAssertEqual(bind.unixMode, 0o660)
        XCTAssertEqual(bind.unixUser, "nobody")
        XCTAssertEqual(bind.unixGroup, "nogroup")
        XCTAssertEqual(bind.unixUID, 7)
        XCTAssertEqual(bind.unixGID, 8)
        XCTAssertTrue(bind.acceptProxy)
    }

    func testAcceptProxyAndTransparent() {
        let r = parse(tcpDefaults + "frontend f\n  bind :80 accept-proxy transparent name p\n  bind :81\n  default_backend b\nbackend b\n  server s 127.0.0.1:1\n")
        XCTAssertEqual(r.diagnostics, [])
        let binds = r.configuration.frontends[0].binds
        XCTAssertEqual(binds.map(\.acceptProxy), [true, false])
        XCTAssertEqual(binds.map(\.transparent), [true, false])
        XCTAssertEqual(binds[0].name, "p")
    }

    func testErrors() {
        XCTAssertEqual(bindAlert("10.0.0.1")?.message, "missing port number in bind address '10.0.0.1'")
        XCTAssertEqual(bindAlert(":0")?.message, "invalid port '0' in bind address ':0' (expected 1-65535 or a range such as 8000-8002)")
        XCTAssertEqual(bindAlert(":70000")?.message, "invalid port '70000' in bind address ':70000' (expected 1-65535 or a range such as 8000-8002)")
        XCTAssertEqual(bindAlert(":82-80")?.message, "invalid port range '82-80' in bind address ':82-80': the first port is above the last")
        XCTAssertEqual(bindAlert("[::1:80")?.message, "invalid bind address '[::1:80'")
        XCTAssertEqual(bindAlert("uxdg@/run/x.sock")?.message, "address family 'uxdg@' is not supported yet (in section 'frontend')")
        XCTAssertEqual(bindAlert("/run/" + String(repeating: "x", count: 110))?.message,
                       "socket path '/run/\(String(repeating: "x", count: 110))' too long (max 107) in bind address '/run/\(String(repeating: "x", count: 110))'")
        XCTAssertEqual(bindAlert(":80 mode 600")?.message,
                       "bind options 'mode', 'uid', 'gid', 'user' and 'group' apply to UNIX socket paths only (in section 'frontend')")
        XCTAssertEqual(bindAlert("/run/x.sock mode 99")?.message, "'mode' : unknown mode '99' (expected an octal mode such as 600)")
        XCTAssertEqual(bindAlert("/run/x.sock uid root")?.message, "'uid' : expects a numeric id, got 'root'")
        XCTAssertEqual(bindAlert("foo@1.2.3.4:80")?.message, "unknown address family 'foo@' in bind address 'foo@1.2.3.4:80'")
        XCTAssertEqual(bindAlert(":80 backlog 0")?.message, "'backlog' has to be > 0")
        XCTAssertEqual(bindAlert(":80 maxconn")?.message, "bind option 'maxconn' expects an argument")
        XCTAssertEqual(parse(tcpDefaults + "frontend f\n  bind\n").alerts.first?.message,
                       "'bind' expects [<addr>]:<port>[,...] as an argument")
    }

    func testUnsupportedAndUnknownOptions() {
        let r = parse(tcpDefaults + "frontend f\n  bind :443 ssl crt /etc/x.pem alpn h2 namespace x\n  bind :1\n")
        XCTAssertEqual(r.alerts.map(\.message), [
            "bind option 'namespace' is not supported yet (in section 'frontend')",
            "'ssl' is parsed but TLS is not supported yet (the workers do not serve it)",
            "'crt' is parsed but TLS is not supported yet (the workers do not serve it)",
            "'alpn' is parsed but TLS is not supported yet (the workers do not serve it)",
        ])
        XCTAssertEqual(r.alerts.map { $0.location!.column }, [40, 13, 17, 32])
        let u = bindAlert(":80 nmae x")
        XCTAssertEqual(u?.message, "unknown bind option 'nmae' in 'frontend' section; did you mean 'name'?")
        XCTAssertEqual(u?.location?.column, 12)
    }

    func testBindOutsideFrontendCapability() {
        assertSingleAlert(parse(tcpDefaults + "backend b\n  bind :80\n"),
                          "'bind' not allowed because backend 'b' has no frontend capability", line: 8, column: 3)
        assertSingleAlert(parse(tcpDefaults + "  bind :80\n"), "'bind' is not allowed in 'defaults' section", line: 7, column: 3)
    }
}
