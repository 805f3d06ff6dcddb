import FulcrumBytes
import XCTest
import FulcrumVRRP

/// Packets captured with tcpdump from keepalived 2.2.7 (Debian) in a network namespace:
/// instance V2 (vrid 51, priority 150, advert_int 1, auth_type PASS, auth_pass "secret123",
/// VIPs 192.168.77.100 and .101) and V3 (version 3, vrid 52, priority 200, advert_int 0.5,
/// VIP 192.168.77.110), both on 192.168.77.2; and the priority 0 adverts each sent on stop.
enum Keepalived {
    static let v2Password = hexBytes("""
        45c0 002c 0001 0000 ff70 cce3 c0a8 4d02 e000 0012 2133 9602 0101 be2f c0a8 4d64
        c0a8 4d65 7365 6372 6574 3132
        """)
    static let v2PasswordStop = hexBytes("""
        45c0 002c 0004 0000 ff70 cce0 c0a8 4d02 e000 0012 2133 0002 0101 5430 c0a8 4d64
        c0a8 4d65 7365 6372 6574 3132
        """)
    /// The same instance without authentication and with only .100.
    static let v2NoAuth = hexBytes("""
        45c0 0028 0001 0000 ff70 cce7 c0a8 4d02 e000 0012 2133 9601 0001 3abd c0a8 4d64
        0000 0000 0000 0000
        """)
    static let v3 = hexBytes("45c0 0020 0001 0000 ff70 ccef c0a8 4d02 e000 0012 3134 c801 0032 0a47 c0a8 4d6e")
    static let v3Stop = hexBytes("45c0 0020 000c 0000 ff70 cce4 c0a8 4d02 e000 0012 3134 0001 0032 d247 c0a8 4d6e")

    static let source = IPv4Address(192, 168, 77, 2)
    static let v2VIPs = [IPv4Address(192, 168, 77, 100), IPv4Address(192, 168, 77, 101)]
    static let v3VIPs = [IPv4Address(192, 168, 77, 110)]
    static let password = VRRPAuthentication.password(VRRPPassword("secret123"))

    static let v2Rules = VRRPReceiveRules(version: .v2, vrid: 51, intervalCentiseconds: 100,
                                          authentication: password, addresses: v2VIPs)
    static let v3Rules = VRRPReceiveRules(version: .v3, vrid: 52, intervalCentiseconds: 100, addresses: v3VIPs)
}

final class VRRPPacketTests: XCTestCase {
    // MARK: Known-good bytes

    func testEncodesV2WithPasswordAsKeepalived() {
        for (priority, captured) in [(UInt8(150), Keepalived.v2Password), (0, Keepalived.v2PasswordStop)] {
            let advert = VRRPAdvertisement(version: .v2, vrid: 51, priority: priority, intervalCentiseconds: 100,
                                           addresses: Keepalived.v2VIPs, authentication: Keepalived.password)
            XCTAssertEqual(encoded(advert, source: Keepalived.source), Array(captured[20...]), "priority \(priority)")
        }
    }

    func testEncodesV2WithoutAuthenticationAsKeepalived() {
        let advert = VRRPAdvertisement(version: .v2, vrid: 51, priority: 150, intervalCentiseconds: 100,
                                       addresses: [IPv4Address(192, 168, 77, 100)])
        XCTAssertEqual(encoded(advert, source: Keepalived.source), Array(Keepalived.v2NoAuth[20...]))
    }

    func testEncodesV3WithPseudoHeaderChecksumAsKeepalived() {
        for (priority, captured) in [(UInt8(200), Keepalived.v3), (0, Keepalived.v3Stop)] {
            let advert = VRRPAdvertisement(version: .v3, vrid: 52, priority: priority, intervalCentiseconds: 50,
                                           addresses: Keepalived.v3VIPs)
            XCTAssertEqual(encoded(advert, source: Keepalived.source), Array(captured[20...]), "priority \(priority)")
        }
    }

