import XCTest
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

/// Behaviour compared with HAProxy 2.6.12 on 127.0.0.1 (same configs, same requests).
final class CookiePersistenceTests: XCTestCase {
    let servers: [String?] = ["s1", "s2", nil]
    let now = 1_795_241_220

    func cfg(_ mode: CookieConfig.Mode, _ edit: (inout CookieConfig) -> Void = { _ in }) -> CookieConfig {
        var c = CookieConfig(name: "SRV", mode: mode)
        edit(&c)
        return c
    }

    func testInsertIndirectRemovesOurCookieFromTheRequest() {
        let c = cfg(.insert) { $0.indirect = true }
        var h = parseHead("GET /x HTTP/1.1\r\nHost: h\r\nCookie: a=1; SRV=s2; b=2\r\n\r\n")
        XCTAssertEqual(CookiePersistence.serverForRequest(c, serverCookies: servers, head: &h, now: now), 1)
        XCTAssertEqual(h.value(of: "cookie"), "a=1; b=2")
        // An unknown value is removed too, and an emptied Cookie field disappears.
        var bad = parseHead("GET /x HTTP/1.1\r\nHost: h\r\nCookie: SRV=zz\r\n\r\n")
        XCTAssertNil(CookiePersistence.serverForRequest(c, serverCookies: servers, head: &bad, now: now))
        XCTAssertEqual(serialized(bad), "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
        // Without indirect, the request is left alone.
        var kept = parseHead("GET /x HTTP/1.1\r\nCookie: SRV=s1\r\n\r\n")
        XCTAssertEqual(CookiePersistence.serverForRequest(cfg(.insert), serverCookies: servers, head: &kept, now: now), 0)
        XCTAssertTrue(kept.isUnmodified)
    }

    func testPrefixStripsAndPrefixes() {
        let c = cfg(.prefix)
        var h = parseHead("GET /x HTTP/1.1\r\nCookie: SRV=s1~abc; o=2\r\n\r\n")
        XCTAssertEqual(CookiePersistence.serverForRequest(c, serverCookies: servers, head: &h, now: now), 0)
        XCTAssertEqual(h.value(of: "cookie"), "SRV=abc; o=2")
        var r = parseHead("HTTP/1.1 200 OK\r\nX-Srv: one\r\nSet-Cookie: SRV=abc; path=/\r\nSet-Cookie: other=1\r\n\r\n")
        XCTAssertEqual(CookiePersistence.editResponse(c, serverCookie: "s1", requestHadValidCookie: true, response: &r,
                                                      requestMethod: "GET", now: now), .rewritten, "%tsc's R")
        XCTAssertEqual(r.values(of: "set-cookie").map { String(decoding: $0, as: UTF8.self) }, ["SRV=s1~abc; path=/", "other=1"])
    }

    func testRewrite() {
        var r = parseHead("HTTP/1.1 200 OK\r\nSet-Cookie: SRV=abc; path=/\r\nSet-Cookie: other=1\r\n\r\n")
        CookiePersistence.editResponse(cfg(.rewrite), serverCookie: "s1", requestHadValidCookie: true, response: &r, requestMethod: "GET", now: now)
        XCTAssertEqual(r.values(of: "set-cookie").map { String(decoding: $0, as: UTF8.self) }, ["SRV=s1; path=/", "other=1"])
        var req = parseHead("GET / HTTP/1.1\r\nCookie: SRV=s2\r\n\r\n")
        XCTAssertEqual(CookiePersistence.serverForRequest(cfg(.rewrite), serverCookies: servers, head: &req, now: now), 1)
        XCTAssertTrue(req.isUnmodified)
    }

    func testInsertAttributesAndServerCookieReplacement() {
        let c = cfg(.insert) { $0.indirect = true; $0.nocache = true; $0.httponly = true; $0.secure = true; $0.domains = [".example.com"] }
        var r = parseHead("HTTP/1.1 200 OK\r\nX-Srv: one\r\nSet-Cookie: SRV=abc; path=/\r\n\r\n")
        XCTAssertEqual(CookiePersistence.editResponse(c, serverCookie: "s1", requestHadValidCookie: false, response: &r,
                                                      requestMethod: "GET", now: now), .inserted, "%tsc's I")
        XCTAssertEqual(serialized(r), "HTTP/1.1 200 OK\r\nX-Srv: one\r\nSet-Cookie: SRV=s1; path=/; domain=.example.com; HttpOnly; Secure\r\n\r\n")
        // A valid cookie: nothing inserted.
        var v = parseHead("HTTP/1.1 200 OK\r\nCache-Control: public\r\n\r\n")
        XCTAssertEqual(CookiePersistence.editResponse(c, serverCookie: "s1", requestHadValidCookie: true, response: &v,
                                                      requestMethod: "GET", now: now), .noCookie, "%tsc's N")
        XCTAssertTrue(v.isUnmodified)
        // A server without a cookie value: the client's cookie is cleared.
        var none = parseHead("HTTP/1.1 200 OK\r\n\r\n")
        CookiePersistence.editResponse(cfg(.insert), serverCookie: nil, requestHadValidCookie: false, response: &none, requestMethod: "GET", now: now)
        XCTAssertEqual(none.value(of: "set-cookie"), "SRV=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/")
    }

    func testPreserveKeepsTheServersCookie() {
        let c = cfg(.insert) { $0.preserve = true }
        var r = parseHead("HTTP/1.1 200 OK\r\nSet-Cookie: SRV=abc; path=/\r\n\r\n")
        XCTAssertEqual(CookiePersistence.editResponse(c, serverCookie: "s1", requestHadValidCookie: false, response: &r,
                                                      requestMethod: "GET", now: now), .passive, "%tsc's P")
        XCTAssertEqual(serialized(r), "HTTP/1.1 200 OK\r\nSet-Cookie: SRV=abc; path=/\r\n\r\n")
        var plain = parseHead("HTTP/1.1 200 OK\r\n\r\n")
        CookiePersistence.editResponse(c, serverCookie: "s1", requestHadValidCookie: false, response: &plain, requestMethod: "GET", now: now)
        XCTAssertEqual(plain.value(of: "set-cookie"), "SRV=s1; path=/")
    }

    func testNocacheAddsCacheControlPrivateOnlyWhenCacheable() {
        let c = cfg(.insert) { $0.nocache = true }
        let lm = "Last-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
        func privateAdded(_ method: String, _ fields: String, status: String = "200 OK") -> Bool {
            var r = parseHead("HTTP/1.1 \(status)\r\n\(fields)\r\n")
            CookiePersistence.editResponse(c, serverCookie: "s1", requestHadValidCookie: false, response: &r, requestMethod: method, now: now)
            XCTAssertNotNil(r.value(of: "set-cookie"))
            return r.value(of: "cache-control") == "private"
        }
        XCTAssertTrue(privateAdded("GET", lm))
        XCTAssertTrue(privateAdded("HEAD", lm))
        XCTAssertFalse(privateAdded("POST", lm))
        XCTAssertFalse(privateAdded("GET", ""))                        // no freshness nor validator
        XCTAssertFalse(privateAdded("GET", "Cache-Control: public\r\n"))
        XCTAssertTrue(privateAdded("GET", "Cache-Control: public, max-age=10\r\n"))
        XCTAssertTrue(privateAdded("GET", "Expires: Wed, 21 Oct 2035 07:28:00 GMT\r\n"))
        XCTAssertTrue(privateAdded("GET", "ETag: \"x\"\r\n"))
        XCTAssertFalse(privateAdded("GET", lm + "Cache-Control: no-cache\r\n"))
        XCTAssertFalse(privateAdded("GET", lm + "Cache-Control: max-age=0\r\n"))
        XCTAssertFalse(privateAdded("GET", lm + "Pragma: no-cache\r\n"))
        XCTAssertFalse(privateAdded("GET", lm, status: "302 Found"))
    }

    func testPostonlyAndDates() {
        let c = cfg(.insert) { $0.nocache = true; $0.postonly = true; $0.maxidle = 3600; $0.maxlife = 7200 }
        var get = parseHead("HTTP/1.1 200 OK\r\n\r\n")
        CookiePersistence.editResponse(c, serverCookie: "s1", requestHadValidCookie: false, response: &get, requestMethod: "GET", now: now)
        XCTAssertNil(get.value(of: "set-cookie"))
        var post = parseHead("HTTP/1.1 200 OK\r\n\r\n")
        CookiePersistence.editResponse(c, serverCookie: "s1", requestHadValidCookie: false, response: &post, requestMethod: "POST", now: now)
        // HAProxy wrote "SRV=s1|awE1B|awE1B; path=/" at this date.
        XCTAssertEqual(post.value(of: "set-cookie"), "SRV=s1|awE1B|awE1B; path=/")
        XCTAssertEqual(CookiePersistence.b64tos30(Array("awE1B".utf8)), (now + 3) >> 2)

        // Reading dates back: fresh, idle-expired, too old.
        let dated = cfg(.insert) { $0.maxidle = 3600; $0.maxlife = 7200 }
        func state(_ value: String, at t: Int) -> CookiePersistence.RequestState {
            var h = parseHead("GET / HTTP/1.1\r\nCookie: SRV=\(value)\r\n\r\n")
            return CookiePersistence.parseRequest(dated, serverCookies: servers, head: &h, now: t)
        }
        let fresh = state("s2|awE1B|awE1B", at: now + 60)
        XCTAssertEqual(fresh.server, 1)
        XCTAssertEqual(fresh.lastDate, ((now + 3) >> 2) << 2)
        let idle = state("s2|awE1B|awE1B", at: now + 4000)
        XCTAssertNil(idle.server); XCTAssertTrue(idle.expired)
        let old = state("s2|awE1B|" + CookiePersistence.s30tob64((now - 8000) >> 2), at: now)
        XCTAssertNil(old.server); XCTAssertTrue(old.old)

        // A valid cookie whose last date has passed is refreshed, keeping its first date.
        var r = parseHead("HTTP/1.1 200 OK\r\n\r\n")
        CookiePersistence.editResponse(dated, serverCookie: "s2", requestHadValidCookie: true, response: &r, requestMethod: "GET",
                                       now: now + 60, request: fresh)
        XCTAssertEqual(r.value(of: "set-cookie"), "SRV=s2|" + CookiePersistence.s30tob64((now + 63) >> 2) + "|awE1B; path=/")
    }
}
