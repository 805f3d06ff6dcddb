import XCTest

/// The map converters' match methods SideBySideMapTests does not cover
/// (`map_dom`, `map_dir`, `map_end`, `map_sub`, and `map_beg` / `map_reg`
/// with integer output and defaults), and the same methods on ACL files
/// (`-m dom|dir|end|sub -f`), under fulcrum and haproxy 2.6 with the same
/// files: every request gets the same headers, and a runtime `add map`
/// and `prepare` / `add @1` / `commit acl` change both the same way.
final class SideBySideMapMatchTests: XCTestCase {
    func testMatchMethodsAsHAProxy() throws {
        let web = try startRecordingBackend("web")
        let sockets = try SideBySideStatsSockets(self)
        let files = [
            "domains.map": "example.com site\nsub.example.com deeper\ntest tld\n",
            "dirs.map": "/api api\n/api/v2 v2\nstatic files\n",
            "ends.map": ".jpg image\n.tar.gz archive\ngz compressed\n",
            "subs.map": "admin admin-area\nlogin auth\n",
            "prefix.map": "/a 1\n/ab 2\n/abc 3\n",
            "regs.map": "^/user/[0-9]+ 42\n^/item/ 7\n",
            "domains.acl": "example.org\n",
            "dirs.acl": "secret\n",
        ]
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request set-header X-Dom %[req.hdr(host),lower,map_dom({files}/domains.map,none)]
                http-request set-header X-Dir %[path,map_dir({files}/dirs.map,none)]
                http-request set-header X-End %[path,map_end({files}/ends.map,none)]
                http-request set-header X-Sub %[path,map_sub({files}/subs.map,none)]
                http-request set-header X-Beg %[path,map_beg_int({files}/prefix.map,-1)]
                http-request set-header X-Reg %[path,map_reg_int({files}/regs.map,0)]
                http-request set-header X-Dom-ACL yes if { req.hdr(host) -m dom -i -f {files}/domains.acl }
                http-request set-header X-Dir-ACL yes if { path -m dir -f {files}/dirs.acl }
                http-request set-header X-End-ACL yes if { path -m end .php .cgi }
                http-request set-header X-Sub-ACL yes if { path -m sub -i LOGIN }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web], global: SideBySideStatsSockets.global,
                                 files: files, substitutions: sockets.substitutions)
        let aspects = SideBySideAspects(requestHeaders: ["X-Dom", "X-Dir", "X-End", "X-Sub", "X-Beg", "X-Reg",
                                                         "X-Dom-ACL", "X-Dir-ACL", "X-End-ACL", "X-Sub-ACL"])
        let cases: [(host: String, path: String)] = [
            ("example.com", "/"), ("www.example.com", "/api"), ("a.sub.example.com", "/api/v2/users"),
            ("notexample.com", "/apis"), ("x.test", "/static/img.jpg"), ("test", "/x/static"),
            ("www.Example.ORG", "/secret/file.php"), ("example.org.evil", "/a/secret"), ("h", "/backup.tar.gz"),
            ("h", "/a.gz"), ("h", "/adminlogin"), ("h", "/abcd"), ("h", "/ab"), ("h", "/b"), ("h", "/user/12/x"),
            ("h", "/item/3"), ("h", "/Login.cgi"), ("h", "/api/"), ("h", "//api"),
        ]
        var seen: [String] = []
        for c in cases {
            let got = try sbs.assertSame(httpGet(c.path, host: c.host), aspects)
            let headers = got[.fulcrum]?.forwarded.first?.headers ?? []
            seen.append(aspects.requestHeaders.map { name in headers.first { $0.name.lowercased() == name.lowercased() }?.value ?? "-" }
                .joined(separator: " "))
        }
        // Spot checks that the comparison saw matches, not only defaults.
        XCTAssertEqual(seen[2], "site api none none 1 0 - - - -", "the first pattern of the file that matches: \(seen)")
        XCTAssertEqual(seen[6], "none none none none -1 0 yes yes yes -", "\(seen)")
        XCTAssertEqual(seen[14], "none none none none -1 42 - - - -", "\(seen)")
        // A runtime change of a map_dom file applies the same way on both.
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(try MasterCLI.send("add map \(sbs.files.file("domains.map")) other.net elsewhere",
                                              socketPath: sockets.paths[proxy]!), "\n")
        }
        let after = try sbs.assertSame(httpGet("/", host: "deep.other.net"), aspects)
        let dom = after[.fulcrum]?.forwarded.first?.headers.first { $0.name.lowercased() == "x-dom" }?.value
        XCTAssertEqual(dom, "elsewhere")
        // prepare / add @version / commit on an ACL file: the same answers, then
        // the committed version alone decides, on both.
        let acl = sbs.files.file("domains.acl")
        for command in ["prepare acl \(acl)", "add acl @1 \(acl) example.net", "show acl @1 \(acl)", "commit acl @1 \(acl)"] {
            let answers = try ProxyUnderTest.allCases.map {
                try MasterCLI.send(command, socketPath: sockets.paths[$0]!)
                    .replacingOccurrences(of: #"0x[0-9a-f]+"#, with: "0xID", options: .regularExpression)
            }
            XCTAssertEqual(answers[0], answers[1], command)
        }
        for host in ["a.example.net", "www.example.org"] {
            let got = try sbs.assertSame(httpGet("/", host: host), aspects)
            let mark = got[.fulcrum]?.forwarded.first?.headers.first { $0.name.lowercased() == "x-dom-acl" }?.value
            XCTAssertEqual(mark, host == "a.example.net" ? "yes" : nil, host)
        }
    }
}
