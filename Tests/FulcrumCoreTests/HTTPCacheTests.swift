import XCTest
import FulcrumHTTP
@testable import FulcrumCore

/// The cache's pure parts: the key (the numbers haproxy 2.6's `show cache`
/// printed for the same URIs), the Vary key and encodings, what is stored
/// and for how long, 304 decisions, dates, and the shared store (LRU, size
/// bound, variants).
final class HTTPCacheTests: XCTestCase {
    private func sha1Hex(_ text: String) -> String {
        var sha = SHA1()
        sha.update(text.utf8)
        var out = [UInt8](repeating: 0, count: 20)
        out.withUnsafeMutableBytes { sha.finish(into: $0) }
        return out.map { String(format: "%02x", $0) }.joined()
    }

    func testSHA1() {
        XCTAssertEqual(sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d")
        XCTAssertEqual(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(sha1Hex(String(repeating: "a", count: 1000)), "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    func testPrimaryKeyIsHAProxys() {
        // haproxy 2.6's `show cache` for these requests to 127.0.0.1:18001.
        for (path, hash) in [("/a", 3269496441 as UInt32), ("/vary", 3025553286), ("/ref", 400526610), ("/etag", 1411128143)] {
            let key = HTTPCacheKey.primary(parseHead("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:18001\r\n\r\n"))
            XCTAssertEqual(key?.hash32, hash, path)
        }
        XCTAssertNil(HTTPCacheKey.primary(parseHead("GET /a HTTP/1.1\r\nX: y\r\n\r\n")), "no Host, no key")
        // An absolute URI is hashed as it is, the same as its origin form with Host.
        XCTAssertEqual(HTTPCacheKey.primary(parseHead("GET https://h/a HTTP/1.1\r\nHost: other\r\n\r\n")),
                       HTTPCacheKey.primary(parseHead("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")))
    }

    func testAcceptEncodingBitmap() {
        func bitmap(_ values: String...) -> UInt32? {
            HTTPCacheEncoding.acceptedBitmap(parseHead("GET / HTTP/1.1\r\n" + values.map { "Accept-Encoding: \($0)\r\n" }.joined() + "\r\n"))
        }
        let E = HTTPCacheEncoding.self
        XCTAssertEqual(bitmap(), .max, "no header: anything")
        XCTAssertEqual(bitmap("gzip, deflate"), E.gzip | E.deflate | E.identity)
        XCTAssertEqual(bitmap("GZIP;q=0.5", "br"), E.gzip | E.br | E.identity)
        XCTAssertEqual(bitmap("gzip;q=0"), E.identity)
        XCTAssertEqual(bitmap("identity;q=0, gzip"), E.gzip)
        XCTAssertEqual(bitmap("*"), .max)
        XCTAssertEqual(bitmap("*, gzip;q=0"), .max & ~E.gzip)
        XCTAssertEqual(bitmap("foo"), E.other | E.identity, "an unknown first letter")
        XCTAssertEqual(bitmap("zz"), E.identity, "a known first letter without its name: bit 0")
        XCTAssertNil(bitmap(Array(repeating: "gzip", count: 16).joined(separator: ",")))
        let served = HTTPCacheSecondaryKey(acceptEncoding: E.gzip)
        XCTAssertTrue(served.serves(HTTPCacheSecondaryKey(acceptEncoding: E.gzip | E.identity)))
        XCTAssertFalse(served.serves(HTTPCacheSecondaryKey(acceptEncoding: E.identity)))
        XCTAssertEqual(HTTPCacheSecondaryKey(acceptEncoding: E.identity).hex, "0001000000000000")
    }

    private let get = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"
    private func store(_ response: String, request: String? = nil, vary: Bool = false, now: Int64 = 1_700_000_000)
        -> HTTPCachePolicy.StoreDecision {
        let r = HTTPCachePolicy.request(parseHead(request ?? get), processVary: vary)
        var head = parseHead(response)
        return HTTPCachePolicy.store(r, response: &head, fromCache: false, processVary: vary, cacheMaxAge: 60, now: now)
    }
    private func stored(_ d: HTTPCachePolicy.StoreDecision) -> HTTPCachePolicy.Entry? {
        if case .store(let e) = d { return e } else { return nil }
    }

    func testWhatIsStored() {
        XCTAssertEqual(stored(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\n\r\n"))?.maxAge, 30)
        XCTAssertEqual(stored(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=300\r\n\r\n"))?.maxAge, 60, "the cache's max-age caps it")
        XCTAssertEqual(stored(store("HTTP/1.1 200 OK\r\nCache-Control: s-maxage=5, max-age=30\r\n\r\n"))?.maxAge, 5)
        XCTAssertEqual(stored(store("HTTP/1.1 200 OK\r\nExpires: Tue, 14 Nov 2023 22:13:40 GMT\r\n\r\n"))?.maxAge, 20)
        XCTAssertEqual(stored(store("HTTP/1.1 200 OK\r\nETag: \"a\"\r\n\r\n"))?.maxAge, 60, "a validator alone")
        XCTAssertEqual(store("HTTP/1.1 200 OK\r\nCache-Control: public\r\n\r\n"), .skip, "neither freshness nor validator")
        XCTAssertEqual(store("HTTP/1.1 404 Not Found\r\nCache-Control: max-age=30\r\n\r\n"), .skip)
        XCTAssertEqual(store("HTTP/1.1 200 OK\r\nCache-Control: private, max-age=30\r\n\r\n"), .skip)
        XCTAssertEqual(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\nPragma: no-cache\r\n\r\n"), .skip)
        XCTAssertEqual(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30, no-cache=\"set-cookie\"\r\n\r\n"), .skip)
        XCTAssertEqual(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\nVary: accept-encoding\r\n\r\n"), .skip,
                       "Vary without process-vary")
        XCTAssertEqual(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\nVary: user-agent\r\n\r\n", vary: true), .skip)
        XCTAssertEqual(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\n\r\n",
                             request: "GET /x HTTP/1.1\r\nHost: h\r\nAuthorization: x\r\n\r\n"), .skip)
        XCTAssertEqual(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\n\r\n",
                             request: "GET /x HTTP/1.0\r\nHost: h\r\n\r\n"), .skip)
        XCTAssertEqual(store("HTTP/1.1 201 Created\r\n\r\n", request: "POST /x HTTP/1.1\r\nHost: h\r\n\r\n"), .invalidate)
        XCTAssertEqual(store("HTTP/1.1 500 Oops\r\n\r\n", request: "POST /x HTTP/1.1\r\nHost: h\r\n\r\n"), .skip)
        let varying = stored(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\nVary: accept-encoding\r\nContent-Encoding: gzip\r\n\r\n",
                                   request: "GET /x HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\nReferer: r\r\n\r\n", vary: true))
        XCTAssertEqual(varying?.signature, .acceptEncoding)
        XCTAssertEqual(varying?.secondary, HTTPCacheSecondaryKey(acceptEncoding: HTTPCacheEncoding.gzip, referer: 0))
        let aged = stored(store("HTTP/1.1 200 OK\r\nCache-Control: max-age=30\r\nAge: 12\r\nLast-Modified: Tue, 14 Nov 2023 22:00:00 GMT\r\n\r\n"))
        XCTAssertEqual(aged?.age, 12)
        XCTAssertEqual(aged?.lastModified, 1_699_999_200)
    }

    func testNotModified() {
        func request(_ h: String) -> HTTPHead { parseHead("GET /x HTTP/1.1\r\nHost: h\r\n\(h)\r\n\r\n") }
        let lm: Int64 = 1_700_000_000
        XCTAssertTrue(HTTPCachePolicy.notModified(request("If-None-Match: \"a\""), etag: Array("\"a\"".utf8)[...], lastModified: lm))
        XCTAssertTrue(HTTPCachePolicy.notModified(request("If-None-Match: \"b\", W/\"a\""), etag: Array("\"a\"".utf8)[...], lastModified: lm))
        XCTAssertFalse(HTTPCachePolicy.notModified(request("If-None-Match: \"b\""), etag: Array("\"a\"".utf8)[...], lastModified: lm))
        XCTAssertTrue(HTTPCachePolicy.notModified(request("If-None-Match: *"), etag: [], lastModified: lm))
        // If-None-Match present: If-Modified-Since is not looked at.
        XCTAssertFalse(HTTPCachePolicy.notModified(request("If-None-Match: \"b\"\r\nIf-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT"),
                                                   etag: Array("\"a\"".utf8)[...], lastModified: lm))
        XCTAssertTrue(HTTPCachePolicy.notModified(request("If-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT"), etag: [], lastModified: lm))
        XCTAssertFalse(HTTPCachePolicy.notModified(request("If-Modified-Since: Tue, 14 Nov 2023 22:13:19 GMT"), etag: [], lastModified: lm))
    }

    func testHTTPDates() {
        XCTAssertEqual(HTTPDate.parse(Array("Sun, 06 Nov 1994 08:49:37 GMT".utf8)[...]), 784111777)
        XCTAssertEqual(HTTPDate.parse(Array("Sunday, 06-Nov-94 08:49:37 GMT".utf8)[...]), 784111777)
        XCTAssertEqual(HTTPDate.parse(Array("Sun Nov  6 08:49:37 1994".utf8)[...]), 784111777)
        XCTAssertNil(HTTPDate.parse(Array("garbage".utf8)[...]))
        XCTAssertNil(HTTPDate.parse(Array("Sun, 06 Nov 1994 08:49:37 UTC".utf8)[...]))
    }

    /// A store of `blocks` 1 kB blocks over private memory.
    private func withStore(blocks: Int, _ body: (HTTPCacheStore) -> Void) {
        let size = HTTPCacheStore.regionSize(blocks: blocks)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer { memory.deallocate() }
        body(HTTPCacheStore(formatting: memory, blocks: blocks))
        XCTAssertNotNil(HTTPCacheStore(attaching: memory, size: size))
        XCTAssertNil(HTTPCacheStore(attaching: memory, size: size + 1))
    }

    private func entry(_ path: String, maxAge: Int = 60) -> HTTPCachePolicy.Entry {
        var e = HTTPCachePolicy.Entry()
        e.key = HTTPCacheKey.primary(parseHead("GET \(path) HTTP/1.1\r\nHost: h\r\n\r\n"))!
        e.maxAge = maxAge
        return e
    }

    private func insert(_ s: HTTPCacheStore, _ e: HTTPCachePolicy.Entry, bytes: Int, now: UInt32 = 100) -> Bool {
        let head = Array("HTTP/1.1 200 OK\r\n\r\n".utf8), payload = [UInt8](repeating: 7, count: bytes)
        return head.withUnsafeBytes { h in payload.withUnsafeBytes { p in
            s.insert(e, head: h, payload: p, chunked: false, now: now, maxSecondary: 2)
        } }
    }

    func testStoreReadsBackWhatItKeptAcrossBlocks() {
        withStore(blocks: 8) { s in
            XCTAssertTrue(insert(s, entry("/a"), bytes: 2500))
            let i = s.find(entry("/a").key, secondary: nil, now: 100)!
            let info = s.info(i)
            XCTAssertEqual(info.size, 19 + 2500)
            XCTAssertEqual(info.blockCount, 3)
            var out: [UInt8] = []
            s.read(i, from: 0, count: info.size) { out.append(contentsOf: $0) }
            XCTAssertEqual(out, Array("HTTP/1.1 200 OK\r\n\r\n".utf8) + [UInt8](repeating: 7, count: 2500))
            XCTAssertEqual(s.freeBlocks, 5)
            XCTAssertNil(s.find(entry("/a").key, secondary: nil, now: 160), "expired")
            XCTAssertEqual(s.freeBlocks, 8, "an expired entry met is freed")
            XCTAssertFalse(insert(s, entry("/huge"), bytes: 9000), "larger than the whole cache")
        }
    }

    func testLeastRecentlyUsedGoesFirstAndTheSizeHolds() {
        withStore(blocks: 6) { s in
            XCTAssertTrue(insert(s, entry("/1"), bytes: 1500))
            XCTAssertTrue(insert(s, entry("/2"), bytes: 1500))
            XCTAssertTrue(insert(s, entry("/3"), bytes: 1500))
            s.touch(s.find(entry("/1").key, secondary: nil, now: 100)!)
            XCTAssertTrue(insert(s, entry("/4"), bytes: 1500))
            XCTAssertNotNil(s.find(entry("/1").key, secondary: nil, now: 100), "used recently: kept")
            XCTAssertNil(s.find(entry("/2").key, secondary: nil, now: 100), "least recently used: evicted")
            XCTAssertEqual(s.entryCount, 3)
            XCTAssertEqual(s.freeBlocks, 0)
            // Replacing an object reuses its place.
            XCTAssertTrue(insert(s, entry("/4"), bytes: 100))
            XCTAssertEqual(s.entryCount, 3)
            XCTAssertEqual(s.liveEntries(now: 100).count, 3)
            s.invalidate(entry("/4").key)
            XCTAssertNil(s.find(entry("/4").key, secondary: nil, now: 100))
        }
    }

    func testVariantsAndTheirLimit() {
        withStore(blocks: 8) { s in
            var gz = entry("/v"), id = entry("/v"), br = entry("/v")
            for (e, bit) in [(0, HTTPCacheEncoding.gzip), (1, HTTPCacheEncoding.identity), (2, HTTPCacheEncoding.br)] {
                let set = { (x: inout HTTPCachePolicy.Entry) in x.signature = .acceptEncoding; x.secondary = HTTPCacheSecondaryKey(acceptEncoding: bit) }
                if e == 0 { set(&gz) } else if e == 1 { set(&id) } else { set(&br) }
            }
            XCTAssertTrue(insert(s, gz, bytes: 10))
            XCTAssertTrue(insert(s, id, bytes: 10))
            XCTAssertFalse(insert(s, br, bytes: 10), "max-secondary-entries (2 here) reached")
            let wantsGzip = HTTPCacheSecondaryKey(acceptEncoding: HTTPCacheEncoding.gzip | HTTPCacheEncoding.identity)
            let i = s.find(gz.key, secondary: wantsGzip, now: 100)!
            XCTAssertEqual(s.info(i).secondary.acceptEncoding, HTTPCacheEncoding.gzip, "the oldest variant that serves")
            let plain = s.find(gz.key, secondary: HTTPCacheSecondaryKey(acceptEncoding: HTTPCacheEncoding.identity), now: 100)!
            XCTAssertEqual(s.info(plain).secondary.acceptEncoding, HTTPCacheEncoding.identity)
            XCTAssertNil(s.find(gz.key, secondary: nil, now: 100), "no request key, no variant")
        }
    }
}
