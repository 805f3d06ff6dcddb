import Foundation

/// A real keepalived.conf made runnable alone on a one-node VRRP lab, the same way for
/// keepalived and Fulcrum: every `vrrp_script` runs /bin/true (the services they probe are not
/// in the lab) and `unicast_src_ip` / `mcast_src_ip` become the lab node's own address (a
/// source must be local). Interface names stay as written: `prepareInterfaces` makes the ones
/// the corpus uses in the node's namespace. VIPs, routes and rules are left as written.
struct CompatKeepalivedRewrite {
    /// Interfaces the corpus names besides eth0, made as veth pairs (both ends in the node,
    /// up, so they have carrier) with an address each, 10.77.N.11/24.
    static let extraInterfaces = ["eth1", "eth2", "eth3", "eth0.1"]

    private(set) var text = ""
    /// vrrp_instance names, in order.
    private(set) var instances: [String] = []
    /// (instance, VIP address without prefix, device): `dev` when written, else the instance's
    /// use_vmac interface (default name "vrrp.VRID") if it has one, else its interface.
    var virtualAddresses: [(instance: String, address: String, device: String)] {
        writtenAddresses.map { vip in
            let fallback = virtualMAC[vip.instance] ?? interfaces[vip.instance] ?? "eth0"
            return (vip.instance, vip.address, vip.device ?? fallback)
        }
    }
    private var writtenAddresses: [(instance: String, address: String, device: String?)] = []
    private var interfaces: [String: String] = [:]
    private var virtualMAC: [String: String] = [:]

    init(text original: String, nodeAddress: String) {
        var out: [String] = []
        var instance: String?
        var inVIPs = false
        var vrid = ""
        // use_vmac seen in this instance, and the name it gave (nil: "vrrp.VRID").
        var usesVMAC = false
        var vmacName: String?
        for raw in original.components(separatedBy: "\n") {
            let code = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            var words = code.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.first?.hasPrefix("!") == true { words = [] }
            // `@ID` conditional lines: the keyword follows the condition.
            let keywordIndex = words.first?.hasPrefix("@") == true ? 1 : 0
            guard keywordIndex < words.count else { out.append(raw); continue }
            let keyword = words[keywordIndex]
            let indent = String(raw.prefix { $0 == " " || $0 == "\t" })
            let condition = keywordIndex == 1 ? words[0] + " " : ""
            if inVIPs {
                if keyword == "}" {
                    inVIPs = false
                } else {
                    let address = String(keyword.split(separator: "/")[0])
                    let dev = words.firstIndex(of: "dev").flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
                    writtenAddresses.append((instance ?? "", address, dev))
                }
                out.append(raw)
                continue
            }
            switch keyword {
            case "vrrp_instance" where keywordIndex + 1 < words.count:
                instance = words[keywordIndex + 1]
                usesVMAC = false
                vmacName = nil
                instances.append(words[keywordIndex + 1])
                out.append(raw)
            case "interface" where instance != nil && keywordIndex + 1 < words.count:
                interfaces[instance!] = words[keywordIndex + 1]
                out.append(raw)
            case "virtual_router_id" where instance != nil && keywordIndex + 1 < words.count:
                vrid = words[keywordIndex + 1]
                if usesVMAC { virtualMAC[instance!] = vmacName ?? "vrrp.\(vrid)" }
                out.append(raw)
            case "use_vmac" where instance != nil:
                usesVMAC = true
                vmacName = keywordIndex + 1 < words.count ? words[keywordIndex + 1] : nil
                virtualMAC[instance!] = vmacName ?? "vrrp.\(vrid)"
                out.append(raw)
            case "virtual_ipaddress":
                inVIPs = true
                out.append(raw)
            case "script":
                out.append(indent + condition + "script \"/bin/true\"")
            case "unicast_src_ip", "mcast_src_ip":
                out.append(indent + condition + keyword + " " + nodeAddress)
            default:
                out.append(raw)
            }
        }
        text = out.joined(separator: "\n")
    }

    /// Makes `extraInterfaces` in `namespace` of `lab`.
    static func prepareInterfaces(_ lab: VRRPLab, namespace: String) throws {
        for (index, name) in extraInterfaces.enumerated() {
            let peer = "p\(index + 1)"
            try lab.runChecked(in: namespace, "ip", ["link", "add", name, "type", "veth", "peer", "name", peer])
            try lab.runChecked(in: namespace, "ip", ["addr", "add", "10.77.\(index + 1).11/24", "dev", name])
            try lab.runChecked(in: namespace, "ip", ["link", "set", peer, "up"])
            try lab.runChecked(in: namespace, "ip", ["link", "set", name, "up"])
        }
    }

    /// Every IPv4 address in `namespace`, as "DEVICE ADDRESS/PREFIX", sorted.
    static func addresses(_ lab: VRRPLab, namespace: String) throws -> [String] {
        let output = try lab.runChecked(in: namespace, "ip", ["-4", "-o", "addr", "show"])
        return output.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            guard words.count > 3, let inet = words.firstIndex(of: "inet"), inet + 1 < words.count else { return nil }
            // A macvlan shows as "vrrp.1@eth0".
            return "\(words[1].split(separator: "@")[0]) \(words[inet + 1])"
        }.sorted()
    }
}
