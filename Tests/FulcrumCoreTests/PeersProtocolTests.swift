import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// The peers protocol without sockets: HAProxy's varints, framing, the
/// handshake's verdicts, DEFINE and update messages, and two nodes wired
/// back to back (a change pushed, a full teach on RESYNCREQ); random bytes
/// fed after a good hello never trap (the fuzzing entry).
final class PeersProtocolTests: XCTestCase {
    struct NoLock: StickTableLocking {
        func withLock<R>(repair: () -> Void, _ body: () -> R) -> R { body() }
    }

    final class Tables {
        let set: StickTableSet
        let regions: [UnsafeMutableRawPointer]
        var now: UInt32 = 50_000
        init(_ defs: [StickTableDefinition]) {
            var regions: [UnsafeMutableRawPointer] = []
            var tables: [SharedStickTable] = []
            for t in defs {
                let size = SharedStickTable.regionSize(t)
                let r = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
                r.initializeMemory(as: UInt8.self, repeating: 0, count: size)
                regions.append(r)
                tables.append(SharedStickTable(formatting: r, t))
            }
            self.regions = regions
            set = StickTableSet(definitions: defs, tables: tables, locks: defs.map { _ in NoLock() })
            set.clock = { [unowned self] in self.now }
        }
        deinit { regions.forEach { $0.deallocate() } }
    }

    static let loc = SourceLocation(file: "t", line: 1)

    func definition(_ name: String = "fe", _ type: StickKeyType = .ip) -> StickTableDefinition {
        var t = StickTableDefinition(name: name, location: Self.loc, keyType: type, size: 100)
        t.expire = 60_000
        t.peers = "mesh"
        t.data = [StickStoredData(.serverID), StickStoredData(.gpc0), StickStoredData(.connCount),
                  StickStoredData(.httpReqRate, period: 10_000), StickStoredData(.bytesInCount), StickStoredData(.serverKey)]
        return t
    }

    func section(_ names: [String]) -> PeersSection {
        var s = PeersSection(name: "mesh", location: Self.loc)
        for (i, n) in names.enumerated() {
            s.peers.append(PeerEntry(name: n, address: PeerAddress(host: "127.0.0.1", port: 7000 + i), location: Self.loc))
        }
        return s
    }

    // MARK: wire

    func testVarintsAreHAProxys() {
        func enc(_ v: UInt64) -> [UInt8] { var o: [UInt8] = []; PeerVarint.encode(v, into: &o); return o }
        XCTAssertEqual(enc(0), [0])
        XCTAssertEqual(enc(239), [239])
        XCTAssertEqual(enc(240), [0xF0, 0x00])
        XCTAssertEqual(enc(2287), [0xFF, 0x7F])
        XCTAssertEqual(enc(2288), [0xF0, 0x80, 0x00], "PEER_ENC_3BYTES_MIN")
        XCTAssertEqual(enc(264_432).count, 4, "PEER_ENC_4BYTES_MIN")
        XCTAssertEqual(enc(UInt64.max).count, 10)
        for v: UInt64 in [0, 1, 239, 240, 241, 2287, 2288, 264_431, 264_432, 1 << 32, UInt64.max - 1, .max] {
            let bytes = enc(v)
            bytes.withUnsafeBytes { b in
                var p = 0
                XCTAssertEqual(PeerVarint.decode(b, &p, end: b.count), v)
                XCTAssertEqual(p, bytes.count)
                var q = 0
                if bytes.count > 1 { XCTAssertNil(PeerVarint.decode(b, &q, end: b.count - 1), "cut short") }
            }
        }
    }

