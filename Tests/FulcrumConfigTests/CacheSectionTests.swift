import XCTest
@testable import FulcrumConfig

/// `cache` sections and the `cache-use` / `cache-store` actions, with
/// haproxy 2.6's defaults and messages (cfg_parse_cache, its post-parse
/// checks, and the cache filter's check).
final class CacheSectionTests: XCTestCase {
    func testSectionKeywordsAndDefaults() {
        let r = parseFrontend("    http-request cache-use c1 if { path_beg /s }\n    http-response cache-store c1\n", extra: """
            cache c1
                total-max-size 200
                max-object-size 10485760
                max-age 3600
                process-vary on
                max-secondary-entries 3
            cache c2
                total-max-size 4

            """)
        XCTAssertEqual(r.diagnostics, [])
        let c1 = r.configuration.caches[0], c2 = r.configuration.caches[1]
        XCTAssertEqual([c1.name, c2.name], ["c1", "c2"])
        XCTAssertEqual(c1.blocks, 200 * 1024)
        XCTAssertEqual(c1.effectiveMaxObjectSize, 10485760)
        XCTAssertEqual(c1.maxAge, 3600)
        XCTAssertTrue(c1.processVary)
        XCTAssertEqual(c1.maxSecondaryEntries, 3)
        // Defaults: 60 s, no Vary, 10 variants, a 256th of the cache.
        XCTAssertEqual(c2.maxAge, 60)
        XCTAssertFalse(c2.processVary)
        XCTAssertEqual(c2.maxSecondaryEntries, 10)
        XCTAssertEqual(c2.effectiveMaxObjectSize, 4 * 1024 * 1024 / 256)
        let rules = r.frontend?.http
        XCTAssertEqual(rules?.requestRules.first?.action, .cacheUse("c1"))
        XCTAssertNotNil(rules?.requestRules.first?.condition)
        XCTAssertEqual(rules?.responseRules.first?.action, .cacheStore("c1"))
    }

    func testHAProxysMessages() {
        func alert(_ cache: String) -> String? {
            parse(httpDefaults + cache).alerts.first?.message
        }
        XCTAssertEqual(alert("cache\n    total-max-size 1\n"), "'cache' expects a <name> argument")
        XCTAssertEqual(alert("cache c\n    max-age 10\n"), "Size not specified for cache 'c'")
        XCTAssertEqual(alert("cache c\n    total-max-size 4\n    max-object-size 3000000\n"),
                       "\"max-object-size\" is limited to an half of \"total-max-size\" => 2097152")
        XCTAssertEqual(alert("cache c\n    total-max-size 5000\n"), "\"total-max-size\" (5000) must not be greater than 4095")
        XCTAssertEqual(alert("cache c\n    total-max-size 4M\n"), "total-max-size wrong value '4M'")
        XCTAssertEqual(alert("cache c\n    total-max-size 4\n    foo bar\n"), "unknown keyword 'foo' in 'cache' section")
        XCTAssertEqual(alert("cache c\n    total-max-size 4\n    max-secondary-entries 0\n"), "max-secondary-entries wrong value '0'")
        XCTAssertEqual(alert("cache c\n    total-max-size 4\ncache c\n    total-max-size 4\n"), "Duplicate cache name 'c'.")
        let vary = parse(httpDefaults + "cache c\n    total-max-size 4\n    process-vary maybe\n")
        XCTAssertEqual(vary.alerts, [])
        XCTAssertEqual(vary.warnings.first?.message, "'process-vary' expects \"on\" or \"off\" (enable or disable vary processing).")
        XCTAssertEqual(vary.warnings.first?.location?.line, 9)
    }

    func testRulesNameAnExistingCache() {
        let missing = parseFrontend("    http-request cache-use nope\n", extra: "cache c\n    total-max-size 4\n")
        assertSingleAlert(missing, "frontend 'f': unable to find the cache 'nope' referenced by the filter 'cache'.", line: 9, column: 5)
        let unnamed = parseFrontend("    http-response cache-store\n")
        XCTAssertEqual(unnamed.alerts.first?.message,
                       "error detected in frontend 'f' while parsing 'http-response cache-store' rule : expects a cache name.")
    }
}
