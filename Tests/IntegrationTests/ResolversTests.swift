import Glibc
import XCTest
import Foundation

/// DNS service discovery against a real DNS server (a private dnsmasq whose
/// records each test rewrites): server-template slots fill and empty as
/// records come and go, an address change moves traffic with no error, SRV
/// records set ports and weights, NXDOMAIN takes a server to "MAINT
/// (resolution)" once `hold nx` has passed; and side by side with haproxy 2.6
/// on the same configuration and DNS server, the same servers in the same states.
final class ResolversTests: XCTestCase {
    private var sockets: TemporaryDirectory!

    private func start(_ dns: PrivateDNSServer, body: String, hold: String = "hold valid 200ms", workers: Int = 2,
                       transport: String = "", arguments: [String] = FulcrumProcess.defaultArguments) throws -> (FulcrumProcess, UInt16) {
        let port = try FreePort.next()
        sockets = try TemporaryDirectory(prefix: "rsv")
        let dir = sockets!
        addTeardownBlock { dir.remove() }
        let config = """
            global
                workers \(workers)
                stats socket \(dir.file("admin.sock")) level admin
            resolvers dns
                nameserver local \(transport)127.0.0.1:\(dns.port)
                timeout retry 200ms
                timeout resolve 200ms
                \(hold)
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
            \(body)

            """
        let p = try startFulcrum(config: config, arguments: arguments)
        try p.waitUntilListening(port: port, sockets: workers)
        return (p, port)
    }

    private func cli(_ command: String) throws -> String {
        try MasterCLI.send(command, socketPath: sockets.file("admin.sock"))
    }

