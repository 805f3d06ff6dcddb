import Glibc
import XCTest

/// Resolvers side by side with haproxy 2.6 on the same configuration and the
/// same dnsmasq: `show resolvers` counts the same queries and answers the
/// same way (valid, update, empty answers, NXDOMAIN, timeouts), and SRV
/// targets the answer gives no address for are looked up on their own.
final class SideBySideResolversTests: XCTestCase {
    private let defaults = """
        defaults
            mode tcp
            timeout connect 2s
            timeout client 5s
            timeout server 5s

        """

    /// Each resolution runs once (hold valid and timeout resolve of an hour):
    /// an A answer shared by two servers, a name with only an AAAA record
    /// (an empty answer, then the other family), a CNAME to an address, a
    /// CNAME to a name without addresses (answers of the CNAME only), a NXDOMAIN in both
    /// families, and a name server that never answers (retries, then the
    /// timeout), in two sections. The counters of each section, once both
    /// have been still for a second, are haproxy's, in `show resolvers` and
    /// in `show stat domain resolvers`.
    func testShowResolversCountsAsHAProxy() throws {
        // bare.test is a CNAME to a name with only a TXT record: answers holding nothing but the CNAME.
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.51", "ok.test"), ("::1", "six.test"), ("127.0.0.52", "target.test")],
                                       extra: ["cname=alias.test,target.test", "txt-record=empty.test,\"x\"", "cname=bare.test,empty.test"])
        let silent = try SilentUDPPort()
        addTeardownBlock { silent.close() }
        let stats = try SideBySideStatsSockets(self)
        let config = """
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                timeout resolve 1h
                timeout retry 200ms
                hold valid 1h
                hold nx 1h
                hold other 1h
            resolvers quiet
                nameserver hole 127.0.0.1:\(silent.port)
                resolve_retries 2
                timeout resolve 1h
                timeout retry 100ms
                hold valid 1h
                hold timeout 1h
            \(defaults)
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server ok ok.test:80 resolvers dns init-addr none resolve-prefer ipv4
                server ok2 ok.test:81 resolvers dns init-addr none resolve-prefer ipv4
                server six six.test:80 resolvers dns init-addr none resolve-prefer ipv4
                server gone gone.test:80 resolvers dns init-addr none
                server alias alias.test:80 resolvers dns init-addr none resolve-prefer ipv4
                server bare bare.test:80 resolvers dns init-addr none resolve-prefer ipv4
                server slow slow.test:80 resolvers quiet init-addr none resolve-prefer ipv4

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        let final = settledCounters(stats, sections: ["dns", "quiet"]) { $0.contains("timeout:") }
        // Not all zero: the counts say something.
        XCTAssertTrue(final[1].contains("  valid:       3\n"), final[1])
        XCTAssertTrue(final[1].contains("  cname_error: 6\n"), "bare.test's answers (3 tries, 2 families): \(final[1])")
        // The same counters as `show stat domain resolvers` rows.
        let csv = ProxyUnderTest.allCases.map {
            ((try? MasterCLI.send("show stat domain resolvers", socketPath: stats.paths[$0]!)) ?? "")
                .split(separator: "\n").filter { $0.contains(",dns,") || $0.contains(",quiet,") || $0.hasPrefix("#") }
        }
        XCTAssertEqual(csv[0], csv[1])
        XCTAssertEqual(csv[0].count, 3, "\(csv[0])")
    }

    /// Answers that hold a CNAME and no address of the asked family for its
    /// target, as dnsmasq gives them: a target unknown to it, a target with
    /// only an AAAA asked for A (then the AAAA fallback finds it), a target
    /// with only an A asked for AAAA first (then A). None is `valid`: each
    /// is a `cname_error`, and the fallbacks' answers are; the servers end
    /// with the same addresses and states as haproxy's.
    func testCNAMEOnlyAnswersCountAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.61", "real.test")],
                                       extra: ["cname=ghost.test,nowhere.test", "host-record=sixonly.test,::1",
                                               "cname=six.test,sixonly.test", "cname=half.test,real.test"])
        // six and half: a CNAME-only answer, then the other family's; ghost: both families, three tries.
        let stats = try countSideBySide(dnsPort: dns.port, servers: ["ghost ghost.test:80", "six six.test:80", "half half.test:80"],
                                        expecting: ["  valid:       2\n", "  cname_error: 8\n"], preferIPv4: ["ghost", "six"])
        XCTAssertTrue(stats.resolvedServers(.fulcrum).contains { $0.hasPrefix("127.0.0.61 ") }, "\(stats.resolvedServers(.fulcrum))")
    }

    /// Answer shapes no dnsmasq sends, from a scripted name server, judged
    /// as haproxy 2.6 judges them: a CNAME whose target has no address
    /// followed by another name's address (`cname_error`, not `valid`, and
    /// no address taken), a first record about another name (`invalid`), a
    /// truncated answer (`truncated` only), and a plain address (`valid`).
    /// The counters and the servers' states are haproxy's.
    func testScriptedAnswerShapesCountAsHAProxy() throws {
        let stray = ScriptedDNSServer.Record.a("stray.test", [127, 0, 0, 71])
        let dns = try ScriptedDNSServer(answers: [
            "alias.test": .init(records: [.cname("alias.test", "target.test"), stray]),
            "first.test": .init(records: [stray]),
            "cut.test": .init(records: [.a("cut.test", [127, 0, 0, 72])], truncated: true),
            "good.test": .init(records: [.a("good.test", [127, 0, 0, 73])]),
        ])
        addTeardownBlock { dns.stop() }
        // Each bad shape: three tries in two families.
        let servers = ["alias", "first", "cut", "good"]
        let stats = try countSideBySide(dnsPort: dns.port, servers: servers.map { "\($0) \($0).test:80" },
                                        expecting: ["  valid:       1\n", "  cname_error: 6\n", "  invalid:     6\n", "  truncated:   6\n"],
                                        preferIPv4: servers)
        XCTAssertFalse(stats.resolvedServers(.fulcrum).contains { $0.hasPrefix("127.0.0.71 ") }, "\(stats.resolvedServers(.fulcrum))")
    }

    /// Runs `servers` (each resolved once: hold valid and timeout resolve of
    /// an hour) against the name server on `dnsPort` in both proxies, then
    /// checks that `show resolvers` settles to the same counters holding
    /// every `expecting` line, and that the servers end the same.
    private func countSideBySide(dnsPort: UInt16, servers: [String], expecting: [String],
                                 preferIPv4: [String]) throws -> SideBySideStatsSockets {
        let stats = try SideBySideStatsSockets(self)
        let lines = servers.map { line -> String in
            let prefer = preferIPv4.contains(String(line.split(separator: " ")[0])) ? " resolve-prefer ipv4" : ""
            return "    server \(line) resolvers dns init-addr none\(prefer)"
        }
        let config = """
            resolvers dns
                nameserver local 127.0.0.1:\(dnsPort)
                timeout resolve 1h
                timeout retry 200ms
                hold valid 1h
                hold other 1h
            \(defaults)
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be

