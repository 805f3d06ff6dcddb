import FulcrumBytes

extension VRRPPacket {
    /// Validates a whole received IPv4 packet (raw sockets deliver the IP header) against the
    /// instance's rules, in keepalived 2.2.7's order (vrrp_check_packet), so the first failing
    /// check names the counter keepalived would increment:
    ///
    /// IP header sanity and protocol, VRID, AH present exactly when the instance uses
    /// `auth_type AH`, received length vs. address count, TTL (multicast only), version, v2 auth
    /// type / auth type match / password or AH (ICV, SPI, then the sequence number against
    /// `sequence`, which an accepted number advances), v2 interval, packet type, address count
    /// vs. VIP count, IP total length, checksum, multicast vs. unicast destination, each VIP
    /// present.
    ///
    /// Allocates only the returned address list (and, for AH, the copied headers).
    public static func decode(ipv4Packet packet: UnsafeRawBufferPointer, rules: VRRPReceiveRules,
                              sequence: inout VRRPAHSequence) throws(VRRPDropReason) -> VRRPReceivedAdvertisement {
        let received = packet.count
        guard received >= 20, packet[0] >> 4 == 4 else { throw .malformedIPHeader }
        let ihl = Int(packet[0] & 0x0F) * 4
        guard ihl >= 20, received >= ihl + headerLength else { throw .malformedIPHeader }
        let proto = packet[9]
        guard proto == ipProtocol || proto == VRRPAuthenticationHeader.ipProtocol else { throw .notVRRP(protocol: proto) }
        let hasAH = proto == VRRPAuthenticationHeader.ipProtocol
        // keepalived finds the VRRP header after the AH (vrrp_get_header).
        let vrrp = ihl + (hasAH ? VRRPAuthenticationHeader.length : 0)
        guard received >= vrrp + headerLength else { throw .malformedIPHeader }

        let versionType = packet[vrrp]
        let packetVersion = versionType >> 4
        let vrid = packet[vrrp + 1]
        if let wanted = rules.vrid, wanted != vrid { throw .vridMismatch(vrid) }

        var expectsAH = false
        if case .ipsecAH = rules.authentication, rules.version == .v2 { expectsAH = true }
        // "Received AH header but auth type not AH" / "No AH header but auth type is AH".
        guard hasAH == expectsAH else { throw .authTypeMismatch(packet[vrrp + 4]) }

        let addressCount = Int(packet[vrrp + 3])
        let authLength = packetVersion == VRRPVersion.v2.rawValue ? VRRPPassword.length : 0
        let messageLength = headerLength + 4 * addressCount + authLength
        guard received == vrrp + messageLength else {
            throw .packetLength(received: received, expected: vrrp + messageLength)
        }

        let ttl = packet[8]
        if !rules.unicast && ttl != VRRPPacket.ttl { throw .ttl(ttl) }

        guard packetVersion == rules.version.rawValue else { throw .versionMismatch(packetVersion) }

        if rules.version == .v2 {
            let authType = packet[vrrp + 4]
            guard authType <= 2 else { throw .invalidAuthType(authType) }
            guard authType == rules.authentication.typeCode else { throw .authTypeMismatch(authType) }
            switch rules.authentication {
            case .none: break
            case .password(let password):
                // keepalived reads the password at the end of the IP total length.
                let totalLength = Int(packet[2]) << 8 | Int(packet[3])
                let start = totalLength - VRRPPassword.length
                guard start >= vrrp + headerLength, totalLength <= received else { throw .authFailure }
                var difference: UInt8 = 0
                for index in 0..<VRRPPassword.length { difference |= packet[start + index] ^ password.bytes[index] }
                guard difference == 0 else { throw .authFailure }
            case .ipsecAH(let password):
                // An AH for another protocol is not ours: dropped uncounted.
                let next = packet[ihl]
                guard next == ipProtocol else { throw .notVRRP(protocol: next) }
                let number = try VRRPAuthenticationHeader.verify(ipv4Packet: packet, password: password,
                                                                 unicast: rules.unicast)
                let local = sequence.number
                guard sequence.accept(number) else { throw .sequenceReplayed(received: number, local: local) }
            }
            let seconds = packet[vrrp + 5]
            guard UInt16(seconds) * 100 == rules.intervalCentiseconds else {
                throw .advertIntervalMismatch(receivedSeconds: seconds)
            }
        }

        let type = versionType & 0x0F
        guard type == advertisementType else { throw .invalidType(type) }

        let source = address(packet, at: 12)
        // skip_check_adv_addr exempts the current master's adverts from the address checks.
        let checkedAddresses = source == rules.addressCheckExemptSource ? nil : rules.addresses
        if let vips = checkedAddresses, vips.count != addressCount {
            throw .addressCountMismatch(received: UInt8(addressCount), expected: vips.count)
        }

        let totalLength = Int(packet[2]) << 8 | Int(packet[3])
        guard totalLength == received else { throw .packetLength(received: received, expected: totalLength) }

        let destination = address(packet, at: 16)
        let message = UnsafeRawBufferPointer(rebasing: packet[vrrp..<received])
        let form = try checksumForm(message: message, version: rules.version,
                                    source: source, destination: destination)

        guard destination.isMulticast != rules.unicast else { throw .unexpectedDestination(destination) }
        if let peers = rules.allowedSources, !peers.contains(source) { throw .sourceNotUnicastPeer(source) }

        if let vips = checkedAddresses {
            for vip in vips {
                var found = false
                for index in 0..<addressCount where address(packet, at: vrrp + headerLength + 4 * index) == vip {
                    found = true
                    break
                }
                if !found { throw .addressListMismatch(missing: vip) }
            }
        }

        var addresses: [IPv4Address] = []
        addresses.reserveCapacity(addressCount)
        for index in 0..<addressCount { addresses.append(address(packet, at: vrrp + headerLength + 4 * index)) }

        let interval: UInt16
        var authentication = VRRPAuthentication.none
        if rules.version == .v2 {
            interval = UInt16(packet[vrrp + 5]) * 100
            if packet[vrrp + 4] == 1 {
                let start = vrrp + headerLength + 4 * addressCount
                authentication = .password(VRRPPassword(bytes: Array(packet[start..<start + VRRPPassword.length])))
            } else if case .ipsecAH = rules.authentication {
                authentication = rules.authentication
            }
        } else {
            interval = (UInt16(packet[vrrp + 4]) << 8 | UInt16(packet[vrrp + 5])) & 0x0FFF
        }
        let advert = VRRPAdvertisement(version: rules.version, vrid: vrid, priority: packet[vrrp + 2],
                                       intervalCentiseconds: interval, addresses: addresses,
                                       authentication: authentication)
        return VRRPReceivedAdvertisement(source: source, destination: destination, ttl: ttl,
                                         advertisement: advert, checksumForm: form)
    }

