import FulcrumBytes
import XCTest
import FulcrumVRRP

/// keepalived 2.2.7's `auth_type AH` adverts, captured with tcpdump (Ethernet header cut) in a
/// network namespace on 10.77.0.11: a multicast MASTER (vrid 51, priority 150, advert_int 1,
/// auth_pass "PASS", VIP 10.77.0.200) sending sequence numbers 1 and 2; and a unicast one
/// (vrid 52, priority 200, auth_pass "secret12", peer 10.77.0.12, VIPs 10.77.0.201 and .202)
/// sending number 1, then priority 0 as number 2 when stopped.
enum KeepalivedAH {
    static let multicast1 = hexBytes("""
        45c0 0040 0001 0000 ff33 d05f 0a4d 000b e000 0012 7004 0000 0a4d 000b 0000 0001
        8cae 4094 b4e5 7e00 559d d7d2 2133 9601 0201 3bb5 0a4d 00c8 0000 0000 0000 0000
        """)
    static let multicast2 = hexBytes("""
        45c0 0040 0002 0000 ff33 d05e 0a4d 000b e000 0012 7004 0000 0a4d 000b 0000 0002
        0c1f 0d6b c819 48f8 29ce 8a96 2133 9601 0201 3bb5 0a4d 00c8 0000 0000 0000 0000
        """)
    static let unicast1 = hexBytes("""
        45c0 0044 0001 0000 ff33 a615 0a4d 000b 0a4d 000c 7004 0000 0a4d 000b 0000 0001
        326e 9082 0b32 3ddc 7ce4 0692 2134 c802 0201 fe9a 0a4d 00c9 0a4d 00ca 0000 0000
        0000 0000
        """)
    static let unicastStop = hexBytes("""
        45c0 0044 0002 0000 ff33 a614 0a4d 000b 0a4d 000c 7004 0000 0a4d 000b 0000 0002
        feec 0ac8 fa8f c5fc 7cbf 8169 2134 0002 0201 c69b 0a4d 00c9 0a4d 00ca 0000 0000
        0000 0000
        """)

    static let source = IPv4Address(10, 77, 0, 11)
    static let peer = IPv4Address(10, 77, 0, 12)
    static let pass = VRRPPassword("PASS")
    static let secret = VRRPPassword("secret12")

    static func multicastAdvert(priority: UInt8 = 150) -> VRRPAdvertisement {
        VRRPAdvertisement(version: .v2, vrid: 51, priority: priority, intervalCentiseconds: 100,
                          addresses: [IPv4Address(10, 77, 0, 200)], authentication: .ipsecAH(pass))
    }

    static func unicastAdvert(priority: UInt8) -> VRRPAdvertisement {
        VRRPAdvertisement(version: .v2, vrid: 52, priority: priority, intervalCentiseconds: 100,
                          addresses: [IPv4Address(10, 77, 0, 201), IPv4Address(10, 77, 0, 202)],
                          authentication: .ipsecAH(secret))
    }

    static let multicastRules = VRRPReceiveRules(version: .v2, vrid: 51, intervalCentiseconds: 100,
                                                 authentication: .ipsecAH(pass), addresses: [IPv4Address(10, 77, 0, 200)])
    static let unicastRules = VRRPReceiveRules(version: .v2, vrid: 52, intervalCentiseconds: 100,
                                               authentication: .ipsecAH(secret),
                                               addresses: [IPv4Address(10, 77, 0, 201), IPv4Address(10, 77, 0, 202)],
                                               unicast: true)
}

final class VRRPAuthenticationHeaderTests: XCTestCase {
    private func ah(_ advert: VRRPAdvertisement, password: VRRPPassword, destination: IPv4Address = .vrrpMulticast,
                    id: UInt16, sequence: UInt32, unicast: Bool = false) -> [UInt8] {
        var buffer: [UInt8] = []
        VRRPAuthenticationHeader.encode(advert, password: password, source: KeepalivedAH.source,
                                        destination: destination, identification: id, sequence: sequence,
                                        unicast: unicast, into: &buffer)
        return buffer
    }

    private func decode(_ packet: [UInt8], _ rules: VRRPReceiveRules,
                        _ sequence: inout VRRPAHSequence) -> Result<VRRPReceivedAdvertisement, VRRPDropReason> {
        do throws(VRRPDropReason) {
            return .success(try VRRPPacket.decode(ipv4Packet: packet, rules: rules, sequence: &sequence))
        } catch {
            return .failure(error)
        }
    }

    private func failure(_ result: Result<VRRPReceivedAdvertisement, VRRPDropReason>) -> VRRPDropReason? {
        if case .failure(let reason) = result { return reason }
        return nil
    }