            """ + lines.joined(separator: "\n") + "\n"
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        let final = settledCounters(stats, sections: ["dns"]) { counters in expecting.allSatisfy { counters.contains($0) } }
        for line in expecting { XCTAssertTrue(final[1].contains(line), "\(line) in\n\(final[1])") }
        XCTAssertEqual(stats.resolvedServers(.fulcrum), stats.resolvedServers(.haproxy))
        return stats
    }

    /// `show resolvers` of `sections` once still for a second (4 looks 250 ms
    /// apart), the same on both and `ready` on haproxy's, within 15 s:
    /// [fulcrum's, haproxy's]; asserts it settled and both are equal.
    private func settledCounters(_ stats: SideBySideStatsSockets, sections: [String],
                                 ready: (String) -> Bool) -> [String] {
        func show(_ proxy: ProxyUnderTest) -> String {
            sections.map { (try? MasterCLI.send("show resolvers \($0)", socketPath: stats.paths[proxy]!)) ?? "" }.joined()
        }
        var history: [[String]] = []
        let settled = waitUntil(timeout: 15, interval: 0.25) {
            history.append([show(.fulcrum), show(.haproxy)])
            guard history.count >= 4 else { return false }
            let last = history.suffix(4)
            return last.allSatisfy { $0 == last.first! } && last.first![0] == last.first![1] && ready(last.first![1])
        }
        let final = history.last ?? ["", ""]
        XCTAssertTrue(settled, "fulcrum:\n\(final[0])\nhaproxy:\n\(final[1])")
        XCTAssertEqual(final[0], final[1])
        return final
    }

    /// An SRV answer whose target has no record in the additional section
    /// (dnsmasq adds none for an `address=` name): the target is resolved on
    /// its own, as haproxy 2.6 does, and its slot takes that address with the
    /// SRV port and weight; a target with an additional record takes that.
    func testSRVTargetsWithoutAdditionalRecordsAreResolvedAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.41", "a.srv.test")],
                                       srv: ["_http._tcp.ext.test,a.srv.test,8001,0,100", "_http._tcp.ext.test,b.other.test,8002,0,5000"],
                                       extra: ["address=/b.other.test/127.0.0.43"])
        let stats = try SideBySideStatsSockets(self)
        let config = """
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                hold valid 200ms
            \(defaults)
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server-template s 3 _http._tcp.ext.test resolvers dns init-addr none

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        func view(_ proxy: ProxyUnderTest) -> [String] { stats.resolvedServers(proxy) }
        let same = waitUntil(timeout: 10, interval: 0.05) {
            view(.haproxy).contains { $0.hasPrefix("127.0.0.43 ") } && view(.fulcrum) == view(.haproxy)
        }
        XCTAssertTrue(same, "fulcrum \(view(.fulcrum)) haproxy \(view(.haproxy))")
        XCTAssertTrue(view(.fulcrum).contains { $0.hasPrefix("127.0.0.43 2 ") && $0.hasSuffix(" b.other.test 8002 _http._tcp.ext.test") },
                      "\(view(.fulcrum))")
        XCTAssertTrue(view(.fulcrum).contains { $0.hasPrefix("127.0.0.41 2 ") && $0.hasSuffix(" a.srv.test 8001 _http._tcp.ext.test") },
                      "\(view(.fulcrum))")
    }

    /// The server options on answers, each in a backend of its own, side by
    /// side: `allow-dup-ip` lets a third slot share one of two addresses,
    /// `prevent-dup-ip` leaves it in maintenance; `resolve-net` takes its
    /// network's address whatever the answer's order; `ignore-weight` keeps
    /// the configured weight over the SRV one; `accepted_payload_size 8192`
    /// takes an answer of 60 records that 512 bytes would truncate.
    func testResolveOptionsAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.81", "two.test"), ("127.0.0.82", "two.test"),
                                                     ("127.0.0.83", "three.test"), ("127.0.0.84", "three.test"),
                                                     ("127.0.0.85", "three.test"), ("127.0.0.86", "t.w.test")]
                                                    + (1...60).map { ("127.0.1.\($0)", "big.test") },
                                       srv: ["_http._tcp.w.test,t.w.test,8001,0,5000"])
        let stats = try SideBySideStatsSockets(self)
        let config = """
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                accepted_payload_size 8192
                hold valid 200ms
            \(defaults)
            frontend fe
                bind 127.0.0.1:{port}
                default_backend dup
            backend dup
                server-template d 3 two.test:80 resolvers dns init-addr none resolve-prefer ipv4 resolve-opts allow-dup-ip
            backend nodup
                server-template n 3 two.test:80 resolvers dns init-addr none resolve-prefer ipv4 resolve-opts prevent-dup-ip
            backend net
                server a three.test:80 resolvers dns init-addr none resolve-prefer ipv4 resolve-net 127.0.0.84/32
            backend w
                server-template w 1 _http._tcp.w.test resolvers dns init-addr none weight 7 resolve-opts ignore-weight
            backend big
                server-template b 2 big.test:80 resolvers dns init-addr none resolve-prefer ipv4

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        /// Per backend, its servers as "address admin uweight port" sorted; an address
        /// chosen by the answer's order (dnsmasq rotates it) is shown as "addr".
        func view(_ proxy: ProxyUnderTest) -> [String] {
            ["dup", "nodup", "net", "w", "big"].flatMap { be -> [String] in
                let text = (try? MasterCLI.send("show servers state \(be)", socketPath: stats.paths[proxy]!)) ?? ""
                return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> String? in
                    let f = line.split(separator: " ").map(String.init)
                    guard f.count > 18 else { return nil }
                    let address = f[4] == "-" || be == "net" || be == "w" ? f[4] : "addr"
                    return "\(be) \(address) \(f[6]) \(f[7]) \(f[18])"
                }.sorted()
            }
        }
        let same = waitUntil(timeout: 10, interval: 0.05) {
            let h = view(.haproxy)
            return h.contains("w 127.0.0.86 64 7 8001") && h.filter { $0.hasPrefix("big addr") }.count == 2
                && h.filter { $0.hasPrefix("nodup addr") }.count == 2 && view(.fulcrum) == h
        }
        XCTAssertTrue(same, "fulcrum \(view(.fulcrum))\nhaproxy \(view(.haproxy))")
        XCTAssertEqual(view(.fulcrum).filter { $0.hasPrefix("dup addr") }.count, 3, "\(view(.fulcrum))")
        XCTAssertTrue(view(.fulcrum).contains("net 127.0.0.84 0 1 80"), "\(view(.fulcrum))")
    }

    /// `init-addr last,none`: a state file saved by haproxy while the name
    /// resolved, then the name gone (NXDOMAIN, held by `hold nx`): both start
    /// the server at the saved address and keep it.
    func testInitAddrLastFromTheStateFileAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.91", "kept.test")])
        let files = try TemporaryDirectory(prefix: "rsvlast")
        addTeardownBlock { files.remove() }
        func config(_ sock: String, port: UInt16) -> String {
            """
            global
                stats socket \(sock) level admin
                server-state-file \(files.file("saved.state"))
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                hold valid 200ms
                hold nx 1h
            \(defaults)
                load-server-state-from-file global
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                server s kept.test:80 resolvers dns init-addr last,none resolve-prefer ipv4

            """
        }
        func state(_ sock: String) -> String? {
            ((try? MasterCLI.send("show servers state be", socketPath: sock)) ?? "").split(separator: "\n")
                .first { !$0.hasPrefix("#") && $0.split(separator: " ").count > 6 }
                .map { $0.split(separator: " ")[4...6].joined(separator: " ") }
        }
        // haproxy saves the state while the name resolves.
        let haproxy = try requireTool("haproxy")
        let saver = files.file("saver.sock"), port = try FreePort.next()
        let first = try startFulcrum(config: config(saver, port: port), arguments: ["-db", "-f", FulcrumProcess.configPlaceholder], executable: haproxy)
        try first.waitUntilListening(port: port)
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { state(saver) == "127.0.0.91 2 0" }, state(saver) ?? "-")
        _ = try files.write("saved.state", try MasterCLI.send("show servers state", socketPath: saver))
        _ = first.stop()
        try dns.setHosts([])
        var seen: [String] = []
        for executable in [try FulcrumBinary.path(), haproxy] {
            let sock = files.file("\(seen.count).sock"), port = try FreePort.next()
            let arguments = executable == haproxy ? ["-db", "-f", FulcrumProcess.configPlaceholder] : FulcrumProcess.defaultArguments
            let p = try startFulcrum(config: config(sock, port: port), arguments: arguments, executable: executable)
            try p.waitUntilListening(port: port)
            // Once the name has been answered NXDOMAIN.
            let answered = waitUntil(timeout: 10, interval: 0.05) {
                let text = (try? MasterCLI.send("show resolvers dns", socketPath: sock)) ?? ""
                return text.contains("  nx:") && !text.contains("  nx:          0\n")
            }
            XCTAssertTrue(answered, executable)
            seen.append(state(sock) ?? "-")
            _ = p.stop()
        }
        XCTAssertEqual(seen[0], seen[1], "fulcrum, haproxy")
        XCTAssertEqual(seen[0], "127.0.0.91 2 0")
    }

    /// `hold obsolete`: a record gone from the answers keeps its slot while
    /// it was seen less than that long ago, then the slot empties; and
    /// `timeout resolve` paces the queries. Both at the same points as haproxy.
    func testHoldObsoleteAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.95", "pair.test"), ("127.0.0.96", "pair.test")])
        let stats = try SideBySideStatsSockets(self)
        let config = """
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                timeout resolve 300ms
                hold valid 100ms
                hold obsolete 3s
            \(defaults)
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server-template p 2 pair.test:80 resolvers dns init-addr none resolve-prefer ipv4

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        func addresses(_ proxy: ProxyUnderTest) -> [String] {
            let text = (try? MasterCLI.send("show servers state be", socketPath: stats.paths[proxy]!)) ?? ""
            return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> String? in
                let f = line.split(separator: " ").map(String.init)
                return f.count > 6 ? "\(f[4]) \(f[6])" : nil
            }.sorted()
        }
        func sent(_ proxy: ProxyUnderTest) -> Int {
            let text = (try? MasterCLI.send("show resolvers dns", socketPath: stats.paths[proxy]!)) ?? ""
            return text.split(separator: "\n").first { $0.contains("sent:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
        }
        let both = ["127.0.0.95 0", "127.0.0.96 0"]
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { addresses(.fulcrum) == both && addresses(.haproxy) == both },
                      "fulcrum \(addresses(.fulcrum)) haproxy \(addresses(.haproxy))")
        try dns.setHosts([("127.0.0.95", "pair.test")])
        let changed = Date()
        // Two more answers each (without .96): the slot keeps it, within hold obsolete.
        let before = ProxyUnderTest.allCases.map(sent)
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.05) { zip(ProxyUnderTest.allCases.map(sent), before).allSatisfy { $0 >= $1 + 2 } })
        if Date().timeIntervalSince(changed) < 2.5 {
            XCTAssertEqual(addresses(.fulcrum), both, "kept while obsolete")
            XCTAssertEqual(addresses(.haproxy), both, "kept while obsolete")
        }
        let emptied = ["- 32", "127.0.0.95 0"]
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { addresses(.fulcrum) == emptied && addresses(.haproxy) == emptied },
                      "fulcrum \(addresses(.fulcrum)) haproxy \(addresses(.haproxy))")
        XCTAssertGreaterThan(Date().timeIntervalSince(changed), 2.5, "not before hold obsolete")
    }

    /// `parse-resolv-conf` beside a `nameserver` line: the section lists the
    /// same name servers as haproxy's (resolv.conf's named by address), and
    /// `show resolvers` and its CSV are the same, sections included.
    func testParseResolvConfAsHAProxy() throws {
        let silent = try SilentUDPPort()
        addTeardownBlock { silent.close() }
        let stats = try SideBySideStatsSockets(self)
        let config = """
            resolvers rc
                nameserver mine 127.0.0.1:\(silent.port)
                parse-resolv-conf
            \(defaults)
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s 127.0.0.1:80

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        for command in ["show resolvers", "show resolvers rc", "show stat domain resolvers"] {
            let answers = ProxyUnderTest.allCases.map { (try? MasterCLI.send(command, socketPath: stats.paths[$0]!)) ?? "" }
            XCTAssertEqual(answers[0], answers[1], command)
            XCTAssertTrue(answers[0].contains("mine"), "\(command): \(answers[0])")
        }
    }

    /// `hold refused`: a name dnsmasq stops answering for (outside its local
    /// domain, with no upstream: REFUSED) keeps its address while the hold
    /// lasts, then the server goes to maintenance for "DNS refused status",
    /// on both, with haproxy's log line.
    func testHoldRefusedAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.97", "kept.example")])
        try assertHeldThenMaintenance(dns, name: "kept.example", address: "127.0.0.97", hold: "refused", counter: "refused",
                                      reason: "DNS refused status")
    }

    /// `hold other`: the name becomes a CNAME to a name without addresses
    /// (dnsmasq answers the CNAME only, in both families: neither valid nor
    /// NXDOMAIN, REFUSED or a timeout); the server keeps its address for
    /// `hold other`, then goes to maintenance with haproxy's line, on both,
    /// and both count the answers as CNAME errors.
    func testHoldOtherAsHAProxy() throws {
        let dns = try PrivateDNSServer(self, hosts: [("127.0.0.98", "target.test")],
                                       extra: ["txt-record=target.test,\"x\"", "cname=moving.test,target.test"])
        try assertHeldThenMaintenance(dns, name: "moving.test", address: "127.0.0.98", hold: "other", counter: "cname_error",
                                      reason: "unspecified DNS error")
    }

    /// One server on `name`, which resolves to `address` until its records
    /// are removed from `dns`; then both proxies count `counter` in `show
    /// resolvers`, keep the address for `hold HOLD 2s`, and put the server
    /// in maintenance for `reason` with haproxy's line.
    private func assertHeldThenMaintenance(_ dns: PrivateDNSServer, name: String, address: String, hold: String, counter: String,
                                           reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let stats = try SideBySideStatsSockets(self)
        let config = """
            resolvers dns
                nameserver local 127.0.0.1:\(dns.port)
                timeout resolve 100ms
                timeout retry 100ms
                hold valid 100ms
                hold \(hold) 2s
            \(defaults)
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s \(name):80 resolvers dns init-addr none resolve-prefer ipv4

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: stats.substitutions)
        func state(_ proxy: ProxyUnderTest) -> String {
            let text = (try? MasterCLI.send("show servers state be", socketPath: stats.paths[proxy]!)) ?? ""
            return text.split(separator: "\n").first { !$0.hasPrefix("#") && $0.split(separator: " ").count > 6 }
                .map { $0.split(separator: " ")[4...6].joined(separator: " ") } ?? "?"
        }
        func count(_ proxy: ProxyUnderTest, _ counter: String) -> Int {
            let text = (try? MasterCLI.send("show resolvers dns", socketPath: stats.paths[proxy]!)) ?? ""
            let found = text.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(counter + ":") }
            return found.flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? 0
        }
        let resolved = "\(address) 2 0"
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { state(.fulcrum) == resolved && state(.haproxy) == resolved },
                      "fulcrum \(state(.fulcrum)) haproxy \(state(.haproxy))", file: file, line: line)
        try dns.setHosts([])
        let changed = Date()
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.05) { count(.fulcrum, counter) > 0 && count(.haproxy, counter) > 0 },
                      "\(counter) counted: fulcrum \(count(.fulcrum, counter)) haproxy \(count(.haproxy, counter))", file: file, line: line)
        if Date().timeIntervalSince(changed) < 1.5 {
            XCTAssertEqual(state(.fulcrum), resolved, "held", file: file, line: line)
            XCTAssertEqual(state(.haproxy), resolved, "held", file: file, line: line)
        }
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { state(.fulcrum) == "- 0 32" && state(.haproxy) == "- 0 32" },
                      "fulcrum \(state(.fulcrum)) haproxy \(state(.haproxy))", file: file, line: line)
        XCTAssertGreaterThan(Date().timeIntervalSince(changed), 1.5, "not before hold \(hold)", file: file, line: line)
        let message = "Server be/s is going DOWN for maintenance (\(reason))."
        for proxy in ProxyUnderTest.allCases {
            let p = sbs.processes[proxy]!
            XCTAssertTrue(waitUntil(timeout: 5, interval: 0.05) { p.stderrText.contains(message) }, "\(proxy): \(p.stderrTail())",
                          file: file, line: line)
            XCTAssertGreaterThan(count(proxy, "valid"), 0, "\(proxy): valid answers first", file: file, line: line)
        }
    }
}

/// A UDP port on 127.0.0.1 that takes datagrams and never answers: a name
/// server that does not respond.
final class SilentUDPPort {
    let port: UInt16
    private var fd: Int32

    init() throws {
        (fd, port) = try LoopbackUDP.bind()
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}
