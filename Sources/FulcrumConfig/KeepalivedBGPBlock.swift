/// `bgp_defs { ... }` and `bgp_instance NAME { ... }` (ModelBGP.swift): the
/// VIPs this node announces through BIRD and what decides it. Tracking reads
/// the vrrp_instance words (track_script, track_interface, track_backend, and
/// track_frontend); a weight means nothing to a route, so one is refused.
/// Times are decimal seconds, as keepalived writes them.
extension KeepalivedParser {
    static let bgpDefsKeywords: [String] = ["bird_socket", "bird_include", "bird_protocol", "vip_interface", "bird_retry"]
    static let bgpInstanceKeywords: [String] = [
        "virtual_ipaddress", "track_script", "track_interface", "track_backend", "track_frontend",
        "interval", "rise", "fall", "hold_down", "drain_time",
    ]

    mutating func bgpBlock(_ node: KeepalivedNode) {
        if node.keyword.text == "bgp_defs" {
            guard let block = needsBlock(node) else { return }
            if bgpDefinitions.location == nil { bgpDefinitions.location = node.keyword.location }
            for item in block { bgpDefsKeyword(item) }
            return
        }
        guard let name = blockName(node), let block = needsBlock(nodeWithoutName(node)) else { return }
        if let first = bgpInstances.first(where: { $0.name == name.text }) {
            alert(name.location, "bgp_instance \(name.text) already defined at \(first.location)")
            return
        }
        var instance = BGPInstanceConfig(name: name.text, location: node.keyword.location)
        for item in block { bgpInstanceKeyword(item, &instance) }
        if instance.virtualAddresses.isEmpty {
            alert(node.keyword.location, "(\(name.text)) bgp_instance has no virtual_ipaddress")
            return
        }
        bgpInstances.append(instance)
    }