    func testEncodesFieldsAtTheirRFCOffsets() {
        // v3, 3 addresses, interval 4095 cs: byte 0 version 3 type 1, 12-bit interval, no auth data.
        let vips = [IPv4Address(10, 0, 0, 1), IPv4Address(10, 0, 0, 2), IPv4Address(10, 0, 0, 3)]
        let v3 = encoded(VRRPAdvertisement(version: .v3, vrid: 7, priority: 254, intervalCentiseconds: 4095,
                                           addresses: vips), source: IPv4Address(10, 0, 0, 9))
        XCTAssertEqual(v3.count, 8 + 12)
        XCTAssertEqual(Array(v3[0..<6]), [0x31, 7, 254, 3, 0x0F, 0xFF])
        XCTAssertEqual(Array(v3[8...]), [10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3])
        // v2: auth type 1, interval 3 s, the password last, truncated to 8 bytes.
        let v2 = encoded(VRRPAdvertisement(version: .v2, vrid: 9, priority: 1, intervalCentiseconds: 300,
                                           addresses: [vips[0]],
                                           authentication: .password(VRRPPassword("abcdefghij"))),
                         source: IPv4Address(10, 0, 0, 9))
        XCTAssertEqual(Array(v2[0..<6]), [0x21, 9, 1, 1, 1, 3])
        XCTAssertEqual(Array(v2[12...]), Array("abcdefgh".utf8))
        XCTAssertEqual(VRRPPacket.messageLength(version: .v2, addressCount: 1), v2.count)
    }

    func testEncodeReusesTheCallersBuffer() {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        let advert = VRRPAdvertisement(version: .v3, vrid: 52, priority: 200, intervalCentiseconds: 50,
                                       addresses: Keepalived.v3VIPs)
        VRRPPacket.encode(advert, source: Keepalived.source, destination: .vrrpMulticast, into: &buffer)
        let storage = buffer.withUnsafeBufferPointer { $0.baseAddress }
        VRRPPacket.encode(advert, source: Keepalived.source, destination: .vrrpMulticast, into: &buffer)
        XCTAssertEqual(buffer.withUnsafeBufferPointer { $0.baseAddress }, storage)
        XCTAssertEqual(buffer, Array(Keepalived.v3[20...]))
    }

    func testDecodesKeepalivedPackets() throws {
        let v2 = try decodeResult(Keepalived.v2Password, Keepalived.v2Rules).get()
        XCTAssertEqual(v2.source, Keepalived.source)
        XCTAssertEqual(v2.destination, .vrrpMulticast)
        XCTAssertEqual(v2.ttl, 255)
        XCTAssertEqual(v2.checksumForm, .standard)
        XCTAssertEqual(v2.advertisement, VRRPAdvertisement(version: .v2, vrid: 51, priority: 150,
                                                           intervalCentiseconds: 100, addresses: Keepalived.v2VIPs,
                                                           authentication: Keepalived.password))
        let v3 = try decodeResult(Keepalived.v3, Keepalived.v3Rules).get()
        XCTAssertEqual(v3.advertisement, VRRPAdvertisement(version: .v3, vrid: 52, priority: 200,
                                                           intervalCentiseconds: 50, addresses: Keepalived.v3VIPs))
        XCTAssertEqual(v3.checksumForm, .standard)
        XCTAssertEqual(try decodeResult(Keepalived.v3Stop, Keepalived.v3Rules).get().advertisement.priority, 0)
    }

