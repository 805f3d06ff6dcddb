import FulcrumBytes

/// Which server takes which resolved item: servers that share a name (a
/// `server-template`'s slots, or servers on the same FQDN in one backend)
/// keep the item they hold while it is still resolved, and those without one
/// take, in order, the first item no other holds (HAProxy's
/// `prevent-dup-ip`, its default); with `allow-dup-ip` a server without an
/// item takes the first one.
public enum DNSSlotAssignment {
    /// - current: each server's address now (nil: none).
    /// - Returns: each server's index into `items`, or nil (no address).
    public static func assign(current: [IPAddress?], currentPorts: [Int?] = [], items: [DNSResolvedItem],
                              allowDuplicates: [Bool]) -> [Int?] {
        var result = [Int?](repeating: nil, count: current.count)
        var taken = Set<Int>()
        for (s, address) in current.enumerated() {
            guard let address else { continue }
            let port = s < currentPorts.count ? currentPorts[s] : nil
            let match = items.indices.first {
                items[$0].address == address && (port == nil || items[$0].port == nil || items[$0].port == port)
                    && (allowDuplicates[s] || !taken.contains($0))
            }
            if let match { result[s] = match; taken.insert(match) }
        }
        for s in current.indices where result[s] == nil {
            if allowDuplicates[s] {
                if !items.isEmpty { result[s] = 0 }
            } else if let free = items.indices.first(where: { !taken.contains($0) }) {
                result[s] = free; taken.insert(free)
            }
        }
        return result
    }

    /// `resolve-net`: items in the preferred networks first, each group in
    /// the answer's order.
    public static func preferring(_ networks: [IPNetwork], _ items: [DNSResolvedItem]) -> [DNSResolvedItem] {
        guard !networks.isEmpty else { return items }
        let inside = items.filter { i in networks.contains { $0.contains(i.address) } }
        return inside + items.filter { i in !networks.contains { $0.contains(i.address) } }
    }

    /// An SRV weight (0–65535) as HAProxy's server weight (1–256).
    public static func serverWeight(srv weight: Int) -> Int { weight / 256 + 1 }
}
