// modules: FulcrumBytes FulcrumVRRP
// An IPv4 packet on the VRRP raw socket. A packet the instance accepts,
// encoded again from what was decoded (behind the same IP header), decodes
// to the same advert. First byte: the receiving instance (version, unicast,
// interval, password), and bit 4: mend the IP total length and the VRRP
// checksum first, so mutations get past them to the checks behind.
import FulcrumBytes
import FulcrumVRRP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVRRPPacket(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let o = input.first
    let rules = VRRPReceiveRules(version: o & 1 != 0 ? .v3 : .v2, vrid: nil,
                                 intervalCentiseconds: o & 4 != 0 ? 100 : 150,
                                 authentication: o & 8 != 0 ? .password(VRRPPassword("secret")) : .none,
                                 addresses: nil, unicast: o & 2 != 0)
    var packet = Array(input.rest)
    _ = VRRPPacket.vrid(ofIPv4Packet: packet)
    if o & 16 != 0 { mend(&packet) }
    let received: VRRPReceivedAdvertisement
    do { received = try VRRPPacket.decode(ipv4Packet: packet, rules: rules) } catch { return 0 }
    let ihl = Int(packet[0] & 0x0F) * 4
    var message: [UInt8] = []
    VRRPPacket.encode(received.advertisement, source: received.source, destination: received.destination, into: &message)
    var again = Array(packet[0..<ihl]) + message
    let total = again.count
    again[2] = UInt8(total >> 8); again[3] = UInt8(total & 0xFF)
    let decoded: VRRPReceivedAdvertisement
    do { decoded = try VRRPPacket.decode(ipv4Packet: again, rules: rules) } catch {
        fatalError("fuzz invariant: re-encoded advert dropped: \(error)")
    }
    fuzzCheck(decoded.advertisement == received.advertisement, "\(decoded.advertisement) vs \(received.advertisement)")
    fuzzCheck(decoded.source == received.source && decoded.destination == received.destination, "addresses")
    return 0
}

/// Sets the IP total length and the VRRP checksum (v3: RFC pseudo-header) as a sender would.
func mend(_ p: inout [UInt8]) {
    guard p.count >= 20 else { return }
    let ihl = Int(p[0] & 0x0F) * 4
    guard ihl >= 20, p.count >= ihl + VRRPPacket.headerLength else { return }
    p[2] = UInt8(truncatingIfNeeded: p.count >> 8); p[3] = UInt8(truncatingIfNeeded: p.count)
    p[ihl + 6] = 0; p[ihl + 7] = 0
    let v3 = p[ihl] >> 4 == 3, length = p.count - ihl
    let c = p.withUnsafeBytes { b in
        let initial = v3 ? VRRPChecksum.pseudoHeaderSum(source: IPv4Address(networkBytes: b, offset: 12),
                                                         destination: IPv4Address(networkBytes: b, offset: 16), length: length) : 0
        return VRRPChecksum.checksum(UnsafeRawBufferPointer(rebasing: b[ihl...]), initial: initial)
    }
    p[ihl + 6] = UInt8(c >> 8); p[ihl + 7] = UInt8(c & 0xFF)
}
