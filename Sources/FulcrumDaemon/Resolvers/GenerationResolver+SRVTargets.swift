import FulcrumDNS

/// SRV targets the answer gives no address for (none in its additional
/// section): as haproxy 2.6 does, each target is resolved on its own, in the
/// SRV entry's section and with its servers' `resolve-prefer`, and the slot
/// that takes it gets that address with the SRV record's port and weight.
extension GenerationResolver {
    /// Whether entry `i` resolves a target its SRV entry still names.
    func isWantedTarget(_ i: Int) -> Bool {
        guard let parent = entries[i].serves else { return false }
        let name = entries[i].resolution.name
        return !entries[parent].members.isEmpty
            && entries[parent].resolution.targetsWithoutAddress.contains { DNSName.canonical($0.target) == name }
    }

    /// A resolution for each target of SRV entry `i` without an address
    /// (started by the next `run`); one already there is kept.
    func followTargets(_ i: Int, now: Int64) {
        let prefer = entries[i].members.first?.preferIPv4 ?? false
        for s in entries[i].resolution.targetsWithoutAddress {
            let name = DNSName.canonical(s.target)
            if entries.contains(where: { $0.serves == i && $0.resolution.name == name }) { continue }
            entries.append(Entry(section: entries[i].section, resolution: DNSResolution(name: name, preferIPv4: prefer, now: now),
                                 members: [], serves: i))
        }
    }

    /// SRV entry `i`'s targets resolved on their own, as its items.
    func targetItems(_ i: Int) -> [DNSResolvedItem] {
        entries[i].resolution.targetsWithoutAddress.compactMap { s in
            let name = DNSName.canonical(s.target)
            guard let f = entries.first(where: { $0.serves == i && $0.resolution.name == name }),
                  let a = f.resolution.items.first else { return nil }
            return DNSResolvedItem(address: a.address, port: Int(s.port), weight: Int(s.weight), target: s.target, lastSeen: a.lastSeen)
        }
    }
}