    func testRoundTrip() throws {
        let vips = (1...20).map { IPv4Address(172, 16, 0, UInt8($0)) }
        let source = IPv4Address(172, 16, 0, 250)
        for version in [VRRPVersion.v2, .v3] {
            let advert = VRRPAdvertisement(version: version, vrid: 200, priority: 77, intervalCentiseconds: 200,
                                           addresses: vips,
                                           authentication: version == .v2 ? .password(VRRPPassword("pw")) : .none)
            let packet = ipv4Packet(encoded(advert, source: source), source: source)
            let rules = VRRPReceiveRules(version: version, vrid: 200, intervalCentiseconds: 200,
                                         authentication: advert.authentication, addresses: vips.reversed())
            let received = try decodeResult(packet, rules).get()
            XCTAssertEqual(received.advertisement, advert)
            XCTAssertEqual(received.source, source)
        }
    }

    func testIPOptionsAreSkipped() throws {
        let message = Array(Keepalived.v3[20...])
        let packet = ipv4Packet(message, source: Keepalived.source, options: [1, 1, 1, 0])
        XCTAssertEqual(try decodeResult(packet, Keepalived.v3Rules).get().advertisement.vrid, 52)
        XCTAssertEqual(VRRPPacket.vrid(ofIPv4Packet: packet), 52)
    }

    func testVRIDPeekForDispatch() {
        XCTAssertEqual(VRRPPacket.vrid(ofIPv4Packet: Keepalived.v2Password), 51)
        XCTAssertNil(VRRPPacket.vrid(ofIPv4Packet: Array(Keepalived.v2Password[0..<24])))
    }

    // MARK: v3 checksum forms

    func testV3UnicastAcceptsBothPseudoHeaderDestinations() throws {
        let peer = IPv4Address(192, 168, 77, 3)
        let advert = VRRPAdvertisement(version: .v3, vrid: 52, priority: 200, intervalCentiseconds: 50,
                                       addresses: Keepalived.v3VIPs)
        var rules = Keepalived.v3Rules
        rules.unicast = true
        // RFC 5798: the real destination in the pseudo-header.
        let standard = ipv4Packet(encoded(advert, source: Keepalived.source, destination: peer),
                                  source: Keepalived.source, destination: peer)
        XCTAssertEqual(try decodeResult(standard, rules).get().checksumForm, .standard)
        // keepalived <= 1.3.6 unicast: the multicast group in the pseudo-header.
        let old = ipv4Packet(encoded(advert, source: Keepalived.source, destination: .vrrpMulticast),
                             source: Keepalived.source, destination: peer)
        XCTAssertEqual(try decodeResult(old, rules).get().checksumForm, .multicastGroupPseudoHeader)
    }

    func testV3AcceptsChecksumWithoutPseudoHeader() throws {
        var message = encoded(VRRPAdvertisement(version: .v3, vrid: 52, priority: 200, intervalCentiseconds: 50,
                                                addresses: Keepalived.v3VIPs), source: Keepalived.source)
        message[6] = 0
        message[7] = 0
        let checksum = message.withUnsafeBytes { VRRPChecksum.checksum($0) }
        message[6] = UInt8(checksum >> 8)
        message[7] = UInt8(checksum & 0xFF)
        let packet = ipv4Packet(message, source: Keepalived.source)
        XCTAssertEqual(try decodeResult(packet, Keepalived.v3Rules).get().checksumForm, .noPseudoHeader)
    }

    func testV3ChecksumCoversTheSourceAddress() {
        // The same message from another source no longer verifies in any form.
        let packet = ipv4Packet(Array(Keepalived.v3[20...]), source: IPv4Address(192, 168, 77, 9))
        XCTAssertEqual(dropReason(packet, Keepalived.v3Rules), .checksum)
    }

    // MARK: Drop reasons, each with its keepalived counter

