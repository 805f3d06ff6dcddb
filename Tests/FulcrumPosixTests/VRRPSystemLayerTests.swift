import FulcrumBytes
import XCTest
import Glibc
@testable import FulcrumPosix

/// The VRRP system layer against the kernel, in two network namespaces joined
/// by a veth pair: rtnetlink look-ups, address changes and events, VRRP raw
/// sockets across the link, gratuitous ARP seen by the peer.
final class VRRPSystemLayerTests: XCTestCase {
    private var lab: NetnsPair?

    override func tearDown() {
        lab?.destroy()
        lab = nil
        super.tearDown()
    }

    private func makeLab() throws -> NetnsPair {
        let l = try NetnsPair(tag: "v")
        lab = l
        return l
    }

    // MARK: Pure parts (no root)

    func testGratuitousARPFrameIsKeepalivedsByteForByte() {
        // Captured with tcpdump -xx from keepalived 2.2.7 announcing 10.77.0.100.
        let captured: [UInt8] = [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x6a, 0x89, 0x52, 0x55, 0x10, 0xa8, 0x08, 0x06, 0x00, 0x01,
            0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x6a, 0x89, 0x52, 0x55, 0x10, 0xa8, 0x0a, 0x4d, 0x00, 0x64,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0a, 0x4d, 0x00, 0x64,
        ]
        let mac = MACAddress([0x6a, 0x89, 0x52, 0x55, 0x10, 0xa8])!
        XCTAssertEqual(GratuitousARP.frame(announcing: IPv4Address(10, 77, 0, 100), mac: mac), captured)
        XCTAssertEqual(mac.description, "6a:89:52:55:10:a8")
    }

    func testIPv4AddressAndScopeValues() throws {
        let a = try XCTUnwrap(IPv4Address("192.168.1.20"))
        XCTAssertEqual(a.description, "192.168.1.20")
        XCTAssertEqual(a.octets, [192, 168, 1, 20])
        XCTAssertLessThan(try XCTUnwrap(IPv4Address("192.168.1.3")), a)
        XCTAssertNil(IPv4Address("192.168.1"))
        XCTAssertNil(IPv4Address("300.1.1.1"))
        XCTAssertTrue(IPv4Address.vrrpMulticast.isMulticast)
        XCTAssertFalse(a.isMulticast)
        XCTAssertEqual(AddressScope(name: "link"), .link)
        XCTAssertEqual(AddressScope(name: "host")?.rawValue, 254)
        XCTAssertNil(AddressScope(name: "galaxy"))
    }

    // MARK: Namespaces

    func testNamespaceRunMovesTheThreadAndBringsItBack() throws {
        let lab = try makeLab()
        func here() -> String {
            var buf = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/thread-self/ns/net", &buf, buf.count - 1)
            return n > 0 ? String(cString: buf) : "?"
        }
        let before = here()
        let inside = try lab.inside(lab.a) { here() }
        XCTAssertNotEqual(inside, before)
        XCTAssertEqual(here(), before)
        // The thread sees the namespace's interfaces only while inside.
        XCTAssertNotNil(try lab.inside(lab.a) { try RouteNetlink().interface(named: lab.linkA) })
        XCTAssertNil(try RouteNetlink().interface(named: lab.linkA))
    }

    // MARK: rtnetlink