    func testFramesAndHandshakeVerdicts() {
        [UInt8]([0, 4]).withUnsafeBytes { XCTAssertEqual(PeerMessage.frame($0), .message(messageClass: 0, type: 4, payload: 2..<2, length: 2)) }
        [UInt8]([10, 0x84, 3, 1, 0]).withUnsafeBytes { XCTAssertEqual(PeerMessage.frame($0), .incomplete) }
        [UInt8]([10, 0x84, 2, 1, 0]).withUnsafeBytes { XCTAssertEqual(PeerMessage.frame($0), .message(messageClass: 10, type: 0x84, payload: 3..<5, length: 5)) }
        [UInt8]([10, 0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]).withUnsafeBytes { XCTAssertEqual(PeerMessage.frame($0), .tooLarge) }
        XCTAssertEqual(String(decoding: PeerHandshake.hello(remote: "b", local: "a", pid: 42), as: UTF8.self), "HAProxyS 2.1\nb\na 42 1\n")
        func judge(_ v: String, _ h: String = "me", _ p: String = "other 1 1") -> PeerHandshake.Verdict {
            PeerHandshake.judge(version: v, host: h, peerLine: p, localName: "me", knownPeers: ["other"])
        }
        XCTAssertEqual(judge("HAProxyS 2.1"), .accepted(peer: "other"))
        XCTAssertEqual(judge("HAProxyS 2.0"), .accepted(peer: "other"))
        XCTAssertEqual(judge("HAProxyX 2.1"), .refused(.protocolError))
        XCTAssertEqual(judge("HAProxyS 2.2"), .refused(.badVersion))
        XCTAssertEqual(judge("HAProxyS 3.1"), .refused(.badVersion))
        XCTAssertEqual(judge("HAProxyS 2.1", "you"), .refused(.badHost))
        XCTAssertEqual(judge("HAProxyS 2.1", "me", "stranger 1 1"), .refused(.unknownPeer))
        XCTAssertEqual(judge("HAProxyS 2.1", "me", "other"), .refused(.protocolError))
        XCTAssertEqual(PeerHandshake.Status.success.word, "ESTA")
    }

    func testDefinitionRoundTripsWithHAProxysBits() throws {
        var out: [UInt8] = []
        PeerTableCodec.define(definition(), localID: 2, into: &out)
        XCTAssertEqual(Array(out.prefix(2)), [10, 0x82])
        let d = try out.withUnsafeBytes { b -> PeerTableCodec.DefinitionResult in
            guard case .message(_, _, let payload, let length) = PeerMessage.frame(b) else { throw XCTSkip("no frame") }
            XCTAssertEqual(length, out.count)
            var r = PeerReader(b, from: payload.lowerBound, end: payload.upperBound)
            return PeerTableCodec.decodeDefinition(&r)
        }
        guard case .table(let remote) = d else { return XCTFail("\(d)") }
        XCTAssertEqual(remote.id, 2)
        XCTAssertEqual(remote.name, "fe")
        XCTAssertEqual(remote.keyTypeCode, 4)
        XCTAssertEqual(remote.keySize, 4)
        XCTAssertEqual(remote.data, 0x82415, "server_id, gpc0, conn_cnt, http_req_rate, bytes_in_cnt, server_key")
        XCTAssertEqual(remote.expire, 60_000)
        XCTAssertTrue(PeerTableCodec.matches(remote, definition()))
        XCTAssertFalse(PeerTableCodec.matches(remote, definition("fe", .ipv6)))
    }

    // MARK: two nodes

    /// Moves bytes between two sessions until both are quiet.
    func pump(_ a: PeersNode, _ sa: Int, _ b: PeersNode, _ sb: Int, now: Int64) {
        for _ in 0..<50 {
            let x = a.takeOutput(sa), y = b.takeOutput(sb)
            if x.isEmpty && y.isEmpty { return }
            x.withUnsafeBytes { b.receive(sb, $0, now: now) }
            y.withUnsafeBytes { a.receive(sa, $0, now: now) }
        }
        XCTFail("the sessions kept talking")
    }

    func entry(_ t: Tables, _ key: String) -> String? {
        let k = StickKey.parse(key, .ip)!
        return t.set.withTable(0) { st in
            k.withUnsafeBytes { kb in
                guard let i = st.find(kb, now: t.now) else { return nil }
                return ["gpc0", "conn_cnt", "http_req_rate", "bytes_in_cnt", "server_id"].map { name in
                    "\(name)=\(st.value(i, StickDataType(name: name)!, now: t.now) ?? -1)"
                }.joined(separator: " ") + " key=\(st.serverKey(i) ?? "-") exp=\(st.remaining(i, now: t.now))"
            }
        }
    }

