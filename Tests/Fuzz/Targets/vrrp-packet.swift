// modules: FulcrumBytes FulcrumVRRP
// An IPv4 packet on the VRRP raw socket. A packet the instance accepts,
// encoded again from what was decoded (behind the same IP header), decodes
// to the same advert. First byte: the receiving instance (version, unicast,
// interval, password).
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
    let packet = input.rest
    _ = VRRPPacket.vrid(ofIPv4Packet: packet)
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