    func testInterfaceLookUpAndAddressAddListDelete() throws {
        let lab = try makeLab()
        try lab.inside(lab.a) {
            let nl = try RouteNetlink()
            XCTAssertNil(try nl.interface(named: "nosuchif0"))
            let link = try XCTUnwrap(try nl.interface(named: lab.linkA))
            XCTAssertEqual(link.name, lab.linkA)
            XCTAssertTrue(link.isUp)
            XCTAssertTrue(link.isOperational, "veth with its peer up is running")
            XCTAssertEqual(link.mtu, 1500)
            XCTAssertNotNil(link.mac)
            XCTAssertNotEqual(link.mac, .zero)
            XCTAssertEqual(try nl.interface(index: link.index)?.name, lab.linkA)
            XCTAssertTrue(try nl.interfaces().contains { $0.name == "lo" })

            XCTAssertEqual(try nl.primaryIPv4Address(interfaceIndex: link.index)?.address, lab.addressA)

            let vip = InterfaceAddress(interfaceIndex: link.index, address: IPv4Address(10, 213, 0, 100),
                                       prefixLength: 24, broadcast: IPv4Address(10, 213, 0, 255),
                                       label: lab.linkA + ":vip")
            XCTAssertEqual(try nl.addAddress(vip), .applied)
            XCTAssertEqual(try nl.addAddress(vip), .alreadyPresent, "EEXIST on a duplicate add")

            let listed = try nl.ipv4Addresses(interfaceIndex: link.index)
            let mine = try XCTUnwrap(listed.first { $0.address == vip.address })
            XCTAssertEqual(mine.prefixLength, 24)
            XCTAssertEqual(mine.broadcast, vip.broadcast)
            XCTAssertEqual(mine.label, lab.linkA + ":vip")
            XCTAssertEqual(mine.scope, .global)
            XCTAssertTrue(mine.isSecondary, "10.213.0.1/24 was there first")
            XCTAssertFalse(try XCTUnwrap(listed.first { $0.address == lab.addressA }).isSecondary)
            XCTAssertEqual(try nl.primaryIPv4Address(interfaceIndex: link.index)?.address, lab.addressA)

            let shown = lab.ipv4AddressLines(lab.a)
            let line = try XCTUnwrap(shown.first { $0.contains("inet 10.213.0.100/24") }, "ip shows: \(shown)")
            XCTAssertTrue(line.contains("brd 10.213.0.255"), line)
            XCTAssertTrue(line.contains("secondary"), line)
            XCTAssertTrue(line.contains(lab.linkA + ":vip"), line)

            XCTAssertEqual(try nl.deleteAddress(vip), .applied)
            XCTAssertFalse(lab.ipv4AddressLines(lab.a).contains { $0.contains("10.213.0.100") })
            XCTAssertEqual(try nl.deleteAddress(vip), .alreadyAbsent, "EADDRNOTAVAIL on a second delete")

            // A /32 host-scope address, and a refusal that is not "already": no such interface.
            let host = InterfaceAddress(interfaceIndex: link.index, address: IPv4Address(10, 99, 0, 1), scope: .host)
            XCTAssertEqual(try nl.addAddress(host), .applied)
            XCTAssertTrue(lab.ipv4AddressLines(lab.a).contains { $0.contains("inet 10.99.0.1/32") && $0.contains("scope host") })
            var gone = host
            gone.interfaceIndex = 9999
            XCTAssertThrowsError(try nl.addAddress(gone)) { XCTAssertEqual($0 as? Errno, Errno(ENODEV)) }
        }
    }

    func testLinkDownAndAddressEventsArriveOnTheEventSocket() throws {
        let lab = try makeLab()
        let (events, index) = try lab.inside(lab.a) { () -> (RouteEventSocket, Int32) in
            let index = try XCTUnwrap(try RouteNetlink().interface(named: lab.linkA)).index
            return (try RouteEventSocket(), index)
        }
        let epoll = try Epoll(capacity: 4)
        try epoll.add(events.fd, events: .readable, token: 7)

        // Nothing pending: drain returns at once (non-blocking).
        XCTAssertEqual(try events.drain { _ in }, 0)

        let extra = IPv4Address(10, 213, 0, 50)
        lab.ip(lab.a, ["addr", "add", "\(extra)/32", "dev", lab.linkA])
        lab.ip(lab.a, ["link", "set", lab.linkA, "down"])
        var sawAdded = false, sawDown = false
        try collect(events, epoll, until: { sawAdded && sawDown }) { event in
            switch event {
            case .addressAdded(let a) where a.address == extra:
                XCTAssertEqual(a.interfaceIndex, index)
                XCTAssertEqual(a.prefixLength, 32)
                sawAdded = true
            case .link(let i) where i.index == index && !i.isUp:
                XCTAssertEqual(i.name, lab.linkA)
                XCTAssertFalse(i.isOperational)
                sawDown = true
            default:
                break
            }
        }
        XCTAssertTrue(sawAdded, "RTM_NEWADDR for \(extra)")
        XCTAssertTrue(sawDown, "RTM_NEWLINK with IFF_UP cleared for \(lab.linkA)")

        lab.ip(lab.a, ["addr", "del", "\(extra)/32", "dev", lab.linkA])
        var sawRemoved = false
        try collect(events, epoll, until: { sawRemoved }) { event in
            if case .addressRemoved(let a) = event, a.address == extra { sawRemoved = true }
        }
        XCTAssertTrue(sawRemoved, "RTM_DELADDR for \(extra)")
    }

    /// Drains events as epoll reports them until `done` or 3 s pass.
    private func collect(_ events: RouteEventSocket, _ epoll: Epoll, until done: () -> Bool,
                         _ body: (RouteEvent) -> Void) throws {
        let deadline = MonotonicClock.nowMilliseconds() + 3000
        while !done() && MonotonicClock.nowMilliseconds() < deadline {
            guard epoll.wait(timeout: 200) > 0 else { continue }
            XCTAssertEqual(epoll.token(at: 0), 7)
            try events.drain(body)
        }
    }