    func testAChangeIsPushedAndAFreshNodeIsTaughtEverything() {
        let ta = Tables([definition()]), tb = Tables([definition()])
        let a = PeersNode(section: section(["a", "b"]), localName: "a", pid: 1, tables: ta.set, learn: false, now: 0, wallSeconds: 0)
        let b = PeersNode(section: section(["a", "b"]), localName: "b", pid: 2, tables: tb.set, learn: false, now: 0, wallSeconds: 0)
        // An entry counted on a before they meet.
        let k = StickKey.parse("10.0.0.1", .ip)!
        ta.set.withTable(0) { st in
            k.withUnsafeBytes { kb in
                let i = st.findOrCreate(kb, now: ta.now)!
                st.add(i, .gpc0, 3, now: ta.now)
                st.add(i, .connCount, 5, now: ta.now)
                st.add(i, .httpReqRate, 7, now: ta.now)
                st.add(i, .bytesInCount, 1 << 40, now: ta.now)
                st.set(i, .serverID, -2, now: ta.now)
                st.setServerKey(i, "web1")
                st.touch(i, now: ta.now)
            }
        }
        XCTAssertEqual(a.tick(now: 0), [0], "a connects to b")
        let sa = a.connecting(to: 0, now: 0)
        a.connected(sa, now: 0)
        let sb = b.accepted(now: 0)
        pump(a, sa, b, sb, now: 10)
        XCTAssertEqual(b.peers[0].status, .success)
        XCTAssertEqual(a.peers[0].status, .success)
        XCTAssertEqual(entry(tb, "10.0.0.1"), "gpc0=3 conn_cnt=5 http_req_rate=7 bytes_in_cnt=1099511627776 server_id=-2 key=web1 exp=60000")
        // b acknowledged; a's next change goes alone.
        _ = b.tick(now: 100); pump(a, sa, b, sb, now: 100)
        XCTAssertEqual(a.peers[0].tables[0].update, ta.set.withTable(0) { $0.lastUpdate })
        ta.now += 1000
        ta.set.withTable(0) { st in k.withUnsafeBytes { kb in let i = st.find(kb, now: ta.now)!; st.add(i, .gpc0, now: ta.now); st.touch(i, now: ta.now) } }
        _ = a.tick(now: 1000)
        let pushed = a.takeOutput(sa)
        XCTAssertEqual(Array(pushed.prefix(2)), [10, 0x85], "a timed update, no DEFINE again")
        XCTAssertEqual(Array(pushed.suffix(2)), [1, 1], "server_key sent again by its id alone")
        pushed.withUnsafeBytes { b.receive(sb, $0, now: 1000) }
        XCTAssertEqual(entry(tb, "10.0.0.1")?.hasPrefix("gpc0=4 "), true)
        XCTAssertEqual(entry(tb, "10.0.0.1")?.contains("key=web1"), true, "read from the received dictionary")
        let dict = PeersShow.answer(["show", "peers", "dict"], nodes: [a], now: 1000, utcOffset: 0) { _, _ in nil }
        XCTAssertTrue(dict.contains("TX dictionary cache:\n            0 -> web1\n        RX dictionary cache:\n            0 -> -    1 -> -"), dict)
        // A learned entry is not pushed back.
        _ = b.tick(now: 1100)
        XCTAssertFalse(b.takeOutput(sb).contains(0x85), "b sends no update of what it learned")

        // A third node starting empty asks b (which learned the entry) for everything.
        let tc = Tables([definition()])
        let c = PeersNode(section: section(["b", "c"]), localName: "c", pid: 3, tables: tc.set, learn: true, now: 0, wallSeconds: 0)
        let b2 = PeersNode(section: section(["b", "c"]), localName: "b", pid: 2, tables: tb.set, learn: false, now: 0, wallSeconds: 0)
        let sc = c.connecting(to: 0, now: 0)
        let sb2 = b2.accepted(now: 0)
        XCTAssertFalse(c.resyncDone)
        pump(c, sc, b2, sb2, now: 10)
        _ = c.tick(now: 20); pump(c, sc, b2, sb2, now: 20)
        XCTAssertTrue(c.resyncDone, "RESYNCFINISHED received")
        XCTAssertEqual(entry(tc, "10.0.0.1")?.hasPrefix("gpc0=4 conn_cnt=5 "), true)
        XCTAssertEqual(b2.peers[0].confirm, 0, "the confirmation went out")
        let shown = PeersShow.answer(["show", "peers"], nodes: [c], now: 1000, utcOffset: 0) { _, _ in nil }
        XCTAssertTrue(shown.contains("id=b(remote,active) addr=127.0.0.1:7000 last_status=ESTA last_hdshk=0s"), shown)
        XCTAssertTrue(shown.contains("id=c(local,inactive) addr=127.0.0.1:7001 last_status=NONE last_hdshk=<NEVER>"), shown)
        XCTAssertTrue(shown.contains("remote_data=0x82415"), shown)
        XCTAssertEqual(PeersShow.answer(["show", "peers", "nope"], nodes: [c], now: 0, utcOffset: 0) { _, _ in nil }, "No such peers\n")
    }

