import FulcrumBytes

/// One line of `static_routes` / `virtual_routes`, read with the options
/// keepalived 2.2.7 accepts (its parse_route, modelled on `ip route`). Options
/// keepalived has that Fulcrum does not install (TCP metrics other than mtu and
/// advmss, realms, encapsulation, ...) are refused at their word; IPv6 routes
/// too, as Fulcrum's VRRP is IPv4.
extension KeepalivedParser {
    /// Options of `ip route` keepalived accepts and Fulcrum does not install.
    static let unservedRouteOptions: Set<String> = [
        "realms", "rtt", "rttvar", "reordering", "window", "cwnd", "initcwnd", "initrwnd", "ssthresh",
        "features", "quickack", "congctl", "hoplimit", "pref", "expires", "fastopen_no_cookie", "rto_min",
        "encap", "ttl-propagate", "nhid", "from", "lock", "nat",
    ]
    static let routeOptions = [
        "src", "to", "via", "gw", "or", "nexthop", "dev", "oif", "scope", "table", "metric", "priority",
        "preference", "protocol", "proto", "tos", "dsfield", "mtu", "advmss", "onlink", "no_track",
    ] + VRRPRouteType.allCases.map(\.rawValue)

    mutating func route(_ line: KeepalivedNode) -> VRRPRoute? {
        noBlock(line)
        var words = KeepalivedOptionWords(line, kind: "route")
        var r = VRRPRoute(location: line.keyword.location, destination: IPv4Address(0), prefixLength: 0)
        var haveDestination = false
        while let w = words.next() {
            switch w.text {
            case "src":
                guard let v = words.value(&self), let a = ipv4(v, "route source") else { return nil }
                r.source = a
            case "to":
                guard let v = words.value(&self), destination(v, &r) else { return nil }
                haveDestination = true
            case "via", "gw":
                if w.text == "gw" { warning(w.location, "\"gw\" for routes is deprecated. Please use \"via\"") }
                guard let v = words.value(&self), let a = ipv4(v, "gateway") else { return nil }
                r.gateway = a
            case "or":
                warning(w.location, "\"or\" for routes is deprecated. Please use \"nexthop\"")
                guard let v = words.value(&self), let a = ipv4(v, "gateway") else { return nil }
                if r.nextHops.isEmpty { r.nextHops.append(VRRPNextHop(gateway: r.gateway, device: r.device)) }
                r.nextHops.append(VRRPNextHop(gateway: a))
            case "nexthop":
                var hop = VRRPNextHop()
                while let next = words.upcoming, ["via", "dev", "weight", "onlink"].contains(next.text) {
                    let option = words.next()!
                    if option.text == "onlink" { hop.onlink = true; continue }
                    guard let v = words.value(&self) else { return nil }
                    switch option.text {
                    case "via": guard let a = ipv4(v, "gateway") else { return nil }; hop.gateway = a
                    case "dev": hop.device = v.text
                    default:
                        guard let n = KeepalivedValues.unsigned(v.text, in: 1...256) else {
                            alert(v.location, "invalid nexthop weight '\(v.text)' (1-256)")
                            return nil
                        }
                        hop.weight = n
                    }
                }
                r.nextHops.append(hop)
            case "dev", "oif":
                guard let v = words.value(&self) else { return nil }
                r.device = v.text
            case "scope":
                guard let v = words.value(&self) else { return nil }
                guard let s = KeepalivedValues.scope(v.text) else {
                    alert(v.location, "invalid route scope '\(v.text)' (global, site, link, host, nowhere or 0-255)")
                    return nil
                }
                r.scope = s
            case "table":
                guard let v = words.value(&self), let t = table(v) else { return nil }
                r.table = t
            case "metric", "priority", "preference":
                guard let v = words.value(&self), let n = unsigned32(v, "route metric") else { return nil }
                r.metric = n
            case "protocol", "proto":
                guard let v = words.value(&self) else { return nil }
                guard let p = KeepalivedValues.routeProtocol(v.text) else {
                    alert(v.location, "invalid route protocol '\(v.text)' (kernel, boot, static, keepalived, ... or 0-255)")
                    return nil
                }
                r.proto = p
            case "tos", "dsfield":
                guard let v = words.value(&self), let t = typeOfService(v, "route") else { return nil }
                r.tos = t
            case "mtu", "advmss":
                guard let v = words.value(&self), let n = unsigned32(v, "route \(w.text)") else { return nil }
                if w.text == "mtu" { r.mtu = n } else { r.advmss = n }
            case "onlink":
                r.onlink = true
            case "no_track":
                r.noTrack = true
            default:
                if let t = VRRPRouteType(rawValue: w.text), !haveDestination {
                    r.type = t
                } else if Self.unservedRouteOptions.contains(w.text) {
                    alert(w.location, "keepalived route option '\(w.text)' is not supported")
                    return nil
                } else if !haveDestination, w.text == "default" || w.text.first.map({ $0.isHexDigit || $0 == ":" }) == true {
                    guard destination(w, &r) else { return nil }
                    haveDestination = true
                } else {
                    let hint = Suggestion.didYouMean(w.text, among: Self.routeOptions)
                    alert(w.location, "unknown route option '\(w.text)'\(hint)")
                    return nil
                }
            }
        }
        guard haveDestination else {
            alert(line.keyword.location, "route has no destination")
            return nil
        }
        if r.nextHops.count == 1 {
            // A single `nexthop` is an ordinary route.
            let hop = r.nextHops.removeFirst()
            r.gateway = hop.gateway ?? r.gateway
            r.device = hop.device ?? r.device
            r.onlink = r.onlink || hop.onlink
        }
        return r
    }

    private mutating func destination(_ w: KeepalivedToken, _ r: inout VRRPRoute) -> Bool {
        if w.text == "default" {
            r.destination = IPv4Address(0); r.prefixLength = 0
            return true
        }
        guard let (a, prefix) = KeepalivedValues.addressWithPrefix(w.text) else {
            alert(w.location, "invalid route destination '\(w.text)'")
            return false
        }
        guard case .v4(let v4) = a else {
            alert(w.location, "IPv6 route '\(w.text)' is not supported: Fulcrum's VRRP is IPv4")
            return false
        }
        r.destination = v4
        r.prefixLength = prefix ?? 32
        return true
    }

    private mutating func ipv4(_ w: KeepalivedToken, _ what: String) -> IPv4Address? {
        guard let a = KeepalivedValues.address(w.text) else {
            alert(w.location, "invalid \(what) '\(w.text)'")
            return nil
        }
        guard case .v4(let v4) = a else {
            alert(w.location, "IPv6 \(what) '\(w.text)' is not supported: Fulcrum's VRRP is IPv4")
            return nil
        }
        return v4
    }

    /// A routing table: a number (1...2^32-1) or main, local, default.
    mutating func table(_ w: KeepalivedToken) -> UInt32? {
        switch w.text {
        case "main": return 254
        case "local": return 255
        case "default": return 253
        default:
            guard let n = KeepalivedValues.unsigned(w.text, in: 1...Int(UInt32.max)) else {
                alert(w.location, "invalid table '\(w.text)' (main, local, default or 1-4294967295)")
                return nil
            }
            return UInt32(n)
        }
    }

    mutating func unsigned32(_ w: KeepalivedToken, _ what: String) -> UInt32? {
        guard let n = KeepalivedValues.unsigned(w.text, in: 0...Int(UInt32.max)) else {
            alert(w.location, "invalid \(what) '\(w.text)' (0-4294967295)")
            return nil
        }
        return UInt32(n)
    }
}