    /// The same without a sequence counter to keep: an AH advert is checked against a fresh one.
    public static func decode(ipv4Packet packet: UnsafeRawBufferPointer,
                              rules: VRRPReceiveRules) throws(VRRPDropReason) -> VRRPReceivedAdvertisement {
        var sequence = VRRPAHSequence()
        return try decode(ipv4Packet: packet, rules: rules, sequence: &sequence)
    }

    public static func decode(ipv4Packet packet: [UInt8], rules: VRRPReceiveRules,
                              sequence: inout VRRPAHSequence) throws(VRRPDropReason) -> VRRPReceivedAdvertisement {
        let result: Result<VRRPReceivedAdvertisement, VRRPDropReason> = packet.withUnsafeBytes { bytes in
            do throws(VRRPDropReason) { return .success(try decode(ipv4Packet: bytes, rules: rules, sequence: &sequence)) }
            catch { return .failure(error) }
        }
        return try result.get()
    }

    public static func decode(ipv4Packet packet: [UInt8],
                              rules: VRRPReceiveRules) throws(VRRPDropReason) -> VRRPReceivedAdvertisement {
        var sequence = VRRPAHSequence()
        return try decode(ipv4Packet: packet, rules: rules, sequence: &sequence)
    }

    /// v2: over the message only. v3: the RFC form first, then keepalived's old unicast form
    /// (multicast group in the pseudo-header), then no pseudo-header at all.
    private static func checksumForm(message: UnsafeRawBufferPointer, version: VRRPVersion,
                                     source: IPv4Address, destination: IPv4Address) throws(VRRPDropReason) -> VRRPChecksumForm {
        // v2's checksum covers the auth data too: the whole message.
        switch version {
        case .v2:
            guard VRRPChecksum.verifies(message) else { throw .checksum }
            return .standard
        case .v3:
            let length = message.count
            if VRRPChecksum.verifies(message, initial: VRRPChecksum.pseudoHeaderSum(
                source: source, destination: destination, length: length)) { return .standard }
            if destination != .vrrpMulticast, VRRPChecksum.verifies(message, initial: VRRPChecksum.pseudoHeaderSum(
                source: source, destination: .vrrpMulticast, length: length)) { return .multicastGroupPseudoHeader }
            if VRRPChecksum.verifies(message) { return .noPseudoHeader }
            throw .checksum
        }
    }

    @inline(__always)
    private static func address(_ packet: UnsafeRawBufferPointer, at offset: Int) -> IPv4Address {
        IPv4Address(UInt32(packet[offset]) << 24 | UInt32(packet[offset + 1]) << 16
                    | UInt32(packet[offset + 2]) << 8 | UInt32(packet[offset + 3]))
    }
}