    // MARK: VRRP sockets

    func testVRRPPacketCrossesTheLinkWithTTL255FromTheBoundSource() throws {
        let lab = try makeLab()
        let receiver = try lab.inside(lab.b) { () -> VRRPReceiveSocket in
            let link = try XCTUnwrap(try RouteNetlink().interface(named: lab.linkB))
            return try VRRPReceiveSocket(interfaceName: link.name, interfaceIndex: link.index)
        }
        defer { receiver.close() }
        let sender = try lab.inside(lab.a) { () -> VRRPSendSocket in
            let nl = try RouteNetlink()
            let link = try XCTUnwrap(try nl.interface(named: lab.linkA))
            let source = try XCTUnwrap(try nl.primaryIPv4Address(interfaceIndex: link.index)).address
            return try VRRPSendSocket(interfaceName: link.name, interfaceIndex: link.index, source: source)
        }
        defer { sender.close() }
        XCTAssertEqual(sender.source, lab.addressA)

        // A VRRPv2 advert's shape: version 2/type 1, VRID 51, priority 100, 1 address, ...
        let message: [UInt8] = [0x21, 51, 100, 1, 0, 1, 0, 0, 10, 213, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0]
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 8)
        defer { buffer.deallocate() }

        for destination in [IPv4Address.vrrpMulticast, lab.addressB] {
            _ = try message.withUnsafeBytes { try sender.send($0, to: destination) }
            XCTAssertTrue(waitReadable(receiver.fd, milliseconds: 2000), "nothing arrived for \(destination)")
            let (length, source) = try receiver.receive(into: buffer)
            let packet = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
            XCTAssertEqual(source, lab.addressA)
            XCTAssertEqual(length, 20 + message.count)
            XCTAssertEqual(packet[0] >> 4, 4)
            XCTAssertEqual(packet[1], 0xC0, "network-control precedence, as keepalived")
            XCTAssertEqual(packet[8], 255, "TTL 255 to \(destination)")
            XCTAssertEqual(packet[9], 112)
            XCTAssertEqual(IPv4Address(networkBytes: packet, offset: 12), lab.addressA)
            XCTAssertEqual(IPv4Address(networkBytes: packet, offset: 16), destination)
            XCTAssertEqual(Array(packet[20...]), message)
        }
        XCTAssertThrowsError(try receiver.receive(into: buffer)) { XCTAssertEqual($0 as? Errno, .again) }
    }

    func testSendSocketNeedsALocalSourceAddress() throws {
        let lab = try makeLab()
        try lab.inside(lab.a) {
            let link = try XCTUnwrap(try RouteNetlink().interface(named: lab.linkA))
            XCTAssertThrowsError(try VRRPSendSocket(interfaceName: link.name, interfaceIndex: link.index,
                                                    source: IPv4Address(192, 0, 2, 1))) {
                XCTAssertEqual($0 as? Errno, Errno(EADDRNOTAVAIL))
            }
        }
    }

    // MARK: Gratuitous ARP

    func testGratuitousARPIsSeenByThePeer() throws {
        let lab = try makeLab()
        let capture = try lab.inside(lab.b) { () -> FileDescriptor in
            FileDescriptor(try syscall { socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(UInt16(0x0806).bigEndian)) })
        }
        defer { capture.close() }
        let vip = IPv4Address(10, 213, 0, 100)
        let mac = try lab.inside(lab.a) { () -> MACAddress in
            let link = try XCTUnwrap(try RouteNetlink().interface(named: lab.linkA))
            let mac = try XCTUnwrap(link.mac)
            let garp = try GratuitousARP()
            defer { garp.close() }
            try garp.send(announcing: vip, interfaceIndex: link.index, mac: mac)
            return mac
        }
        let expected = GratuitousARP.frame(announcing: vip, mac: mac)
        var frame = [UInt8](repeating: 0, count: 2048)
        var seen = false
        while !seen && waitReadable(capture, milliseconds: 2000) {
            let n = try frame.withUnsafeMutableBytes { try capture.read(into: $0.baseAddress!, count: $0.count) }
            // The driver pads to 60 bytes; the ARP part is the 42 we sent.
            if n >= GratuitousARP.frameLength, Array(frame[0..<GratuitousARP.frameLength]) == expected { seen = true }
        }
        XCTAssertTrue(seen, "no gratuitous ARP for \(vip) from \(mac) in \(lab.b)")
    }
}
