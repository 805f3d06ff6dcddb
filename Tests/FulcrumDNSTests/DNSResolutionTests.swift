import XCTest
import FulcrumBytes
@testable import FulcrumDNS

final class DNSResolutionTests: XCTestCase {
    func answer(_ id: UInt16, _ name: String, _ type: DNSType, _ addresses: [IPv4Address], code: DNSResponseCode = .noError) -> DNSResponse {
        var b = DNSResponseBuilder(id: id, responseCode: code, question: name, type: type)
        for a in addresses { b.add(DNSRecord(name: name, ttl: 1, data: .a(a))) }
        return try! DNSCodec.decode(b.bytes).get()
    }

    func testValidThenNXKeptForHoldNX() {
        var t = DNSResolverTiming()
        t.holdNX = 2000; t.holdValid = 500; t.retries = 1; t.timeoutResolve = 100
        var r = DNSResolution(name: "App.Test.", preferIPv4: true)
        XCTAssertEqual(r.queryType, .a)
        XCTAssertEqual(r.nextStart(t), 0)
        r.start(id: 1, now: 0, t)
        XCTAssertEqual(r.receive(answer(2, "app.test", .a, [IPv4Address(1, 1, 1, 1)]), nameservers: 1, newID: 9, now: 5, t), .ignored)
        XCTAssertEqual(r.receive(answer(1, "app.test", .a, [IPv4Address(1, 1, 1, 1)]), nameservers: 1, newID: 9, now: 5, t), .done)
        XCTAssertEqual(r.status, .valid)
        XCTAssertEqual(r.items.map(\.address), [.v4(IPv4Address(1, 1, 1, 1))])
        XCTAssertEqual(r.nextStart(t), 505)
        var slower = t
        slower.timeoutResolve = 1000
        XCTAssertEqual(r.nextStart(slower), 1005, "not before timeout resolve")
        // NXDOMAIN for A, then for AAAA (asked at once): nx, kept while within hold nx.
        r.start(id: 3, now: 1000, t)
        XCTAssertEqual(r.receive(answer(3, "app.test", .a, [], code: .nameError), nameservers: 1, newID: 4, now: 1001, t), .resend)
        XCTAssertEqual(r.queryType, .aaaa)
        XCTAssertEqual(r.receive(answer(4, "app.test", .aaaa, [], code: .nameError), nameservers: 1, newID: 5, now: 1002, t), .done)
        XCTAssertEqual(r.status, .nx)
        XCTAssertEqual(r.items.count, 1)
        r.start(id: 6, now: 2100, t)
        _ = r.receive(answer(6, "app.test", .a, [], code: .nameError), nameservers: 1, newID: 7, now: 2101, t)
        XCTAssertEqual(r.receive(answer(7, "app.test", .aaaa, [], code: .nameError), nameservers: 1, newID: 8, now: 2102, t), .done)
        XCTAssertEqual(r.items, [])
    }

    func testErrorsWaitForEveryNameserverAndTimeoutsRetry() {
        var t = DNSResolverTiming()
        t.retries = 2; t.holdTimeout = 0
        var r = DNSResolution(name: "x.test", preferIPv4: false)
        XCTAssertEqual(r.queryType, .aaaa)
        r.start(id: 1, now: 0, t)
        XCTAssertEqual(r.receive(answer(1, "x.test", .aaaa, [], code: .refused), nameservers: 2, newID: 2, now: 1, t), .waiting)
        XCTAssertEqual(r.nextDeadline(t), 1000)
        XCTAssertTrue(r.timedOut(newID: 2, now: 1000, t))
        XCTAssertFalse(r.timedOut(newID: 3, now: 2000, t))
        XCTAssertEqual(r.status, .timeout)
        XCTAssertNil(r.pendingID)
    }

    func testObsoleteItemsAgeOut() {
        var t = DNSResolverTiming()
        t.holdObsolete = 1000
        var r = DNSResolution(name: "a.t", preferIPv4: true)
        r.start(id: 1, now: 0, t)
        _ = r.receive(answer(1, "a.t", .a, [IPv4Address(1, 0, 0, 1), IPv4Address(1, 0, 0, 2)]), nameservers: 1, newID: 0, now: 0, t)
        r.start(id: 2, now: 500, t)
        _ = r.receive(answer(2, "a.t", .a, [IPv4Address(1, 0, 0, 2)]), nameservers: 1, newID: 0, now: 500, t)
        XCTAssertEqual(r.items.count, 2)
        r.start(id: 3, now: 1200, t)
        _ = r.receive(answer(3, "a.t", .a, [IPv4Address(1, 0, 0, 2)]), nameservers: 1, newID: 0, now: 1200, t)
        XCTAssertEqual(r.items.map(\.address), [.v4(IPv4Address(1, 0, 0, 2))])
    }

    func testSlotsKeepTheirAddressAndFillInOrder() {
        let a = IPAddress("10.0.0.1")!, b = IPAddress("10.0.0.2")!, c = IPAddress("10.0.0.3")!
        let items = [c, a].map { DNSResolvedItem(address: $0, lastSeen: 0) }
        // Slot 2 keeps 10.0.0.1; slot 1 lost 10.0.0.2 and takes 10.0.0.3; slot 3 gets none.
        XCTAssertEqual(DNSSlotAssignment.assign(current: [b, a, nil], items: items, allowDuplicates: [false, false, false]),
                       [0, 1, nil])
        XCTAssertEqual(DNSSlotAssignment.assign(current: [nil, nil], items: items, allowDuplicates: [true, true]), [0, 0])
        XCTAssertEqual(DNSSlotAssignment.serverWeight(srv: 0), 1)
        XCTAssertEqual(DNSSlotAssignment.serverWeight(srv: 65535), 256)
    }

