import FulcrumPosix
import FulcrumVRRP

/// Carrying out what an election decided: adverts, VIPs added or removed
/// through rtnetlink, gratuitous ARPs (at once or spaced out), notifications.
extension VRRPSpeaker {
    func perform(_ i: Int, now: Int64) {
        for action in actions {
            switch action {
            case .sendAdvertisement(let priority):
                sendAdvert(i, priority: priority)
            case .addVirtualAddresses:
                for (a, device) in instances[i].addresses {
                    do { try netlink.addAddress(a) } catch {
                        Log.alert("VRRP_Instance(\(instances[i].config.name)) cannot add \(a.address)/\(a.prefixLength) to \(device): \(error)")
                    }
                }
                change(addresses: [], routes: instances[i].routes, rules: instances[i].rules, adding: true,
                       owner: "VRRP_Instance(\(instances[i].config.name))")
            case .removeVirtualAddresses:
                change(addresses: [], routes: instances[i].routes, rules: instances[i].rules, adding: false,
                       owner: "VRRP_Instance(\(instances[i].config.name))")
                for (a, device) in instances[i].addresses {
                    do { try netlink.deleteAddress(a) } catch {
                        Log.alert("VRRP_Instance(\(instances[i].config.name)) cannot remove \(a.address) from \(device): \(error)")
                    }
                }
            case .sendGratuitousARP(let rounds):
                let interval = configuration.vrrp.globalDefinitions.garpInterval
                if interval <= 0 {
                    for _ in 0..<max(1, rounds) { announce(i) }
                } else {
                    // vrrp_garp_interval: one round now, the others spaced out.
                    announce(i)
                    // (The interval is in microseconds.)
                    for k in 1..<max(1, rounds) { later(announcing: i, rounds: 1, at: now + (Int64(k) * interval + 999) / 1000) }
                }
            case .notify(let state):
                transitioned(i, to: state)
            }
        }
        actions.removeAll(keepingCapacity: true)
        armElection(i)
    }

    /// Gratuitous ARPs for instance `i` at `due`, if it is still MASTER then.
    func later(announcing i: Int, rounds: Int, at due: Int64) {
        pendingARPs.append((due, i, rounds))
        loop.schedule(EventToken(kind: Kind.arp.rawValue), at: due)
    }

    /// One gratuitous ARP for each of the instance's addresses.
    private func announce(_ i: Int) {
        for (a, _) in instances[i].addresses {
            guard let mac = macs[a.interfaceIndex] else { continue }
            try? arp.send(announcing: a.address, interfaceIndex: a.interfaceIndex, mac: mac)
        }
    }

    func sendDueARPs(now: Int64) {
        guard pendingARPs.contains(where: { $0.due <= now }) else { return }
        let due = pendingARPs.filter { $0.due <= now }
        pendingARPs.removeAll { $0.due <= now }
        for d in due where instances[d.instance].election.state == .master {
            for _ in 0..<d.rounds { announce(d.instance) }
        }
    }
}