    /// name → (address, admin state) from `show servers state be`.
    private func states() -> [String: (address: String, admin: String, port: String, weight: String)] {
        let text = (try? cli("show servers state be")) ?? ""
        var out: [String: (String, String, String, String)] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ").map(String.init)
            guard f.count > 18 else { continue }
            out[f[3]] = (f[4], f[6], f[18], f[7])
        }
        return out
    }

    private func waitFor(_ what: String, timeout: Double = 10, _ condition: () -> Bool) {
        XCTAssertTrue(waitUntil(timeout: timeout, interval: 0.05, condition), "\(what): \(states())")
    }

    func testTemplateFillsAsRecordsAppearAndEmptiesAsTheyGo() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.11", "app.test")])
        let backendPort = try FreePort.next()
        let banners = try (11...13).map { try AddressedBanner(address: "127.0.0.\($0)", port: backendPort, name: "b\($0)") }
        addTeardownBlock { banners.forEach { $0.stop() } }
        let (_, port) = try start(dns, body: "    server-template web 1-3 app.test:\(backendPort) resolvers dns init-addr none resolve-prefer ipv4",
                                  hold: "hold valid 200ms\n    hold nx 0s")
        waitFor("one slot filled") {
            let s = states()
            return s["web1"]?.address == "127.0.0.11" && s["web2"]?.admin == "32" && s["web3"]?.admin == "32"
        }
        XCTAssertEqual(try cli("show stat").split(separator: "\n").filter { $0.contains("MAINT (resolution)") }.count, 2)
        // Traffic reaches the one slot with an address.
        let first = try TCPClient.connect(port: port)
        XCTAssertEqual(try first.readLine(), "b11")
        first.close()

        try dns.setHosts([("127.0.0.11", "app.test"), ("127.0.0.12", "app.test"), ("127.0.0.13", "app.test")])
        waitFor("every slot filled, web1 kept its address") {
            let s = states()
            return s["web1"]?.address == "127.0.0.11" && Set([s["web2"]?.address, s["web3"]?.address]) == ["127.0.0.12", "127.0.0.13"]
                && s.values.allSatisfy { $0.admin == "0" }
        }
        let kept = states()
        try dns.setHosts([("127.0.0.13", "app.test")])
        waitFor("slots emptied but the one still resolved") {
            let s = states()
            let holder = kept.first { $0.value.address == "127.0.0.13" }!.key
            return s[holder]?.address == "127.0.0.13" && s[holder]?.admin == "0"
                && s.filter { $0.key != holder }.allSatisfy { $0.value.address == "-" && $0.value.admin == "32" }
        }
        try dns.setHosts([])
        waitFor("all slots empty (NXDOMAIN, hold nx 0s)") { states().values.allSatisfy { $0.admin == "32" } }
    }

    func testAddressChangeMovesTrafficWithoutErrors() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.21", "svc.test")])
        let port = try FreePort.next()
        let old = try AddressedBanner(address: "127.0.0.21", port: port, name: "old")
        let new = try AddressedBanner(address: "127.0.0.22", port: port, name: "new")
        addTeardownBlock { old.stop(); new.stop() }
        let (_, fe) = try start(dns, body: "    server s svc.test:\(port) resolvers dns init-addr none")
        waitFor("resolved") { self.states()["s"]?.address == "127.0.0.21" }
        var seen: [String: Int] = [:], errors = 0, changed = false
        // A bounded load: at most 3000 connections; the record moves after 100.
        for i in 0..<3000 {
            if i == 100 { try dns.setHosts([("127.0.0.22", "svc.test")]); changed = true }
            do {
                let c = try TCPClient.connect(port: fe)
                let line = try c.readLine()
                c.close()
                if let line { seen[line, default: 0] += 1 } else { errors += 1 }
            } catch { errors += 1 }
            if changed, (seen["new"] ?? 0) >= 100 { break }
        }
        XCTAssertEqual(errors, 0)
        XCTAssertGreaterThanOrEqual(seen["old"] ?? 0, 100)
        XCTAssertGreaterThanOrEqual(seen["new"] ?? 0, 100, "traffic never moved: \(seen), \(states())")
    }

    func testNXDomainFollowsHoldNX() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.31", "nx.test")])
        let (_, _) = try start(dns, body: "    server s nx.test:80 resolvers dns init-addr none", hold: "hold valid 100ms\n    hold nx 2s")
        waitFor("resolved") { self.states()["s"]?.address == "127.0.0.31" }
        try dns.setHosts([])
        let removed = Deadline.nowNanoseconds()
        waitFor("maintenance after hold nx", timeout: 10) { self.states()["s"]?.admin == "32" }
        let elapsed = Double(Deadline.nowNanoseconds() - removed) / 1e9
        XCTAssertGreaterThan(elapsed, 1.5, "left before hold nx (2s) passed")
        XCTAssertTrue(try cli("show stat").split(separator: "\n").contains { $0.hasPrefix("be,s,") && $0.contains(",MAINT (resolution),") })
        XCTAssertTrue(try cli("show resolvers dns").contains(" nameserver local:\n  sent:"))
        // And back when the name resolves again.
        try dns.setHosts([("127.0.0.32", "nx.test")])
        waitFor("back from maintenance") { self.states()["s"].map { $0.admin == "0" && $0.address == "127.0.0.32" } ?? false }
    }

    func testSRVRecordsSetAddressPortAndWeight() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.41", "a.srv.test"), ("127.0.0.42", "b.srv.test")],
                                       srv: ["_http._tcp.srv.test,a.srv.test,8001,0,100", "_http._tcp.srv.test,b.srv.test,8002,0,5000"])
        _ = try start(dns, body: "    server-template s 3 _http._tcp.srv.test resolvers dns init-addr none")
        waitFor("slots from SRV") {
            // Filled SRV slots carry haproxy's HMAINT mark (64): their FQDN came from the record.
            let s = self.states().values.filter { $0.admin == "64" }
            let got = Set(s.map { "\($0.address):\($0.port):\($0.weight)" })
            return got == ["127.0.0.41:8001:1", "127.0.0.42:8002:20"]
        }
        XCTAssertEqual(states().values.filter { $0.admin == "32" }.count, 1)
    }

    /// `tcp@`: the same answers over DNS's TCP framing (dnsmasq serves both).
    func testTCPNameserver() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.71", "tcp.test"), ("127.0.0.72", "tcp.test")])
        _ = try start(dns, body: "    server-template t 3 tcp.test:80 resolvers dns init-addr none resolve-prefer ipv4", transport: "tcp@")
        waitFor("two slots over TCP") {
            Set(self.states().values.filter { $0.admin == "0" }.map(\.address)) == ["127.0.0.71", "127.0.0.72"]
        }
        try dns.setHosts([("127.0.0.73", "tcp.test")])
        waitFor("follows the change over TCP") {
            Set(self.states().values.filter { $0.admin == "0" }.map(\.address)) == ["127.0.0.73"]
        }
        let shown = try cli("show resolvers dns")
        XCTAssertTrue(shown.contains(" nameserver local:\n"), shown)
        XCTAssertFalse(shown.contains("  valid:       0\n"), shown)
    }

    func testSetServerFQDNFollowsTheNewName() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.51", "one.test"), ("127.0.0.52", "two.test")])
        _ = try start(dns, body: "    server s one.test:80 resolvers dns init-addr none")
        waitFor("resolved") { self.states()["s"]?.address == "127.0.0.51" }
        XCTAssertEqual(try cli("set server be/s fqdn two.test"), "be/s changed its FQDN from one.test to two.test by 'stats socket command'\n\n")
        waitFor("follows the new name") { self.states()["s"]?.address == "127.0.0.52" }
        XCTAssertTrue(try cli("show servers state be").contains(" two.test 80 "))
    }

    /// The same configuration and DNS server under haproxy 2.6 and fulcrum:
    /// the same servers end in the same states (address or none, operational
    /// and admin state, check health, fqdn, port) as records change; the
    /// template's slots are checked, so leaving RMAINT meets the checks;
    /// `single` shares the slots' resolution (no duplicate address), `other`
    /// asks AAAA first, a resolution of its own, and may take one in use.
    func testSameStatesAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.61", "web.test")])
        let backendPort = try FreePort.next()
        let banners = try (61...63).map { try AddressedBanner(address: "127.0.0.\($0)", port: backendPort, name: "w\($0)") }
        addTeardownBlock { banners.forEach { $0.stop() } }
        let stats = try SideBySideStatsSockets(self)
        let config = """
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                timeout retry 200ms
                hold valid 200ms
                hold nx 0s
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server-template web 3 web.test:\(backendPort) check inter 300ms resolvers dns init-addr none resolve-prefer ipv4
                server single web.test:\(backendPort) resolvers dns init-addr none resolve-prefer ipv4
                server other web.test:\(backendPort) resolvers dns init-addr none
                server gone gone.test:80 resolvers dns init-addr none
                server-template big 2 big.test:80 resolvers dns init-addr none resolve-prefer ipv4
                server fixed 127.0.0.1:80

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        /// Per server: name, address or "-", operational and admin state, fqdn, port. Which
        /// template slot takes which address follows the answer's order (dnsmasq rotates
        /// it), so the slots are compared as a sorted list without their names.
        func view(_ proxy: ProxyUnderTest) -> [String] {
            let text = (try? MasterCLI.send("show servers state be", socketPath: stats.paths[proxy]!)) ?? ""
            let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> (String, String)? in
                let f = line.split(separator: " ").map(String.init)
                guard f.count > 18 else { return nil }
                // Check health only for the checked slots: a server without check shows
                // 0 in fulcrum and `rise` in haproxy (not the resolver's doing).
                let health = f[3].hasPrefix("web") ? " \(f[12])" : ""
                return (f[3], "\(f[4] == "-" ? "-" : "addr") \(f[5]) \(f[6])\(health) \(f[17]) \(f[18])")
            }
            return rows.filter { $0.0.hasPrefix("web") }.map(\.1).sorted() + rows.filter { !$0.0.hasPrefix("web") }.map { "\($0.0) \($0.1)" }
        }
        func addresses(_ proxy: ProxyUnderTest) -> Set<String> {
            let text = (try? MasterCLI.send("show servers state be", socketPath: stats.paths[proxy]!)) ?? ""
            return Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                let f = line.split(separator: " ").map(String.init)
                return f.count > 18 && f[4] != "-" ? f[4] : nil
            })
        }
        for hosts in [[("127.0.0.61", "web.test")],
                      [("127.0.0.61", "web.test"), ("127.0.0.62", "web.test"), ("127.0.0.63", "web.test")],
                      [("127.0.0.62", "web.test")]] {
            // big.test's 60 records do not fit in 512 bytes: a truncated answer, an error for both.
            try dns.setHosts(hosts + (1...60).map { ("127.0.1.\($0)", "big.test") })
            let want = Set(hosts.map(\.0) + ["127.0.0.1"])
            let same = waitUntil(timeout: 10, interval: 0.05) {
                addresses(.haproxy) == want && addresses(.fulcrum) == want && view(.fulcrum) == view(.haproxy)
            }
            XCTAssertTrue(same, "\(hosts): fulcrum \(view(.fulcrum)) \(addresses(.fulcrum)) haproxy \(view(.haproxy)) \(addresses(.haproxy))")
        }
        // set server fqdn: the same answer, and the server follows its new name in both.
        var answers: [ProxyUnderTest: String] = [:]
        for proxy in ProxyUnderTest.allCases {
            answers[proxy] = try MasterCLI.send("set server be/gone fqdn other.test", socketPath: stats.paths[proxy]!)
        }
        XCTAssertEqual(answers[.fulcrum], answers[.haproxy])
        XCTAssertEqual(answers[.fulcrum], "be/gone changed its FQDN from gone.test to other.test by 'stats socket command'\n\n")
        try dns.setHosts([("127.0.0.62", "web.test"), ("127.0.0.64", "other.test")])
        let followed = waitUntil(timeout: 10, interval: 0.05) {
            addresses(.haproxy).contains("127.0.0.64") && addresses(.fulcrum).contains("127.0.0.64") && view(.fulcrum) == view(.haproxy)
        }
        XCTAssertTrue(followed, "fulcrum \(view(.fulcrum)) haproxy \(view(.haproxy))")
        // The counters' layout, names and sections (the "default" one from resolv.conf too);
        // the counts themselves follow each resolver's own pace.
        func masked(_ command: String, _ proxy: ProxyUnderTest) -> String {
            let text = (try? MasterCLI.send(command, socketPath: stats.paths[proxy]!)) ?? ""
            return String(text.map { $0.isNumber ? "N" : $0 }).replacingOccurrences(of: "NN*", with: "N", options: .regularExpression)
        }
        for command in ["show resolvers", "show resolvers dns", "show resolvers nope", "show stat domain resolvers"] {
            XCTAssertEqual(masked(command, .fulcrum), masked(command, .haproxy), command)
        }
        // The same server events, in haproxy's words, as many times each (which slot
        // and which address each names follows the answers' order).
        func events(_ proxy: ProxyUnderTest) -> [String: Int] {
            var counts: [String: Int] = [:]
            let phrases = ["changed its IP from (none) to", "('web.test') is UP/READY (resolves again).",
                           "administratively READY thanks to valid DNS answer.",
                           "is going DOWN for maintenance (No IP for server ). ", "by dns/local.", "by DNS cache."]
            for line in sbs.processes[proxy]!.stderrText.split(separator: "\n") {
                for p in phrases where line.contains(p) { counts[p, default: 0] += 1 }
            }
            return counts
        }
        XCTAssertEqual(events(.fulcrum), events(.haproxy))
        XCTAssertEqual(events(.fulcrum)["('web.test') is UP/READY (resolves again)."], 4)  // three slots and other
    }

    /// `init-addr` without resolvers, side by side with haproxy 2.6: `none`
    /// starts a name that does not resolve in "MAINT (resolution)" with no
    /// address, an IP stands in for it, and a literal address needs neither.
    func testInitAddrWithoutResolversAsHAProxy() throws {
        let stats = try SideBySideStatsSockets(self)
        let config = """
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server none nowhere.invalid:80 init-addr none
                server chain nowhere.invalid:81 init-addr libc,10.9.8.7
                server literal 127.0.0.1:82 init-addr none
                server local localhost:83 init-addr libc,none

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        var answers: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let text = try MasterCLI.send("show servers state be", socketPath: stats.paths[proxy]!)
            answers[proxy] = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
                // srv_time_since_last_change and the health of servers without checks aside.
                $0.split(separator: " ").enumerated().filter { ![9, 12].contains($0.offset) }.map(\.element).joined(separator: " ")
            }
            let stat = try MasterCLI.send("show stat", socketPath: stats.paths[proxy]!)
            XCTAssertTrue(stat.split(separator: "\n").contains { $0.hasPrefix("be,none,") && $0.contains(",MAINT (resolution),") }, "\(proxy): \(stat)")
        }
        XCTAssertEqual(answers[.fulcrum], answers[.haproxy])
    }

    /// A reload starts where the serving generation's resolver left the
    /// servers: with the name now NXDOMAIN (held by `hold nx`), the new
    /// generation's slots keep their addresses and serve.
    func testReloadKeepsResolvedAddresses() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.81", "rl.test"), ("127.0.0.82", "rl.test")])
        let backendPort = try FreePort.next()
        let banners = try (81...82).map { try AddressedBanner(address: "127.0.0.\($0)", port: backendPort, name: "r\($0)") }
        addTeardownBlock { banners.forEach { $0.stop() } }
        let (p, fe) = try start(dns, body: "    server-template r 3 rl.test:\(backendPort) resolvers dns init-addr none resolve-prefer ipv4",
                                arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilMasterSocketListening()
        waitFor("filled") { Set(self.states().values.map(\.address)) == ["127.0.0.81", "127.0.0.82", "-"] }
        try dns.setHosts([])
        XCTAssertTrue(try p.reloadViaMasterCLI().contains("Success=1"))
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        XCTAssertEqual(Set(states().values.map(\.address)), ["127.0.0.81", "127.0.0.82", "-"])
        for _ in 0..<20 {
            let c = try TCPClient.connect(port: fe)
            let line = try c.readLine()
            c.close()
            XCTAssertTrue(line == "r81" || line == "r82", "\(line ?? "nil")")
        }
    }

    /// A worker that starts after the answers (a respawn) reads the resolved
    /// address from the table: it serves the name's address, not the
    /// configuration's none.
    func testRespawnedWorkerUsesTheResolvedAddress() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.91", "rs.test")])
        let backendPort = try FreePort.next()
        let banner = try AddressedBanner(address: "127.0.0.91", port: backendPort, name: "r91")
        addTeardownBlock { banner.stop() }
        let (p, fe) = try start(dns, body: "    server s rs.test:\(backendPort) resolvers dns init-addr none", workers: 1)
        waitFor("resolved") { self.states()["s"]?.address == "127.0.0.91" }
        let old = try XCTUnwrap(p.childPids(role: "worker").first)
        kill(old, SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 10) { p.childPids(role: "worker").count == 1 && p.childPids(role: "worker").first != old })
        try p.waitUntilListening(port: fe, sockets: 1)
        for _ in 0..<10 {
            let c = try TCPClient.connect(port: fe)
            XCTAssertEqual(try c.readLine(), "r91")
            c.close()
        }
    }

    /// SRV records side by side with haproxy 2.6: the same slots with the
    /// same address, port, weight, target FQDN (HMAINT mark) and srvrecord.
    func testSRVSameStatesAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.41", "a.srv.test"), ("127.0.0.42", "b.srv.test")],
                                       srv: ["_http._tcp.srv.test,a.srv.test,8001,0,100", "_http._tcp.srv.test,b.srv.test,8002,0,5000"])
        let stats = try SideBySideStatsSockets(self)
        let config = """
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                hold valid 200ms
            defaults
                mode tcp
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server-template s 3 _http._tcp.srv.test resolvers dns init-addr none

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        func view(_ proxy: ProxyUnderTest) -> [String] { stats.resolvedServers(proxy) }
        let same = waitUntil(timeout: 10, interval: 0.05) { view(.fulcrum).contains { $0.hasPrefix("127.0.0.42 ") } && view(.fulcrum) == view(.haproxy) }
        XCTAssertTrue(same, "fulcrum \(view(.fulcrum)) haproxy \(view(.haproxy))")
        XCTAssertTrue(view(.fulcrum).contains("127.0.0.42 2 64 20 b.srv.test 8002 _http._tcp.srv.test"), "\(view(.fulcrum))")
    }

    /// `-c` on names that do not resolve without `init-addr none`: haproxy
    /// 2.6's alert per server (each template slot) and its summary.
    func testUnresolvedNamesFailTheCheckAsHAProxy() throws {
        let haproxy = try requireTool("haproxy")
        let dir = try TemporaryDirectory(prefix: "rsc")
        addTeardownBlock { dir.remove() }
        let path = try dir.write("t.cfg", """
            defaults
                mode tcp
                timeout connect 1s
                timeout client 1s
                timeout server 1s
            listen a
                bind 127.0.0.1:9
                server-template web 2 nowhere.invalid:80
                server s nowhere.invalid:81 init-addr libc
                server ok nowhere.invalid:82 init-addr libc,none

            """)
        func alerts(_ output: String) -> [String] {
            // "Fatal errors found in configuration." closes fulcrum's every failed check; haproxy's only some.
            output.split(separator: "\n").filter { $0.contains("ALERT") && !$0.contains("Fatal errors found") }.map { line in
                // "... [t.cfg:8] : 'server a/web1' : ..." and "... t.cfg:8:5: 'server a/web1' : ...": the message.
                let text = String(line)
                if let r = text.range(of: "'server ") { return String(text[r.lowerBound...]) }
                return (text.components(separatedBy: " : ").last ?? text).replacingOccurrences(of: "[ALERT] ", with: "")
            }
        }
        let theirs = try CommandRunner.run(haproxy, ["-c", "-f", path])
        let ours = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", path])
        XCTAssertNotEqual(theirs.status, 0)
        XCTAssertNotEqual(ours.status, 0)
        XCTAssertEqual(alerts(ours.stderr + ours.stdout), alerts(theirs.stderr + theirs.stdout))
        XCTAssertEqual(alerts(ours.stderr + ours.stdout).count, 4, ours.stderr)
    }
}
