import FulcrumBytes
import Glibc
import FulcrumConfig
import FulcrumPosix
import FulcrumVRRP

/// Setting up one vrrp_instance: its interface and source address, the
/// receive socket it shares with the instances on that interface, its send
/// socket, its VIPs resolved to interface addresses, and its election's
/// parameters.
extension VRRPSpeaker {
    func addInstance(_ c: VRRPInstanceConfig, globals: VRRPGlobalDefinitions) throws {
        guard let name = c.interface ?? c.virtualAddresses.first?.device else {
            throw VRRPSetupError("VRRP_Instance(\(c.name)): no interface")
        }
        guard let link = try netlink.interface(named: name) else {
            throw VRRPSetupError("VRRP_Instance(\(c.name)): interface \(name) does not exist")
        }
        macs[link.index] = link.mac
        if c.strict && c.isUnicast && link.flags & UInt32(IFF_MULTICAST) != 0 {
            // keepalived's strict mode refuses unicast where multicast works.
            throw VRRPSetupError("VRRP_Instance(\(c.name)): vrrp_strict does not allow unicast peers on \(name), which can multicast")
        }
        let source: IPv4Address
        if case .v4(let a)? = c.sourceAddress {
            source = a
        } else if let primary = try netlink.primaryIPv4Address(interfaceIndex: link.index) {
            source = primary.address
        } else {
            throw VRRPSetupError("VRRP_Instance(\(c.name)): interface \(name) has no IPv4 address to advertise from")
        }
        var group: IPv4Address? = nil
        if !c.isUnicast, case .v4(let g) = globals.multicastGroup4 { group = g }
        let destinations: [IPv4Address] = c.isUnicast
            ? c.unicastPeers.compactMap { if case .v4(let a) = $0.address { return a }; return nil }
            : [group ?? .vrrpMulticast]

        // auth_type AH: adverts are IP protocol 51, read and sent whole (IP header included).
        var usesAH = false
        if case .ah? = c.authentication, c.version == 2 { usesAH = true }
        let proto = usesAH ? VRRPSocket.authenticationHeaderProtocol : VRRPSocket.ipProtocol
        let receiver: Int
        if let r = receivers.firstIndex(where: { $0.interfaceIndex == link.index && $0.ipProtocol == proto }) {
            receiver = r
            if let group { try receivers[r].join(group) }
        } else {
            let r = try VRRPReceiveSocket(interfaceName: name, interfaceIndex: link.index, multicastGroup: group,
                                          ipProtocol: proto)
            try loop.register(r.fd, .readable, EventToken(kind: Kind.receiver.rawValue, index: receivers.count))
            receivers.append(r)
            receiver = receivers.count - 1
        }
        // use_vmac: VIPs without `dev` on the vmac, adverts from it unless vmac_xmit_base.
        let vmac = try c.virtualMACInterface.map { try virtualMAC($0, vrid: c.virtualRouterID, base: link) }
        if let vmac { macs[vmac.index] = vmac.mac }
        let vipLink = vmac ?? link
        let sendLink = c.virtualMACTransmitBase ? link : vipLink
        let sender: Int
        if let s = senders.indices.first(where: { senders[$0].source == source && senderInterfaces[$0] == sendLink.index
                                                   && senders[$0].includesHeader == usesAH }) {
            sender = s
        } else {
            senders.append(try VRRPSendSocket(interfaceName: sendLink.name, interfaceIndex: sendLink.index, source: source,
                                              includesHeader: usesAH))
            senderInterfaces.append(sendLink.index)
            sender = senders.count - 1
        }

        var addresses: [(InterfaceAddress, String)] = []
        for v in c.virtualAddresses + c.excludedAddresses {
            guard case .v4(let a) = v.address else { continue }
            let device = v.device ?? vipLink.name
            var ifindex = vipLink.index
            if device != vipLink.name {
                guard let other = try netlink.interface(named: device) else {
                    throw VRRPSetupError("VRRP_Instance(\(c.name)): interface \(device) of \(v.address) does not exist")
                }
                ifindex = other.index
                macs[other.index] = other.mac
            }
            var broadcast: IPv4Address? = nil
            if case .v4(let b)? = v.broadcast { broadcast = b }
            addresses.append((InterfaceAddress(interfaceIndex: ifindex, address: a,
                                               prefixLength: UInt8(v.prefixLength), broadcast: broadcast,
                                               label: v.label, scope: AddressScope(rawValue: v.scope)), device))
        }
        var auth = VRRPAuthentication.none
        switch c.authentication {
        case .pass(let p)? where c.version == 2: auth = .password(VRRPPassword(p))
        case .ah(let p)? where c.version == 2: auth = .ipsecAH(VRRPPassword(p))
        default: break
        }
        let advertised = c.virtualAddresses.compactMap { v -> IPv4Address? in
            if case .v4(let a) = v.address { return a }
            return nil
        }
        var parameters = VRRPInstanceParameters(
            vrid: UInt8(c.virtualRouterID), version: c.version == 3 ? .v3 : .v2, priority: UInt8(clamping: c.priority),
            advertIntervalCentiseconds: UInt16(clamping: c.advertInterval),
            initialState: c.state == .master ? .master : .backup, preempt: !c.nopreempt,
            preemptDelay: Int64(c.preemptDelay) * 1_000_000, primaryAddress: source,
            virtualAddresses: advertised, authentication: auth, unicast: c.isUnicast,
            garpMasterDelay: Int64(c.garpMasterDelay) * 1_000_000, garpMasterRepeat: c.garpMasterRepeat,
            garpMasterRefresh: Int64(c.garpMasterRefresh) * 1_000_000,
            garpMasterRefreshRepeat: max(1, c.garpMasterRefreshRepeat))
        parameters.skipCheckAdvertAddresses = c.skipCheckAdvertAddresses
        if c.checkUnicastSource && c.isUnicast { parameters.acceptedSources = destinations }
        instances.append(Instance(config: c, election: FulcrumVRRP.VRRPInstance(parameters), interface: name,
                                  interfaceIndex: link.index, receiver: receiver, sender: sender,
                                  destinations: destinations, addresses: addresses))
        instances[instances.count - 1].routes = try c.virtualRoutes.map { try routeMessage($0) }
        instances[instances.count - 1].rules = c.virtualRules.map(ruleMessage)
        Log.notice("VRRP_Instance(\(c.name)) on \(name): vrid \(c.virtualRouterID), priority \(c.priority), "
                   + "v\(c.version), advert \(Double(c.advertInterval) / 100) s, "
                   + (c.isUnicast ? "unicast to \(destinations.map(\.description).joined(separator: ","))" : "multicast")
                   + " from \(source)")
    }
}

struct VRRPSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