    // MARK: MD5 and HMAC-MD5 (RFC 1321, RFC 2104 / 2202)

    func testMD5MatchesRFC1321() {
        let vectors: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (text, digest) in vectors {
            XCTAssertEqual(MD5.digest(Array(text.utf8)), hexBytes(digest), "MD5(\"\(text)\")")
        }
    }

    func testMD5OverPiecesEqualsMD5OverTheWhole() {
        let whole = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for cut in [0, 1, 55, 56, 63, 64, 65, 128, 299] {
            var hasher = MD5()
            hasher.update(Array(whole[..<cut]))
            hasher.update(Array(whole[cut...]))
            XCTAssertEqual(hasher.finish(), MD5.digest(whole), "cut at \(cut)")
        }
    }

    func testHMACMD5MatchesRFC2202() {
        XCTAssertEqual(HMACMD5.authenticate(key: [UInt8](repeating: 0x0B, count: 16), Array("Hi There".utf8)),
                       hexBytes("9294727a3638bb1c13f48ef8158bfc9d"))
        XCTAssertEqual(HMACMD5.authenticate(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)),
                       hexBytes("750c783e6ab0b503eaa86e310a5db738"))
        XCTAssertEqual(HMACMD5.authenticate(key: [UInt8](repeating: 0xAA, count: 16), [UInt8](repeating: 0xDD, count: 50)),
                       hexBytes("56be34521d144c88dbb8c733f0e8b3f6"))
        XCTAssertEqual(HMACMD5.authenticate(key: [UInt8](repeating: 0xAA, count: 80),
                                            Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)),
                       hexBytes("6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"))
    }

    // MARK: Known-good bytes from keepalived

    func testEncodesMulticastAHAsKeepalived() {
        XCTAssertEqual(ah(KeepalivedAH.multicastAdvert(), password: KeepalivedAH.pass, id: 1, sequence: 1), KeepalivedAH.multicast1)
        XCTAssertEqual(ah(KeepalivedAH.multicastAdvert(), password: KeepalivedAH.pass, id: 2, sequence: 2), KeepalivedAH.multicast2)
    }

    func testEncodesUnicastAHAsKeepalivedWithTheTTLLeftOutOfTheICV() {
        XCTAssertEqual(ah(KeepalivedAH.unicastAdvert(priority: 200), password: KeepalivedAH.secret, destination: KeepalivedAH.peer,
                          id: 1, sequence: 1, unicast: true), KeepalivedAH.unicast1)
        XCTAssertEqual(ah(KeepalivedAH.unicastAdvert(priority: 0), password: KeepalivedAH.secret, destination: KeepalivedAH.peer,
                          id: 2, sequence: 2, unicast: true), KeepalivedAH.unicastStop)
    }

    func testDecodesKeepalivedsAdvertsAndFollowsTheirSequenceNumbers() throws {
        XCTAssertEqual(VRRPPacket.vrid(ofIPv4Packet: KeepalivedAH.multicast1), 51, "the VRID is read after the AH")
        XCTAssertEqual(VRRPPacket.vrid(ofIPv4Packet: KeepalivedAH.unicast1), 52)
        var sequence = VRRPAHSequence()
        let first = try decode(KeepalivedAH.multicast1, KeepalivedAH.multicastRules, &sequence).get()
        XCTAssertEqual(first.advertisement.priority, 150)
        XCTAssertEqual(first.advertisement.authentication, .ipsecAH(KeepalivedAH.pass))
        XCTAssertEqual(first.source, KeepalivedAH.source)
        XCTAssertEqual(sequence.number, 1)
        XCTAssertNoThrow(try decode(KeepalivedAH.multicast2, KeepalivedAH.multicastRules, &sequence).get())
        XCTAssertEqual(sequence.number, 2)
        // The same number again, or an older one, is a replay.
        XCTAssertEqual(failure(decode(KeepalivedAH.multicast2, KeepalivedAH.multicastRules, &sequence)),
                       .sequenceReplayed(received: 2, local: 2))
        XCTAssertEqual(failure(decode(KeepalivedAH.multicast1, KeepalivedAH.multicastRules, &sequence)),
                       .sequenceReplayed(received: 1, local: 2))
        XCTAssertEqual(VRRPDropReason.sequenceReplayed(received: 1, local: 2).counter, .authFailure)

        var unicast = VRRPAHSequence()
        let stop = try decode(KeepalivedAH.unicastStop, KeepalivedAH.unicastRules, &unicast).get()
        XCTAssertEqual(stop.advertisement.priority, 0)
        XCTAssertEqual(unicast.number, 2)
    }

    /// One counter for sending and receiving, as keepalived keeps it: what a router sends next
    /// follows what it last accepted, so a backup that takes over continues the master's numbers.
    func testTheCounterSendsOnFromTheLastNumberAccepted() throws {
        var sequence = VRRPAHSequence()
        XCTAssertEqual(sequence.next(), 1)
        XCTAssertEqual(sequence.next(), 2)
        XCTAssertTrue(sequence.accept(40))
        XCTAssertEqual(sequence.next(), 41)
        XCTAssertFalse(sequence.accept(41))
        var cycled = VRRPAHSequence(number: 0xFFFF_FFFE)
        XCTAssertEqual(cycled.next(), 0xFFFF_FFFE)
        XCTAssertTrue(cycled.cycled)
        cycled.resetIfCycled()
        XCTAssertEqual(cycled.next(), 1)
    }

    // MARK: What is refused

    func testAWrongPasswordIsAnAuthenticationFailure() {
        var rules = KeepalivedAH.multicastRules
        rules.authentication = .ipsecAH(VRRPPassword("WRONG"))
        var sequence = VRRPAHSequence()
        XCTAssertEqual(failure(decode(KeepalivedAH.multicast1, rules, &sequence)), .authFailure)
        XCTAssertEqual(sequence.number, 0, "a refused advert does not move the counter")
        XCTAssertEqual(VRRPDropReason.authFailure.counter, .authFailure)
    }

    func testTheICVCoversTheMessageAndTheImmutableHeaderFields() {
        // Mutable fields (TOS, fragment offset, checksum) may change on the way.
        var mutable = KeepalivedAH.multicast1
        mutable[1] = 0x00
        mutable[10] = 0xAB
        var sequence = VRRPAHSequence()
        XCTAssertNoThrow(try decode(mutable, KeepalivedAH.multicastRules, &sequence).get())

        // Anything else may not: the identification, the priority (the ICV is checked before
        // the VRRP checksum), a VIP.
        for offset in [5, 46, 55] {
            var tampered = KeepalivedAH.multicast2
            tampered[offset] ^= 0x01
            var fresh = VRRPAHSequence()
            XCTAssertEqual(failure(decode(tampered, KeepalivedAH.multicastRules, &fresh)), .authFailure, "byte \(offset) changed")
        }
        // A unicast advert's TTL is left out (it may cross routers).
        var hops = KeepalivedAH.unicast1
        hops[8] = 60
        var unicast = VRRPAHSequence()
        XCTAssertNoThrow(try decode(hops, KeepalivedAH.unicastRules, &unicast).get())
    }

    func testTheSPIMustBeTheSourceAddress() {
        var packet = ah(KeepalivedAH.multicastAdvert(), password: KeepalivedAH.pass, id: 1, sequence: 1)
        // Re-sign with another SPI, so only the SPI check can refuse it.
        packet[27] = 0x63
        packet[1] = 0
        for index in 32..<44 { packet[index] = 0 }
        var zeroed = packet
        zeroed[10] = 0
        zeroed[11] = 0
        let icv = HMACMD5.authenticate(key: KeepalivedAH.pass.bytes, zeroed)
        for index in 0..<12 { packet[32 + index] = icv[index] }
        packet[1] = 0xC0
        var sequence = VRRPAHSequence()
        XCTAssertEqual(failure(decode(packet, KeepalivedAH.multicastRules, &sequence)),
                       .invalidSecurityParameterIndex(0x0A4D_0063))
    }

    func testAHAndPlainAdvertsDoNotMix() {
        var sequence = VRRPAHSequence()
        // An AH advert to an instance without AH, and a plain one to an AH instance: auth type mismatch.
        var plainRules = KeepalivedAH.multicastRules
        plainRules.authentication = .none
        XCTAssertEqual(failure(decode(KeepalivedAH.multicast1, plainRules, &sequence)), .authTypeMismatch(2))
        let plain = encoded(VRRPAdvertisement(version: .v2, vrid: 51, priority: 150, intervalCentiseconds: 100,
                                              addresses: [IPv4Address(10, 77, 0, 200)]), source: KeepalivedAH.source)
        XCTAssertEqual(failure(decode(ipv4Packet(plain, source: KeepalivedAH.source), KeepalivedAH.multicastRules, &sequence)),
                       .authTypeMismatch(0))
        // An AH carrying another protocol is ignored, uncounted.
        var other = KeepalivedAH.multicast1
        other[20] = 6
        XCTAssertEqual(failure(decode(other, KeepalivedAH.multicastRules, &sequence)), .notVRRP(protocol: 6))
        XCTAssertNil(VRRPDropReason.notVRRP(protocol: 6).counter)
    }
}