    func testMalformedAndForeignPackets() {
        XCTAssertEqual(dropReason(Array(Keepalived.v3[0..<27]), Keepalived.v3Rules), .malformedIPHeader)
        var ipv6 = Keepalived.v3
        ipv6[0] = 0x65
        XCTAssertEqual(dropReason(ipv6, Keepalived.v3Rules), .malformedIPHeader)
        var shortIHL = Keepalived.v3
        shortIHL[0] = 0x44
        XCTAssertEqual(dropReason(shortIHL, Keepalived.v3Rules), .malformedIPHeader)
        // Protocol 51 is AH: too short to hold one and the VRRP header after it.
        let ah = ipv4Packet(Array(Keepalived.v3[20...]), source: Keepalived.source, protocolNumber: 51)
        XCTAssertEqual(dropReason(ah, Keepalived.v3Rules), .malformedIPHeader)
        let tcp = ipv4Packet(Array(Keepalived.v3[20...]), source: Keepalived.source, protocolNumber: 6)
        XCTAssertEqual(dropReason(tcp, Keepalived.v3Rules), .notVRRP(protocol: 6))
        XCTAssertNil(VRRPDropReason.malformedIPHeader.counter)
    }

    func testVRIDMismatch() {
        var rules = Keepalived.v3Rules
        rules.vrid = 53
        XCTAssertEqual(dropReason(Keepalived.v3, rules), .vridMismatch(52))
        XCTAssertNil(VRRPDropReason.vridMismatch(52).counter)
    }

    func testPacketLengthErrors() {
        // One byte more than the address count implies.
        let long = Keepalived.v3 + [0]
        XCTAssertEqual(dropReason(long, Keepalived.v3Rules), .packetLength(received: 33, expected: 32))
        // The address count claims two addresses.
        var count = Keepalived.v3
        count[23] = 2
        XCTAssertEqual(dropReason(count, Keepalived.v3Rules), .packetLength(received: 32, expected: 36))
        // IP total length disagrees with what was received.
        let total = ipv4Packet(Array(Keepalived.v3[20...]), source: Keepalived.source, totalLength: 40)
        XCTAssertEqual(dropReason(total, Keepalived.v3Rules), .packetLength(received: 32, expected: 40))
        XCTAssertEqual(VRRPDropReason.packetLength(received: 1, expected: 2).counter, .packetLengthErrors)
    }

    func testTTLMustBe255UnlessUnicast() throws {
        let peer = IPv4Address(192, 168, 77, 3)
        let advert = VRRPAdvertisement(version: .v3, vrid: 52, priority: 200, intervalCentiseconds: 50,
                                       addresses: Keepalived.v3VIPs)
        let multicast = ipv4Packet(encoded(advert, source: Keepalived.source), source: Keepalived.source, ttl: 64)
        XCTAssertEqual(dropReason(multicast, Keepalived.v3Rules), .ttl(64))
        XCTAssertEqual(VRRPDropReason.ttl(64).counter, .ipTTLErrors)
        var rules = Keepalived.v3Rules
        rules.unicast = true
        let unicast = ipv4Packet(encoded(advert, source: Keepalived.source, destination: peer),
                                 source: Keepalived.source, destination: peer, ttl: 61)
        XCTAssertEqual(try decodeResult(unicast, rules).get().ttl, 61)
    }

    func testVersionMismatch() {
        var rules = Keepalived.v2Rules
        rules.addresses = Keepalived.v3VIPs
        rules.vrid = 52
        XCTAssertEqual(dropReason(Keepalived.v3, rules), .versionMismatch(3))
        XCTAssertEqual(VRRPDropReason.versionMismatch(3).counter, .versionErrors)
    }

