import FulcrumBytes

/// What one response says about the name that was asked, as HAProxy's
/// resolver sorts it (resolv_validate_dns_response): the status its `hold`
/// periods are named after, and the usable records.
public enum DNSOutcome: Equatable, Sendable {
    /// Addresses (A/AAAA for the name or the end of its CNAME chain).
    case addresses([IPAddress])
    /// SRV targets, with the address the additional section gave (nil: none given).
    case services([DNSService])
    case nameError          // NXDOMAIN: `hold nx`
    case refused            // `hold refused`
    case other              // SERVFAIL, empty answer, CNAME loop...: `hold other`
}

public struct DNSService: Equatable, Sendable {
    public var target: String
    public var port: UInt16
    public var weight: UInt16
    public var priority: UInt16
    public var address: IPAddress?
    public init(target: String, port: UInt16, weight: UInt16, priority: UInt16, address: IPAddress?) {
        self.target = target; self.port = port; self.weight = weight; self.priority = priority; self.address = address
    }
}

public enum DNSAnswer {
    /// The answer section ends with a CNAME: nothing it points to was given
    /// (haproxy 2.6 counts such a response as `cname_error`, not `valid`,
    /// and its resolution status is `other`).
    public static func endsWithCNAME(_ response: DNSResponse) -> Bool {
        if case .cname? = response.answers.last?.data { return true }
        return false
    }

    /// Sorts `response` to the question (`name`, `type`). A CNAME chain is
    /// followed through the answer section (at most 8 links).
    public static func outcome(_ response: DNSResponse, name: String, type: DNSType) -> DNSOutcome {
        switch response.responseCode {
        case DNSResponseCode.noError.rawValue: break
        case DNSResponseCode.nameError.rawValue: return .nameError
        case DNSResponseCode.refused.rawValue: return .refused
        default: return .other
        }
        var names: Set<String> = [DNSName.canonical(name)]
        for _ in 0..<8 {
            var grew = false
            for r in response.answers {
                if case .cname(let target) = r.data, names.contains(r.name), !names.contains(target) {
                    names.insert(target); grew = true
                }
            }
            if !grew { break }
        }
        if type == .srv {
            var services: [DNSService] = []
            for r in response.answers {
                guard case .srv(let priority, let weight, let port, let target) = r.data, names.contains(r.name) else { continue }
                var address: IPAddress? = nil
                for extra in response.additional where extra.name == target {
                    if case .a(let v4) = extra.data { address = .v4(v4); break }
                    if case .aaaa(let v6) = extra.data, address == nil { address = .v6(v6) }
                }
                services.append(DNSService(target: target, port: port, weight: weight, priority: priority, address: address))
            }
            return services.isEmpty ? .other : .services(services)
        }
        var addresses: [IPAddress] = []
        for r in response.answers where names.contains(r.name) {
            switch r.data {
            case .a(let v4) where type == .a: addresses.append(.v4(v4))
            case .aaaa(let v6) where type == .aaaa: addresses.append(.v6(v6))
            default: break
            }
        }
        return addresses.isEmpty ? .other : .addresses(addresses)
    }
}
