import XCTest

/// Map and ACL files under fulcrum and haproxy 2.6 with one configuration
/// and the same files: requests with various Host headers, paths and
/// client addresses go to the same backends with the same headers added,
/// the runtime API answers the same command sequence with the same text
/// (entry ids, which are pointers in haproxy, and the configuration's path
/// normalised; haproxy's drifting entry_cnt included), and its changes move
/// requests the same way on both.
final class SideBySideMapTests: XCTestCase {
    private func start() throws -> (SideBySide, SideBySideStatsSockets, [String: String]) {
        let api = try startRecordingBackend("api")
        let stat = try startRecordingBackend("static")
        let web = try startRecordingBackend("web")
        let sockets = try SideBySideStatsSockets(self)
        let files = [
            "hosts.map": "# Host header -> backend\nexample.com be_api\n  www.example.com   be_static  \n\n#x be_api\nfoo.org be_web extra words\n",
            "paths.map": "/api/ api\n/static/ static\n/api/v2/ v2\n",
            "nets.acl": "10.0.0.0/8\n  127.0.0.0/8\n#127.0.0.1\n",
            "clients.map": "127.0.0.0/8 loopback\n127.0.0.1 localhost\n",
            "blocked.acl": "bad.example\n",
            "ports.map": "1:1023 low\n1024:65535 high\n",
            "weights.map": "example.com 10\nwww.example.com -3\n",
            "addresses.map": "example.com 192.0.2.1\nfoo.org 2001:db8::1\n",
            "rewrite.map": "^/user/([0-9]+)/(.*)$ /u/\\2?id=\\1&\\\\\n^/static/ kept\n",
        ]
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                acl local src -f {files}/nets.acl
                acl blocked hdr(host) -i -f {files}/blocked.acl evil.example
                acl mapped req.hdr(host),lower,map_str({files}/hosts.map) -m found
                acl known req.hdr(host),lower -M -f {files}/hosts.map
                http-request deny if blocked
                http-request set-header X-Client %[src,map_ip({files}/clients.map,far)]
                http-request set-header X-Prefix %[path,map_beg({files}/paths.map,none)]
                http-request set-header X-Port %[dst_port,map_int({files}/ports.map)]
                http-request set-header X-Weight %[req.hdr(host),lower,map_str_int({files}/weights.map,0)]
                http-request set-header X-Address %[req.hdr(host),lower,map_str_ip({files}/addresses.map,127.0.0.1)]
                http-request set-header X-Rewrite %[path,map_regm({files}/rewrite.map,none)]
                http-request set-header X-Local yes if local
                http-request set-header X-Mapped yes if mapped
                http-request set-header X-Known yes if known
                acl late hdr(host) -f {files}/blocked.acl -i
                http-request set-header X-Late yes if late
                use_backend %[req.hdr(host),lower,map({files}/hosts.map,be_web)]
            backend be_api
                server api 127.0.0.1:\(api.port)
            backend be_static
                server static 127.0.0.1:\(stat.port)
            backend be_web
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [api, stat, web], global: SideBySideStatsSockets.global,
                                 files: files, substitutions: sockets.substitutions)
        var paths: [String: String] = [:]
        for name in files.keys { paths[name] = sbs.files.file(name) }
        return (sbs, sockets, paths)
    }

    private let aspects = SideBySideAspects(responseHeaders: ["X-Served-By"],
                                            requestHeaders: ["Host", "X-Client", "X-Prefix", "X-Port", "X-Weight", "X-Address", "X-Rewrite",
                                                                             "X-Local", "X-Mapped", "X-Known", "X-Late"])

    /// Sends `host`/`path` to both and returns the backend fulcrum chose (both must agree).
    @discardableResult
    private func route(_ sbs: SideBySide, _ host: String, _ path: String = "/", file: StaticString = #filePath, line: UInt = #line) throws -> String? {
        let seen = try sbs.assertSame(httpGet(path, host: host), aspects, file: file, line: line)
        return seen[.fulcrum]?.forwarded.first?.backend
    }

    func testRoutingOnMapsAndACLFilesAsHAProxy() throws {
        let (sbs, _, _) = try start()
        XCTAssertEqual(try route(sbs, "example.com"), "api")
        let seen = try sbs.assertSame(httpGet("/user/42/profile", host: "example.com"), aspects)
        let headers = seen[.fulcrum]?.forwarded.first?.headers ?? []
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name }?.value }
        XCTAssertEqual(header("x-rewrite"), "/u/profile?id=42&\\", "map_regm: the groups and an escaped backslash")
        XCTAssertEqual(header("x-weight"), "10")
        XCTAssertEqual(header("x-address"), "192.0.2.1")
        XCTAssertEqual(header("x-client"), "localhost", "the longest network")
        XCTAssertEqual(header("x-mapped"), "yes")
        XCTAssertEqual(header("x-known"), "yes", "-M: an ACL reading a map file's keys")
        XCTAssertEqual(try route(sbs, "WWW.Example.COM", "/api/v2/users"), "static")
        XCTAssertNil(try route(sbs, "foo.org"), "a value naming no backend, and no default_backend: 503")
        XCTAssertEqual(try route(sbs, "other.org", "/static/x"), "web")
        XCTAssertEqual(try route(sbs, "www.example.com.evil", "/api"), "web")
        XCTAssertNil(try route(sbs, "bad.example"), "denied by the ACL file")
        XCTAssertNil(try route(sbs, "EVIL.example"), "denied by the inline pattern")
    }

    func testRuntimeCommandsAnswerAndRouteAsHAProxy() throws {
        let (sbs, sockets, f) = try start()
        let hosts = f["hosts.map"]!, nets = f["nets.acl"]!, paths = f["paths.map"]!, blocked = f["blocked.acl"]!
        func normalised(_ text: String) -> String {
            var t = text.replacingOccurrences(of: #"0x[0-9a-f]+"#, with: "0xID", options: .regularExpression)
            t = t.replacingOccurrences(of: #"at file '[^']*' line"#, with: "at file 'CFG' line", options: .regularExpression)
            t = t.replacingOccurrences(of: #"file '[^']*\.cfg' line"#, with: "file 'CFG' line", options: .regularExpression)
            // haproxy's own HTTP client has ACLs of its own.
            return t.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("file 'httpclient'") }.joined(separator: "\n")
        }
        func same(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws {
            var answers: [ProxyUnderTest: String] = [:]
            for proxy in ProxyUnderTest.allCases {
                answers[proxy] = normalised(try MasterCLI.send(command, socketPath: sockets.paths[proxy]!))
            }
            XCTAssertEqual(answers[.fulcrum], answers[.haproxy], command, file: file, line: line)
        }
        for c in ["show map", "show acl", "show map \(hosts)", "show acl \(nets)", "show map #8", "show acl #1", "show map #99",
                  "show map \(nets)", "show acl \(hosts)", "show map /nope",
                  "get map \(hosts) example.com", "get map \(hosts) nope", "get map \(paths) /api/v2/x", "get map \(paths) /x",
                  "get map \(f["weights.map"]!) www.example.com", "get map \(f["addresses.map"]!) foo.org",
                  "get map \(f["addresses.map"]!) example.com", "get map \(f["rewrite.map"]!) /user/7/x",
                  "get map \(f["rewrite.map"]!) /other", "add map \(f["weights.map"]!) x.org heavy",
                  "add map \(f["addresses.map"]!) x.org nowhere", "get acl \(nets) 10.1.2.3", "get acl \(nets) 192.168.0.1", "get acl \(blocked) BAD.example",
                  "get acl \(blocked) bad.example", "get map",
                  "get acl \(nets)", "add map \(hosts) other.org", "add acl \(nets)", "add acl \(hosts) x", "add map /nope a b",
                  "add acl \(nets) notanaddress", "set map \(hosts)", "set map \(hosts) zzz be_api", "set map \(hosts) #zz be_api",
                  "del map \(hosts)", "del acl \(nets) 9.9.9.9", "del map \(hosts) nope", "clear map", "clear acl /nope",
                  "prepare acl", "commit map", "commit map @1 \(hosts)"] {
            try same(c)
        }
        // Changes, then the same requests on both.
        try same("add map \(hosts) other.org be_static")
        XCTAssertEqual(try route(sbs, "other.org"), "static")
        try same("set map \(hosts) example.com be_static")
        XCTAssertEqual(try route(sbs, "example.com"), "static")
        try same("del map \(hosts) www.example.com")
        XCTAssertEqual(try route(sbs, "www.example.com"), "web")
        try same("add acl \(blocked) other.org")
        XCTAssertNil(try route(sbs, "other.org"))
        try same("del acl \(blocked) other.org")
        try same("add acl #3 spare.example")
        XCTAssertNil(try route(sbs, "spare.example"), "an ACL's inline patterns are a reference too")
        try same("show acl #3")
        try same("add map \(hosts) <<\nnew1.org be_api\nnew2.org   be_static  \n\n")
        XCTAssertNil(try route(sbs, "new2.org"), "the value keeps its trailing blanks: no such backend")
        XCTAssertEqual(try route(sbs, "new1.org"), "api")
        try same("show map \(hosts)")
        // A prepared version takes over at its commit.
        try same("prepare map \(hosts)")
        try same("add map @1 \(hosts) example.com be_web")
        try same("add map @1 \(hosts) prepared.org be_api")
        try same("add map @2 \(hosts) x y")
        try same("show map @1 \(hosts)")
        XCTAssertEqual(try route(sbs, "prepared.org"), "web")
        try same("commit map @1 \(hosts)")
        try same("show map")
        try same("show map \(hosts)")
        XCTAssertEqual(try route(sbs, "prepared.org"), "api")
        XCTAssertEqual(try route(sbs, "example.com"), "web")
        XCTAssertEqual(try route(sbs, "other.org"), "web", "the older version is gone")
        try same("clear map \(hosts)")
        try same("show map \(hosts)")
        // HAProxy's entry_cnt drifts (and wraps) after refused adds and deletions: so does Fulcrum's.
        for c in ["add acl \(nets) 192.0.2.1", "add acl \(nets) nope", "add acl \(nets) 192.0.2.1 extra",
                  "del acl \(nets) 192.0.2.1", "clear acl \(nets)", "show acl", "show acl \(nets)"] {
            try same(c)
        }
        XCTAssertEqual(try route(sbs, "prepared.org"), "web")
    }

    /// `haproxy -c` and `fulcrum -c` on files that do not load: a missing
    /// ACL or map file, a line an ACL's method cannot read (an indented '#'
    /// is a pattern, not a comment), a map key `map_int` cannot read. Both
    /// refuse; fulcrum's alert names the configuration line and says what
    /// haproxy says about the file.
    func testFilesThatDoNotLoadAreRefusedAsHAProxyRefusesThem() throws {
        let haproxy = try requireTool("haproxy")
        let dir = try TemporaryDirectory(prefix: "mapchk")
        addTeardownBlock { dir.remove() }
        let bad = try dir.write("bad.acl", "# comment\n10.0.0.0/8\n\n  #indented\n")
        let good = try dir.write("good.acl", "# comment\n10.0.0.0/8\n\n  192.168.0.1\n")
        let hosts = try dir.write("hosts.map", "example.com 1\n")
        func check(_ line: String) throws -> (haproxy: String, fulcrum: String) {
            let config = SideBySide.httpDefaults + """
                frontend fe
                    bind 127.0.0.1:\(try FreePort.next())
                \(line)
                    default_backend be
                backend be
                    server s 127.0.0.1:1

                """
            let h = try FulcrumProcess.checkConfig(config, executable: haproxy)
            let f = try FulcrumProcess.checkConfig(config)
            XCTAssertEqual(h.status, f.status, line)
            // haproxy: "[ALERT] ... : parsing [FILE:LINE] : MESSAGE"; fulcrum: "[ALERT] FILE:LINE:COL: MESSAGE".
            let hLine = (h.stdout + h.stderr).split(separator: "\n").first { $0.contains("parsing [") }
            let fLine = (f.stdout + f.stderr).split(separator: "\n").first { $0.contains("[ALERT]") }
            let hAt = hLine.flatMap { try? #/\.cfg:([0-9]+)\]/#.firstMatch(in: String($0)) }.map { String($0.output.1) }
            let fAt = fLine.flatMap { try? #/\.cfg:([0-9]+):/#.firstMatch(in: String($0)) }.map { String($0.output.1) }
            XCTAssertEqual(hAt, fAt, "the line: \(line)")
            return (hLine.map(String.init) ?? "", fLine.map(String.init) ?? "")
        }
        let ok = try check("    acl a src -f \(good)")
        XCTAssertEqual(ok.fulcrum, "", "a file with comments, blank lines and indented patterns loads")
        var r = try check("    acl a src -f \(dir.file("missing.acl"))")
        XCTAssertTrue(r.haproxy.hasSuffix(": error detected while parsing ACL 'a' : failed to open pattern file <\(dir.file("missing.acl"))>."), r.haproxy)
        XCTAssertTrue(r.fulcrum.hasSuffix(": error detected while parsing ACL 'a' : failed to open pattern file <\(dir.file("missing.acl"))>."), r.fulcrum)
        r = try check("    acl b src -f \(good) -f \(bad)")
        let message = "error detected while parsing ACL 'b' : '#indented' is not a valid IPv4 or IPv6 address at line 4 of file '\(bad)'."
        XCTAssertTrue(r.haproxy.hasSuffix(message), r.haproxy)
        XCTAssertTrue(r.fulcrum.hasSuffix(message), r.fulcrum)
        r = try check("    http-request set-header X %[req.hdr(host),map_int(\(hosts))]")
        let tail = "invalid args in converter 'map_int' : 'example.com' is not a number at line 1 of file '\(hosts)'."
        XCTAssertTrue(r.haproxy.hasSuffix(tail), r.haproxy)
        XCTAssertTrue(r.fulcrum.hasSuffix(tail), r.fulcrum)
        r = try check("    acl a hdr(host) -f \(hosts)\n    http-request set-header X %[src,map_ip(\(hosts))]")
        XCTAssertTrue(r.haproxy.contains("is already used as one column file and cannot be used by as two column file."), r.haproxy)
        XCTAssertTrue(r.fulcrum.contains("is already used as one column file and cannot be used by as two column file."), r.fulcrum)
    }
}
