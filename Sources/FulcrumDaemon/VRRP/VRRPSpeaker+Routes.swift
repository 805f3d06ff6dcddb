import FulcrumBytes
import FulcrumConfig
import FulcrumPosix

/// keepalived's routes, rules and static addresses: `static_ipaddress`,
/// `static_routes` and `static_rules` go in when the VRRP child starts and out
/// when it stops; an instance's `virtual_routes` and `virtual_rules` follow
/// its VIPs (in after them on entering MASTER, out before them on leaving).
/// Interface names are resolved once, at start, as keepalived does.
extension VRRPSpeaker {
    /// The static settings resolved to kernel values; nil entries were refused with an alert.
    struct Statics {
        var addresses: [InterfaceAddress] = []
        var routes: [RouteMessage] = []
        var rules: [RuleMessage] = []
    }

    func resolveStatics(_ s: VRRPStaticSettings) throws -> Statics {
        var out = Statics()
        for a in s.addresses {
            guard case .v4(let v4) = a.address else { continue }
            guard let device = a.device else {
                throw VRRPSetupError("static_ipaddress \(a.address) (\(a.location)): no 'dev' given")
            }
            let ifindex = try interfaceIndex(device, for: "static_ipaddress \(a.address)")
            var broadcast: IPv4Address? = nil
            if case .v4(let b)? = a.broadcast { broadcast = b }
            out.addresses.append(InterfaceAddress(interfaceIndex: ifindex, address: v4, prefixLength: UInt8(a.prefixLength),
                                                  broadcast: broadcast, label: a.label, scope: AddressScope(rawValue: a.scope)))
        }
        out.routes = try s.routes.map { try routeMessage($0) }
        out.rules = s.rules.map(ruleMessage)
        return out
    }

    func routeMessage(_ r: VRRPRoute) throws -> RouteMessage {
        var m = RouteMessage(destination: r.destination, prefixLength: UInt8(r.prefixLength))
        let types: [VRRPRouteType: UInt8] = [.unicast: 1, .local: 2, .broadcast: 3, .anycast: 4, .multicast: 5,
                                             .blackhole: 6, .unreachable: 7, .prohibit: 8, .throw: 9]
        m.type = types[r.type] ?? 1
        m.tos = r.tos
        m.table = r.table
        m.proto = r.proto
        m.scope = r.scope
        m.onlink = r.onlink
        m.source = r.source
        m.metric = r.metric
        m.mtu = r.mtu
        m.advmss = r.advmss
        let what = "route \(r.destination)/\(r.prefixLength) (\(r.location))"
        if r.nextHops.isEmpty {
            m.gateway = r.gateway
            if let d = r.device { m.interfaceIndex = try interfaceIndex(d, for: what) }
        } else {
            m.nextHops = try r.nextHops.map { hop in
                RouteMessage.NextHop(gateway: hop.gateway,
                                     interfaceIndex: try hop.device.map { try interfaceIndex($0, for: what) } ?? 0,
                                     weight: hop.weight ?? 1, onlink: hop.onlink)
            }
        }
        return m
    }

    func ruleMessage(_ r: VRRPRule) -> RuleMessage {
        var m = RuleMessage(priority: r.priority)
        switch r.action {
        case .table(let t): m.action = 1; m.table = t
        case .goto(let p): m.action = 2; m.gotoPriority = p
        case .nop: m.action = 3
        case .blackhole: m.action = 6
        case .unreachable: m.action = 7
        case .prohibit: m.action = 8
        }
        m.source = r.from.map { RuleMessage.Prefix($0.address, UInt8($0.prefixLength)) }
        m.destination = r.to.map { RuleMessage.Prefix($0.address, UInt8($0.prefixLength)) }
        m.inputInterface = r.inputInterface
        m.outputInterface = r.outputInterface
        m.fwmark = r.fwmark
        m.fwmask = r.fwmask
        m.tos = r.tos
        m.invert = r.invert
        m.suppressPrefixLength = r.suppressPrefixLength.map(UInt32.init)
        return m
    }

    private func interfaceIndex(_ name: String, for what: String) throws -> Int32 {
        guard let link = try netlink.interface(named: name) else {
            throw VRRPSetupError("\(what): interface \(name) does not exist")
        }
        return link.index
    }

    /// Adds (routes after addresses, rules last) or removes (in the reverse
    /// order) a set; each failure is logged and the rest still applied.
    func change(addresses: [InterfaceAddress], routes: [RouteMessage], rules: [RuleMessage], adding: Bool, owner: String) {
        if adding {
            for a in addresses {
                do { try netlink.addAddress(a) } catch { Log.alert("\(owner) cannot add \(a.address)/\(a.prefixLength): \(error)") }
            }
        }
        if !adding {
            for r in rules.reversed() {
                do { try netlink.change(r, adding: false) } catch { Log.alert("\(owner) cannot remove rule \(r.priority): \(error)") }
            }
        }
        for r in (adding ? routes : routes.reversed()) {
            do { try netlink.change(r, adding: adding) } catch {
                Log.alert("\(owner) cannot \(adding ? "add" : "remove") route \(r.destination)/\(r.prefixLength): \(error)")
            }
        }
        if adding {
            for r in rules {
                do { try netlink.change(r, adding: true) } catch { Log.alert("\(owner) cannot add rule \(r.priority): \(error)") }
            }
        } else {
            for a in addresses {
                do { try netlink.deleteAddress(a) } catch { Log.alert("\(owner) cannot remove \(a.address): \(error)") }
            }
        }
    }
}