    func testRefusedHelloAndProtocolErrors() {
        let t = Tables([definition()])
        let n = PeersNode(section: section(["a", "b"]), localName: "a", pid: 1, tables: t.set, learn: false, now: 0, wallSeconds: 0)
        let s = n.accepted(now: 0)
        Array("HAProxyS 2.1\nzzz\nb 1 1\n".utf8).withUnsafeBytes { n.receive(s, $0, now: 0) }
        XCTAssertEqual(String(decoding: n.takeOutput(s), as: UTF8.self), "503\n")
        XCTAssertEqual(n.closing, [s])
        n.closed(s, now: 0)
        let s2 = n.accepted(now: 0)
        Array("HAProxyS 2.1\na\nb 1 1\n".utf8).withUnsafeBytes { n.receive(s2, $0, now: 0) }
        XCTAssertEqual(String(decoding: n.takeOutput(s2), as: UTF8.self), "200\n")
        [UInt8]([255, 0]).withUnsafeBytes { n.receive(s2, $0, now: 1) }
        XCTAssertEqual(n.takeOutput(s2), [1, 0], "a protocol error message")
        XCTAssertEqual(n.peers[0].protocolErrors, 1)
        // A connection that never says hello is dropped after 5 s.
        let s3 = n.accepted(now: 100)
        Array("HAProxyS 2.1\n".utf8).withUnsafeBytes { n.receive(s3, $0, now: 100) }
        _ = n.tick(now: 5099)
        XCTAssertFalse(n.closing.contains(s3))
        _ = n.tick(now: 5100)
        XCTAssertTrue(n.closing.contains(s3))
    }

    /// The fuzzing entry on random messages (bounded, seeded).
    func testRandomBytesNeverTrap() {
        let t = Tables([definition(), definition("s", .string(length: 8)), definition("i", .integer)])
        var seed: UInt64 = 0x1234_5678
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        for round in 0..<2000 {
            var bytes: [UInt8] = []
            // Mostly well-framed table messages with random payloads.
            for _ in 0..<Int(next() % 6) {
                let kinds: [UInt8] = [0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0, 1, 4]
                let k = kinds[Int(next() % UInt64(kinds.count))]
                bytes += [k >= 0x80 ? 10 : 0, k]
                if k >= 0x80 {
                    let n = Int(next() % 40)
                    bytes.append(UInt8(n))
                    if round % 3 == 0 && k == 0x82 {
                        var d: [UInt8] = []
                        PeerTableCodec.define(definition(), localID: 1, into: &d)
                        bytes.removeLast(3); bytes += d
                    } else {
                        for _ in 0..<n { bytes.append(UInt8(truncatingIfNeeded: next())) }
                    }
                }
            }
            bytes.withUnsafeBytes { PeersFuzz.run($0, tables: t.set, section: section(["a", "b"]), localName: "a") }
            // The self-contained entry: messages after a hello, or the hello itself.
            ([UInt8(round % 2)] + bytes).withUnsafeBytes { PeersFuzz.run($0) }
        }
        for hello in ["HAProxyS 2.1\na\nb 1 1\n\u{0}\u{4}", "HAProxyS 2.1\r\na\r\nb\n", "x\n\n\n", String(repeating: "A", count: 3000)] {
            ([1] + Array(hello.utf8)).withUnsafeBytes { PeersFuzz.run($0) }
        }
    }

    /// Heartbeats every 3 s while idle; a session silent through two 5 s
    /// windows is dropped and the peer tried again after a random delay.
    func testHeartbeatsAndASilentPeerDropped() {
        let ta = Tables([definition()]), tb = Tables([definition()])
        let a = PeersNode(section: section(["a", "b"]), localName: "a", pid: 1, tables: ta.set, learn: false, now: 0, wallSeconds: 0)
        let b = PeersNode(section: section(["a", "b"]), localName: "b", pid: 2, tables: tb.set, learn: false, now: 0, wallSeconds: 0)
        let sa = a.connecting(to: 0, now: 0)
        let sb = b.accepted(now: 0)
        pump(a, sa, b, sb, now: 0)
        XCTAssertEqual(a.tick(now: 2999), [])
        XCTAssertEqual(a.takeOutput(sa), [])
        _ = a.tick(now: 3000)
        XCTAssertEqual(a.takeOutput(sa), [0, 4], "HEARTBEAT")
        XCTAssertEqual(a.peers[0].txHeartbeats, 1)
        [UInt8]([0, 4]).withUnsafeBytes { a.receive(sa, $0, now: 4000) }
        XCTAssertEqual(a.peers[0].rxHeartbeats, 1)
        _ = a.tick(now: 9000)
        XCTAssertEqual(a.closing, [], "heard from within the window")
        _ = a.tick(now: 14_500)
        XCTAssertEqual(a.closing, [sa], "nothing heard for a whole window")
        XCTAssertEqual(a.peers[0].noHeartbeats, 1)
        a.closed(sa, now: 14_500)
        XCTAssertNil(a.peers[0].session)
        let again = a.peers[0].reconnectAt!
        XCTAssertTrue((14_550...16_550).contains(again), "\(again)")
        XCTAssertEqual(a.tick(now: again), [0])
    }