    private mutating func bgpDefsKeyword(_ node: KeepalivedNode) {
        switch node.keyword.text {
        case "bird_socket", "bird_include":
            noBlock(node)
            guard let w = single(node, "an absolute path") else { return }
            guard w.text.hasPrefix("/") else { alert(w.location, "'\(node.keyword.text)' expects an absolute path, not '\(w.text)'"); return }
            if node.keyword.text == "bird_socket" { bgpDefinitions.birdSocket = w.text } else { bgpDefinitions.birdInclude = w.text }
        case "bird_protocol":
            noBlock(node)
            guard let w = single(node, "a BIRD protocol name") else { return }
            // A BIRD symbol: a letter or '_', then letters, digits and '_'.
            let ok = w.text.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && w.text.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) } && w.text.utf8.count <= 64
            guard ok else { alert(w.location, "bird_protocol '\(w.text)' is not a BIRD symbol (letters, digits and '_', not starting with a digit)"); return }
            bgpDefinitions.birdProtocol = w.text
        case "vip_interface":
            noBlock(node)
            guard let w = single(node, "an interface name") else { return }
            guard !w.text.isEmpty, w.text.utf8.count < 16, !w.text.contains("/") else {
                alert(w.location, "invalid vip_interface '\(w.text)' (an interface name of at most 15 bytes)")
                return
            }
            bgpDefinitions.vipInterface = w.text
            bgpDefinitions.vipInterfaceLocation = w.location
        case "bird_retry":
            if let ms = milliseconds(node, min: 100) { bgpDefinitions.birdRetry = ms }
        default:
            unknown(node, in: "bgp_defs", served: Self.bgpDefsKeywords, unserved: [])
        }
    }

    private mutating func bgpInstanceKeyword(_ node: KeepalivedNode, _ b: inout BGPInstanceConfig) {
        let name = b.name
        switch node.keyword.text {
        case "virtual_ipaddress":
            guard let block = needsBlock(node) else { return }
            for line in block {
                noBlock(line)
                guard let (address, prefix) = KeepalivedValues.addressWithPrefix(line.keyword.text) else {
                    alert(line.keyword.location, "(\(name)) invalid virtual address '\(line.keyword.text)'")
                    continue
                }
                guard address.isIPv4 else {
                    alert(line.keyword.location, "(\(name)) IPv6 virtual address '\(line.keyword.text)' is not supported: Fulcrum announces IPv4 VIPs")
                    continue
                }
                // The VIPs go on vip_interface, each its own route: no per-address options.
                for extra in line.arguments {
                    alert(extra.location, "(\(name)) unexpected argument '\(extra.text)' after the BGP virtual address (it goes on bgp_defs vip_interface)")
                }
                b.virtualAddresses.append(VRRPVirtualAddress(location: line.keyword.location, address: address, prefixLength: prefix ?? 32))
            }
        case "track_script": trackNames(node, name, &b.trackScripts)
        case "track_interface": trackNames(node, name, &b.trackInterfaces)
        case "track_backend": trackNames(node, name, &b.trackBackends)
        case "track_frontend": trackNames(node, name, &b.trackFrontends)
        case "interval":
            if let ms = milliseconds(node, min: 10) { b.interval = ms }
        case "rise":
            if let n = number(node, 1...1000, "(\(name)) rise") { b.rise = n }
        case "fall":
            if let n = number(node, 1...1000, "(\(name)) fall") { b.fall = n }
        case "hold_down":
            if let ms = milliseconds(node, min: 0) { b.holdDown = ms }
        case "drain_time":
            if let ms = milliseconds(node, min: 0) { b.drainTime = ms }
        default:
            unknown(node, in: "bgp_instance '\(name)'", served: Self.bgpInstanceKeywords, unserved: [])
        }
    }

    /// A tracking list: one name a line as a block, or names on the keyword's line.
    private mutating func trackNames(_ node: KeepalivedNode, _ instance: String, _ into: inout [VRRPTrack]) {
        let lines: [KeepalivedNode]
        if let block = node.block {
            for extra in node.arguments { alert(extra.location, "unexpected argument '\(extra.text)' after '\(node.keyword.text)'") }
            lines = block
        } else if !node.arguments.isEmpty {
            lines = node.arguments.map { KeepalivedNode(keyword: $0, arguments: [], block: nil) }
        } else {
            alert(node.keyword.location, "'\(node.keyword.text)' expects names: '\(node.keyword.text) { NAME ... }'")
            return
        }
        for line in lines {
            noBlock(line)
            if let first = line.arguments.first {
                alert(first.location, "(\(instance)) '\(first.text)' after \(node.keyword.text) \(line.keyword.text): a BGP instance has no weight (a route is announced or not)")
                continue
            }
            into.append(VRRPTrack(name: line.keyword.text, location: line.keyword.location))
        }
    }

    /// Decimal seconds in milliseconds, at least `min`.
    private mutating func milliseconds(_ node: KeepalivedNode, min: Int64) -> Int64? {
        noBlock(node)
        guard let w = single(node, "a time in seconds") else { return nil }
        guard let us = KeepalivedValues.microseconds(w.text), us % 1000 == 0, Int64(us / 1000) >= min else {
            alert(w.location, "'\(node.keyword.text)' \(w.text) not valid - must be seconds (at most 3 decimals), at least \(KeepalivedParser.seconds(Int(min) * 1000))")
            return nil
        }
        return Int64(us / 1000)
    }

    /// The BGP blocks with their references checked against the proxy and the vrrp_scripts.
    mutating func resolveBGP(backends: Set<String>, frontends: Set<String>, hasProxies: Bool) -> BGPConfiguration {
        var config = BGPConfiguration()
        config.definitions = bgpDefinitions
        let scriptNames = scripts.map(\.name)
        var owners: [String: String] = [:]
        for var b in bgpInstances {
            for vip in b.virtualAddresses {
                let key = "\(vip.address)/\(vip.prefixLength)"
                if let other = owners[key] { alert(vip.location, "(\(b.name)) virtual address \(key) is already announced by bgp_instance \(other)") }
                else { owners[key] = b.name }
            }
            b.trackScripts = b.trackScripts.filter { t in
                if scriptNames.contains(t.name) { return true }
                if removedScripts.contains(t.name) { warning(t.location, "(\(b.name)) track script \(t.name) not found, ignoring..."); return false }
                let hint = Suggestion.didYouMean(t.name, among: scriptNames.sorted())
                alert(t.location, "(\(b.name)) track_script \(t.name) not found (no vrrp_script with that name)\(hint)")
                return false
            }
            for (kind, tracks, names) in [("track_backend", b.trackBackends, backends), ("track_frontend", b.trackFrontends, frontends)] {
                for t in tracks where !names.contains(t.name) {
                    if hasProxies {
                        let hint = Suggestion.didYouMean(t.name, among: names.sorted())
                        alert(t.location, "(\(b.name)) \(kind) \(t.name): no \(kind.dropFirst(6)) with that name in the proxy configuration\(hint)")
                    } else {
                        alert(t.location, "(\(b.name)) \(kind) \(t.name): the configuration has no proxy sections")
                    }
                }
            }
            config.instances.append(b)
        }
        return config
    }
}