    func testTruncatedAddressAnswerIsAnError() {
        var t = DNSResolverTiming()
        t.holdOther = 0; t.retries = 1
        var r = DNSResolution(name: "tc.test", preferIPv4: true)
        r.start(id: 1, now: 0, t)
        var b = DNSResponseBuilder(id: 1, truncated: true, question: "tc.test", type: .a)
        b.add(DNSRecord(name: "tc.test", ttl: 1, data: .a(IPv4Address(1, 1, 1, 1))))
        let truncated = try! DNSCodec.decode(b.bytes).get()
        XCTAssertEqual(r.receive(truncated, nameservers: 1, newID: 2, now: 1, t), .resend)
        var b2 = DNSResponseBuilder(id: 2, truncated: true, question: "tc.test", type: .aaaa)
        b2.add(DNSRecord(name: "tc.test", ttl: 1, data: .a(IPv4Address(1, 1, 1, 1))))
        XCTAssertEqual(r.receive(try! DNSCodec.decode(b2.bytes).get(), nameservers: 1, newID: 3, now: 2, t), .done)
        XCTAssertEqual(r.status, .other)
        XCTAssertEqual(r.items, [])
    }

    func testResolveNetPrefersItsNetworks() {
        let items = ["192.168.1.5", "10.1.2.3", "192.168.1.6", "10.9.9.9"].map { DNSResolvedItem(address: IPAddress($0)!, lastSeen: 0) }
        let ordered = DNSSlotAssignment.preferring([IPNetwork("10.0.0.0/8")!], items)
        XCTAssertEqual(ordered.map(\.address.description), ["10.1.2.3", "10.9.9.9", "192.168.1.5", "192.168.1.6"])
        // A single server takes the first preferred one.
        XCTAssertEqual(DNSSlotAssignment.assign(current: [nil], items: ordered, allowDuplicates: [false]), [0])
        XCTAssertEqual(DNSSlotAssignment.preferring([], items), items)
    }

    /// An SRV answer whose target has no additional record is valid: the
    /// target is kept for a lookup of its own, the others become items.
    func testSRVTargetWithoutAdditionalRecordIsKeptForItsOwnLookup() {
        let t = DNSResolverTiming()
        var r = DNSResolution(name: "_http._tcp.app.test", preferIPv4: true)
        XCTAssertEqual(r.queryType, .srv)
        r.start(id: 1, now: 0, t)
        var b = DNSResponseBuilder(id: 1, question: "_http._tcp.app.test", type: .srv)
        b.add(DNSRecord(name: "_http._tcp.app.test", ttl: 1, data: .srv(priority: 0, weight: 10, port: 8001, target: "a.app.test")))
        b.add(DNSRecord(name: "_http._tcp.app.test", ttl: 1, data: .srv(priority: 0, weight: 20, port: 8002, target: "b.other.test")))
        b.add(DNSRecord(name: "a.app.test", ttl: 1, data: .a(IPv4Address(10, 0, 0, 1))), to: .additional)
        XCTAssertEqual(r.receive(try! DNSCodec.decode(b.bytes).get(), nameservers: 1, newID: 2, now: 1, t), .done)
        XCTAssertEqual(r.status, .valid)
        XCTAssertEqual(r.items.map(\.port), [8001])
        XCTAssertEqual(r.targetsWithoutAddress.map(\.target), ["b.other.test"])
        XCTAssertEqual(r.targetsWithoutAddress.map(\.port), [8002])
        // Only unaddressed targets: still a valid answer.
        r.start(id: 3, now: 2000, t)
        var c = DNSResponseBuilder(id: 3, question: "_http._tcp.app.test", type: .srv)
        c.add(DNSRecord(name: "_http._tcp.app.test", ttl: 1, data: .srv(priority: 0, weight: 20, port: 8002, target: "b.other.test")))
        XCTAssertEqual(r.receive(try! DNSCodec.decode(c.bytes).get(), nameservers: 1, newID: 4, now: 2001, t), .done)
        XCTAssertEqual(r.status, .valid)
        XCTAssertEqual(r.targetsWithoutAddress.map(\.target), ["b.other.test"])
    }

    /// An error in both families ends the resolution on its last try only:
    /// before, the next try (preferred family first) waits for `timeout retry`.
    func testErrorsInBothFamiliesRetryAfterTimeoutRetry() {
        var t = DNSResolverTiming()
        t.retries = 2; t.timeoutRetry = 100
        var r = DNSResolution(name: "gone.test", preferIPv4: false)
        r.start(id: 1, now: 0, t)
        XCTAssertEqual(r.receive(answer(1, "gone.test", .aaaa, [], code: .nameError), nameservers: 1, newID: 2, now: 1, t), .resend)
        XCTAssertEqual(r.receive(answer(2, "gone.test", .a, [], code: .nameError), nameservers: 1, newID: 3, now: 2, t), .waiting)
        XCTAssertEqual(r.status, .none)
        XCTAssertEqual(r.nextDeadline(t), 101)
        XCTAssertTrue(r.timedOut(newID: 4, now: 101, t))
        XCTAssertEqual(r.queryType, .aaaa)
        XCTAssertEqual(r.receive(answer(4, "gone.test", .aaaa, [], code: .nameError), nameservers: 1, newID: 5, now: 102, t), .resend)
        XCTAssertEqual(r.receive(answer(5, "gone.test", .a, [], code: .nameError), nameservers: 1, newID: 6, now: 103, t), .done)
        XCTAssertEqual(r.status, .nx)
    }
}
