import FulcrumBytes
import FulcrumVRRP

/// Parses tcpdump -x style hex ("45c0 002c ...") into bytes.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// An IPv4 header as the kernel delivers it on a raw socket, in front of `message`.
func ipv4Packet(_ message: [UInt8], source: IPv4Address, destination: IPv4Address = .vrrpMulticast,
                ttl: UInt8 = 255, protocolNumber: UInt8 = 112, totalLength: Int? = nil,
                options: [UInt8] = []) -> [UInt8] {
    let headerLength = 20 + options.count
    let total = totalLength ?? headerLength + message.count
    var packet: [UInt8] = [0x40 | UInt8(headerLength / 4), 0xC0, UInt8(total >> 8), UInt8(total & 0xFF),
                           0, 1, 0, 0, ttl, protocolNumber, 0, 0]
    for address in [source, destination] {
        packet += [UInt8(address.value >> 24), UInt8(address.value >> 16 & 0xFF),
                   UInt8(address.value >> 8 & 0xFF), UInt8(address.value & 0xFF)]
    }
    return packet + options + message
}

func encoded(_ advert: VRRPAdvertisement, source: IPv4Address,
             destination: IPv4Address = .vrrpMulticast) -> [UInt8] {
    var buffer: [UInt8] = []
    VRRPPacket.encode(advert, source: source, destination: destination, into: &buffer)
    return buffer
}

func decodeResult(_ packet: [UInt8], _ rules: VRRPReceiveRules) -> Result<VRRPReceivedAdvertisement, VRRPDropReason> {
    do throws(VRRPDropReason) {
        return .success(try VRRPPacket.decode(ipv4Packet: packet, rules: rules))
    } catch {
        return .failure(error)
    }
}

func dropReason(_ packet: [UInt8], _ rules: VRRPReceiveRules) -> VRRPDropReason? {
    if case .failure(let reason) = decodeResult(packet, rules) { return reason }
    return nil
}

let second: Int64 = 1_000_000
let millisecond: Int64 = 1_000
