import XCTest
@testable import FulcrumConfig

/// ACL `-f` files and map converters in the configuration: the flags as
/// HAProxy reads them, and the pattern references numbered and described
/// as haproxy 2.6's `show map` / `show acl` show them.
final class PatternReferenceTests: XCTestCase {
    func testACLFilesFlagsAndInlinePatterns() {
        let r = parseFrontend("""
                acl a src -f /etc/a.acl -f /etc/b.acl 10.0.0.1
                acl h hdr(host) -i -m beg -f /etc/h.acl
                acl m req.hdr(host),lower,map_str(/etc/h.map) -m found
                acl t req.hdr(host),map_str_int(/etc/h.map)
                http-request set-header X %[src,map_ip(/etc/ip.map,none)]
                use_backend %[req.hdr(host),lower,map(/etc/h.map,app)]
            """)
        XCTAssertEqual(r.diagnostics.filter { $0.severity == .alert }, [])
        let acls = r.frontend?.http.acls ?? []
        XCTAssertEqual(acls.map(\.files), [["/etc/a.acl", "/etc/b.acl"], ["/etc/h.acl"], [], []])
        XCTAssertEqual(acls[0].patterns, ["10.0.0.1"])
        XCTAssertEqual(acls[1].method, .beg)
        XCTAssertTrue(acls[1].ignoreCase)
        XCTAssertEqual(acls.map(\.filesIgnoringCase), [[false, false], [true], [], []])
        let late = parseFrontend("    acl a hdr(host) -f /etc/a.acl -i -f /etc/b.acl x").frontend?.http.acls.first
        XCTAssertEqual(late?.filesIgnoringCase, [false, true], "-i applies to the files after it")
        XCTAssertEqual(late?.ignoreCase, true, "and to the inline patterns")
        XCTAssertEqual(acls[2].fetch.converters, [.lower, .map(MapConverter(name: "map_str", method: .str, output: .str, file: "/etc/h.map", defaultValue: nil))])
        XCTAssertEqual(acls[2].method, .found)
        XCTAssertEqual(acls[3].method, .int, "a converted sample is matched by its type")
        let refs = r.configuration.patternReferences
        XCTAssertEqual(refs.map(\.id), [0, 1, 2, 3, 4, 5, 6, 7, 8])
        XCTAssertEqual(refs.map(\.file), ["/etc/a.acl", "/etc/b.acl", nil, "/etc/h.acl", nil, "/etc/h.map", nil, nil, "/etc/ip.map"])
        XCTAssertEqual(refs[2].display, "acl 'src' file 't.cfg' line 9")
        XCTAssertEqual(refs[2].patterns, ["10.0.0.1"])
        XCTAssertEqual(refs[5].display, "pattern loaded from file '/etc/h.map' used by map at file 't.cfg' line 11, by map at file 't.cfg' line 12, by map at file 't.cfg' line 14")
        XCTAssertEqual(refs[8].display, "pattern loaded from file '/etc/ip.map' used by map at file 't.cfg' line 13")
        XCTAssertEqual(acls.map(\.inlineReference), [2, 4, 6, 7])
    }

    func testUseBackendMapsAreNumberedAfterHAProxysOwnReferences() {
        let r = parseFrontend("""
                use_backend %[req.hdr(host),map(/etc/late.map,app)]
                acl a src -f /etc/a.acl
            """)
        XCTAssertEqual(r.configuration.patternReferences.map(\.id), [0, 1, 4])
        XCTAssertEqual(r.configuration.patternReferences.last?.file, "/etc/late.map")
    }

    func testRefusedForms() {
        func alert(_ line: String) -> String? { onlyAlert(parseFrontend("    " + line), line)?.message }
        XCTAssertEqual(alert("acl b hdr(host) -i -f /etc/h.acl -m beg"),
                       "error detected while parsing ACL 'b' : '-m' must only be specified before patterns and files in parsing ACL expression.")
        XCTAssertEqual(alert("acl b hdr(host) -f"), "error detected while parsing ACL 'b' : missing file name after '-f'")
        XCTAssertEqual(alert("http-request set-header X %[src,map_str_int(/f,x)]")?.contains("the default value 'x' is not an integer"), true)
        XCTAssertEqual(alert("http-request set-header X %[src,map_ip]")?.contains("expects <file>[,<default>]"), true)
        let both = parseFrontend("""
                acl a src -f /etc/x
                http-request set-header X %[src,map_ip(/etc/x)]
            """)
        XCTAssertEqual(both.diagnostics.first { $0.severity == .alert }?.message,
                       "invalid args in converter 'map_ip' : The file \"/etc/x\" is already used as one column file and cannot be used by as two column file.")
    }
}