    func testV2Authentication() {
        var noAuth = Keepalived.v2Rules
        noAuth.authentication = .none
        XCTAssertEqual(dropReason(Keepalived.v2Password, noAuth), .authTypeMismatch(1))
        XCTAssertEqual(VRRPDropReason.authTypeMismatch(1).counter, .authTypeMismatch)

        var wrong = Keepalived.v2Rules
        wrong.authentication = .password(VRRPPassword("secret"))
        XCTAssertEqual(dropReason(Keepalived.v2Password, wrong), .authFailure)
        XCTAssertEqual(VRRPDropReason.authFailure.counter, .authFailure)

        // keepalived truncates auth_pass to 8: "secret12" is the same password as "secret123".
        var truncated = Keepalived.v2Rules
        truncated.authentication = .password(VRRPPassword("secret12"))
        XCTAssertNil(dropReason(Keepalived.v2Password, truncated))

        // Auth type 2 (AH) is a known type: a mismatch; 3 is invalid.
        for (type, reason) in [(UInt8(2), VRRPDropReason.authTypeMismatch(2)), (3, .invalidAuthType(3))] {
            var message = encoded(VRRPAdvertisement(version: .v2, vrid: 51, priority: 150, intervalCentiseconds: 100,
                                                    addresses: Keepalived.v2VIPs, authentication: Keepalived.password),
                                  source: Keepalived.source)
            message[4] = type
            XCTAssertEqual(dropReason(ipv4Packet(message, source: Keepalived.source), Keepalived.v2Rules), reason)
        }
        XCTAssertEqual(VRRPDropReason.invalidAuthType(3).counter, .invalidAuthType)
    }

    func testV2IntervalMismatchIsDropped() {
        var rules = Keepalived.v2Rules
        rules.intervalCentiseconds = 200
        XCTAssertEqual(dropReason(Keepalived.v2Password, rules), .advertIntervalMismatch(receivedSeconds: 1))
        XCTAssertEqual(VRRPDropReason.advertIntervalMismatch(receivedSeconds: 1).counter, .advertIntervalErrors)
        // v3 never compares intervals: backups learn the master's.
        var v3 = Keepalived.v3Rules
        v3.intervalCentiseconds = 300
        XCTAssertNil(dropReason(Keepalived.v3, v3))
    }

    func testInvalidType() {
        var message = Array(Keepalived.v3[20...])
        message[0] = 0x32
        fixV3Checksum(&message)
        XCTAssertEqual(dropReason(ipv4Packet(message, source: Keepalived.source), Keepalived.v3Rules), .invalidType(2))
        XCTAssertEqual(VRRPDropReason.invalidType(2).counter, .invalidTypeReceived)
    }

    func testChecksumError() {
        var v2 = Keepalived.v2Password
        v2[27] ^= 0x01
        XCTAssertEqual(dropReason(v2, Keepalived.v2Rules), .checksum)
        var v3 = Keepalived.v3
        v3[31] ^= 0x80
        var rules = Keepalived.v3Rules
        rules.addresses = nil
        XCTAssertEqual(dropReason(v3, rules), .checksum)
        XCTAssertEqual(VRRPDropReason.checksum.counter, .checksumErrors)
    }

    func testAddressListChecks() {
        // Count differs from the instance's VIPs.
        var three = Keepalived.v3Rules
        three.addresses = Keepalived.v3VIPs + [IPv4Address(192, 168, 77, 111)]
        XCTAssertEqual(dropReason(Keepalived.v3, three), .addressCountMismatch(received: 1, expected: 2))
        // Same count, different address.
        var other = Keepalived.v3Rules
        other.addresses = [IPv4Address(192, 168, 77, 120)]
        XCTAssertEqual(dropReason(Keepalived.v3, other), .addressListMismatch(missing: IPv4Address(192, 168, 77, 120)))
        // Unchecked when the rules carry no list.
        other.addresses = nil
        XCTAssertNil(dropReason(Keepalived.v3, other))
        for reason in [VRRPDropReason.addressCountMismatch(received: 1, expected: 2),
                       .addressListMismatch(missing: IPv4Address(1, 2, 3, 4)),
                       .unexpectedDestination(IPv4Address(1, 2, 3, 4))] {
            XCTAssertEqual(reason.counter, .addressListErrors)
        }
    }

