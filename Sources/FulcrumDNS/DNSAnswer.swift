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

/// How haproxy 2.6 judges a whole response (resolv_validate_dns_response,
/// then the question's name against the one asked): the `show resolvers`
/// counter it adds to. Only `valid` responses are read for records.
public enum DNSVerdict: Equatable, Sendable {
    case valid, nameError, refused
    /// No answer record: `any_err`.
    case anyError
    /// The answers do not lead to a record of the name through its CNAME
    /// chain: the last one is a CNAME, or a later one is about another name.
    case cnameError
    /// Truncated, except for SRV (whose whole records are still read).
    case truncated
    /// The first answer is about another name than the question.
    case invalid
    /// Another response code, or the question is not the name asked.
    case other
}

public enum DNSAnswer {
    /// Walks the answers as haproxy does: each must be about the name the
    /// chain has reached (the question, then each CNAME's target), and a
    /// CNAME must not be last; SRV answers are not chained.
    public static func verdict(_ r: DNSResponse, name: String) -> DNSVerdict {
        switch r.responseCode {
        case DNSResponseCode.noError.rawValue: break
        case DNSResponseCode.nameError.rawValue: return .nameError
        case DNSResponseCode.refused.rawValue: return .refused
        default: return .other
        }
        guard !r.answers.isEmpty else { return .anyError }
        let srv = r.questionType == DNSType.srv.rawValue
        if r.truncated && !srv { return .truncated }
        var reached = DNSName.canonical(r.questionName)
        for (i, record) in r.answers.enumerated() {
            if !srv && DNSName.canonical(record.name) != reached { return i == 0 ? .invalid : .cnameError }
            if case .cname(let target) = record.data {
                if i == r.answers.count - 1 { return .cnameError }
                reached = DNSName.canonical(target)
            }
        }
        return DNSName.canonical(r.questionName) == DNSName.canonical(name) ? .valid : .other
    }

    /// Sorts `response` to the question (`name`, `type`). A CNAME chain is
    /// followed through the answer section (at most 8 links).
    /// A response haproxy does not take as valid (`verdict`) says nothing
    /// more than its status: `hold other`, as haproxy's RSLV_STATUS_OTHER.
    public static func outcome(_ response: DNSResponse, name: String, type: DNSType) -> DNSOutcome {
        switch verdict(response, name: name) {
        case .valid: break
        case .nameError: return .nameError
        case .refused: return .refused
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