    /// String and integer keys, and the incremental forms HAProxy sends
    /// (no update id: the previous one + 1; no expiry: the table's).
    func testKeysAndIncrementalUpdates() throws {
        var d = definition("s", .string(length: 9))
        d.data = [StickStoredData(.gpc0)]
        let t = Tables([d])
        var dictionary = [String?](repeating: nil, count: 128)
        let remote = PeerRemoteTable(id: 5, name: "s", keyTypeCode: 6, keySize: 9, data: 1 << 2, expire: 60_000,
                                     counts: [Int](repeating: 1, count: 25))
        // INCUPDATE: key "longer-than-8" (cut to 8 bytes), gpc0 = 300.
        var payload: [UInt8] = []
        PeerVarint.encode(13, into: &payload)
        payload += Array("longer-than-8".utf8)
        PeerVarint.encode(300, into: &payload)
        let u = try XCTUnwrap(payload.withUnsafeBytes { b -> PeerTableCodec.Update? in
            var r = PeerReader(b)
            return PeerTableCodec.decodeUpdate(&r, kind: .incrementalUpdate, remote: remote, keyType: d.keyType, dictionary: &dictionary)
        })
        XCTAssertNil(u.updateID)
        XCTAssertEqual(u.key, Array("longer-t".utf8) + [0])
        t.set.withTable(0) { st in
            XCTAssertTrue(PeerTableCodec.apply(u, to: st, now: t.now))
            XCTAssertEqual(st.used, 1)
            st.forEach(now: t.now) { i in
                XCTAssertEqual(StickKey.text(st.key(i), d.keyType), "longer-t")
                XCTAssertEqual(st.value(i, .gpc0, now: t.now), 300)
                XCTAssertEqual(st.remaining(i, now: t.now), 60_000, "the table's expire")
            }
            var pending: [Int] = []
            st.localUpdates(after: 0, limit: .max, into: &pending)
            XCTAssertEqual(pending, [], "learned, not to be pushed")
        }
        // An integer key goes big-endian on the wire.
        var di = definition("i", .integer)
        di.data = []
        let ti = Tables([di])
        let k = StickKey.parse("258", .integer)!
        var out: [UInt8] = []
        ti.set.withTable(0) { st in
            k.withUnsafeBytes { kb in
                let i = st.findOrCreate(kb, now: ti.now)!
                PeerTableCodec.update(st, i, di, updateID: 9, now: ti.now, dictionaryID: { _ in (1, false) }, into: &out)
            }
        }
        XCTAssertEqual(out, [10, 0x85, 12, 0, 0, 0, 9, 0, 0, 0xEA, 0x60, 0, 0, 1, 2])
    }

    /// A reload's reshaped table starts with the old entries.
    func testCarryOverCopiesWhatBothStore() {
        var old = definition()
        old.size = 10
        var new = definition()
        new.size = 20
        new.data = [StickStoredData(.gpc0), StickStoredData(.connCurrent)]
        let to = Tables([old]), tn = Tables([new])
        let k = StickKey.parse("10.1.1.1", .ip)!
        to.set.withTable(0) { st in k.withUnsafeBytes { kb in let i = st.findOrCreate(kb, now: to.now)!; st.add(i, .gpc0, 7, now: to.now) } }
        to.now += 10_000
        let copied = to.set.withTable(0) { from in tn.set.withTable(0) { dst in StickTableCarryOver.copy(from: from, to: dst, now: to.now) } }
        XCTAssertEqual(copied, 1)
        tn.set.withTable(0) { st in
            k.withUnsafeBytes { kb in
                let i = st.find(kb, now: to.now)!
                XCTAssertEqual(st.value(i, .gpc0, now: to.now), 7)
                XCTAssertEqual(st.value(i, .connCurrent, now: to.now), 0)
                XCTAssertEqual(st.remaining(i, now: to.now), 50_000, "what was left of its life")
            }
        }
        XCTAssertTrue(StickTableCarryOver.compatible(old, new))
        XCTAssertFalse(StickTableCarryOver.compatible(old, definition("fe", .ipv6)))
    }
}