    /// skip_check_adv_addr exempts only the named source (the current master) from the list checks.
    func testAddressCheckExemptionAppliesToTheCurrentMasterOnly() {
        var other = Keepalived.v3Rules
        other.addresses = [IPv4Address(192, 168, 77, 120)]
        other.addressCheckExemptSource = Keepalived.source
        XCTAssertNil(dropReason(Keepalived.v3, other))
        other.addressCheckExemptSource = IPv4Address(192, 168, 77, 3)
        XCTAssertEqual(dropReason(Keepalived.v3, other), .addressListMismatch(missing: IPv4Address(192, 168, 77, 120)))
    }

    /// check_unicast_src: only the listed peers are heard.
    func testAllowedSourcesDropEveryOtherSender() {
        var rules = Keepalived.v3Rules
        rules.allowedSources = [IPv4Address(192, 168, 77, 3)]
        XCTAssertEqual(dropReason(Keepalived.v3, rules), .sourceNotUnicastPeer(Keepalived.source))
        XCTAssertNil(VRRPDropReason.sourceNotUnicastPeer(Keepalived.source).counter)
        rules.allowedSources = [IPv4Address(192, 168, 77, 3), Keepalived.source]
        XCTAssertNil(dropReason(Keepalived.v3, rules))
    }

    func testDestinationKindMustMatchTheInstance() {
        var unicast = Keepalived.v3Rules
        unicast.unicast = true
        XCTAssertEqual(dropReason(Keepalived.v3, unicast), .unexpectedDestination(.vrrpMulticast))
        let peer = IPv4Address(192, 168, 77, 3)
        let advert = VRRPAdvertisement(version: .v3, vrid: 52, priority: 200, intervalCentiseconds: 50,
                                       addresses: Keepalived.v3VIPs)
        let packet = ipv4Packet(encoded(advert, source: Keepalived.source, destination: peer),
                                source: Keepalived.source, destination: peer)
        XCTAssertEqual(dropReason(packet, Keepalived.v3Rules), .unexpectedDestination(peer))
    }

    func testChecksOrderFollowsKeepalived() {
        // The expected length follows the packet's own version, so a v3 advert to a v2 instance
        // passes the length check and then fails on TTL before version.
        var rules = Keepalived.v2Rules
        rules.vrid = 52
        XCTAssertEqual(dropReason(Keepalived.v3, rules), .versionMismatch(3))
        var packet = Keepalived.v3
        packet[8] = 1
        XCTAssertEqual(dropReason(packet, rules), .ttl(1))
        // A bad length wins over a bad TTL.
        XCTAssertEqual(dropReason(packet + [0], rules), .packetLength(received: 33, expected: 32))
        // The wrong password is found before the wrong interval.
        rules = Keepalived.v2Rules
        rules.intervalCentiseconds = 300
        rules.authentication = .password(VRRPPassword("other"))
        XCTAssertEqual(dropReason(Keepalived.v2Password, rules), .authFailure)
    }

    // MARK: Values

    func testAddressParsingAndOrder() {
        XCTAssertEqual(IPv4Address("192.168.77.2"), Keepalived.source)
        XCTAssertEqual(Keepalived.source.description, "192.168.77.2")
        for bad in ["1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", ""] { XCTAssertNil(IPv4Address(bad), bad) }
        XCTAssertLessThan(IPv4Address(10, 0, 0, 2), IPv4Address(10, 0, 1, 1))
        XCTAssertTrue(IPv4Address.vrrpMulticast.isMulticast)
        XCTAssertFalse(Keepalived.source.isMulticast)
    }

    private func fixV3Checksum(_ message: inout [UInt8]) {
        message[6] = 0
        message[7] = 0
        let initial = VRRPChecksum.pseudoHeaderSum(source: Keepalived.source, destination: .vrrpMulticast,
                                                   length: message.count)
        let checksum = message.withUnsafeBytes { VRRPChecksum.checksum($0, initial: initial) }
        message[6] = UInt8(checksum >> 8)
        message[7] = UInt8(checksum & 0xFF)
    }
}
