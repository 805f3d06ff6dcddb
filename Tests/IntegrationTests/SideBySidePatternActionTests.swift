import XCTest

/// `http-request|http-response set-map / del-map / add-acl / del-acl`
/// side by side with haproxy 2.6 (two workers against two threads): a change
/// one request makes is seen by the requests that follow in every worker
/// (each on a new connection, so spread over the workers), `show map` / `show
/// acl` list the same entries (ids normalised), and an action on a file no
/// ACL or map loads does nothing, in both.
final class SideBySidePatternActionTests: XCTestCase {
    func testMapAndACLActionsChangeThePatternsOfEveryWorkerAsHAProxy() throws {
        let web = try startRecordingBackend("web")
        let sockets = try SideBySideWorkerSockets(self)
        let substitutions = sockets.substitutions
        let files = ["hosts.map": "x.org one\ny.org two\n", "blocked.acl": "eve\n"]
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                acl blocked req.hdr(x-user) -f {files}/blocked.acl
                http-request set-map({files}/hosts.map) %[url_param(k)] %[url_param(v)] if { path /set }
                http-request del-map({files}/hosts.map) %[url_param(k)] if { path /del }
                http-request add-acl({files}/blocked.acl) %[url_param(k)] if { path /block }
                http-request del-acl({files}/blocked.acl) %[url_param(k)] if { path /unblock }
                http-request add-acl({files}/unused.acl) %[url_param(k)] if { path /unused }
                http-request deny if blocked
                http-request return status 200 content-type text/plain lf-string "%[url_param(k),map({files}/hosts.map,none)]" if { path /get }
                http-request return status 200 content-type text/plain lf-string "ok" unless { path /backend }
                http-response set-map({files}/hosts.map) %[res.hdr(x-served-by)].response %[status]
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """, backends: [web], global: SideBySideWorkerSockets.global,
            files: files, substitutions: substitutions)
        let hosts = s.files.file("hosts.map"), blocked = s.files.file("blocked.acl")

        func normalised(_ text: String) -> String {
            var t = text.replacingOccurrences(of: #"0x[0-9a-f]+"#, with: "0xID", options: .regularExpression)
            t = t.replacingOccurrences(of: #"file '[^']*\.cfg' line"#, with: "file 'CFG' line", options: .regularExpression)
            return t.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.contains("file 'httpclient'") }.joined(separator: "\n")
        }
        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = s.ports[proxy]![0], socket = sockets.paths[proxy]!
            /// One request on a new connection: "STATUS BODY".
            func get(_ target: String, user: String? = nil) -> String {
                guard let c = try? TCPClient.connect(port: port) else { return "refused" }
                defer { c.close() }
                try? c.send("GET \(target) HTTP/1.1\r\nHost: h\r\n" + (user.map { "X-User: \($0)\r\n" } ?? "") + "Connection: close\r\n\r\n")
                guard let r = try? c.readHTTPResponse() else { return "no response" }
                return "\(r.status) \(r.bodyText)"
            }
            /// Six requests in a row (so on both workers) answer `wanted`, within 5 s.
            func everywhere(_ target: String, user: String? = nil, _ wanted: String) -> String {
                var last = ""
                let reached = waitUntil(timeout: 5) {
                    for _ in 0..<6 { last = get(target, user: user); if last != wanted { return false } }
                    return true
                }
                return "\(target)\(user.map { " as \($0)" } ?? "") -> " + (reached ? wanted : "not \(wanted) but \(last)")
            }
            var out: [String] = []
            out.append("set a.org -> " + get("/set?k=a.org&v=new"))
            out.append(everywhere("/get?k=a.org", "200 new"))
            out.append("set x.org -> " + get("/set?k=x.org&v=nine"))
            out.append(everywhere("/get?k=x.org", "200 nine"))
            out.append("del y.org -> " + get("/del?k=y.org"))
            out.append(everywhere("/get?k=y.org", "200 none"))
            out.append("block mallory -> " + get("/block?k=mallory"))
            out.append(everywhere("/get", user: "mallory", "403 <html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"))
            out.append("block mallory again -> " + get("/block?k=mallory"))
            out.append("unblock eve -> " + get("/unblock?k=eve"))
            out.append(everywhere("/get?k=x.org", user: "eve", "200 nine"))
            out.append("unused -> " + get("/unused?k=z"))
            out.append("backend -> " + get("/backend").prefix(3))
            out.append(everywhere("/get?k=web.response", "200 200"))
            for command in ["show map \(hosts)", "show acl \(blocked)", "show map", "show acl \(s.files.path)/unused.acl"] {
                out.append(command.replacingOccurrences(of: s.files.path, with: "FILES")
                           + " -> " + normalised(try MasterCLI.send(command, socketPath: socket)).replacingOccurrences(of: s.files.path, with: "FILES"))
            }
            transcripts[proxy] = out
        }
        XCTAssertEqual(transcripts[.fulcrum]!, transcripts[.haproxy]!)
        XCTAssertEqual(transcripts[.fulcrum]?[1], "/get?k=a.org -> 200 new")
        XCTAssertTrue(transcripts[.fulcrum]?.contains("show map FILES/hosts.map -> 0xID x.org nine\n0xID a.org new\n0xID web.response 200\n\n") ?? false,
                      transcripts[.fulcrum]?.joined(separator: "\n") ?? "")
    }
}
