import FulcrumBytes

/// One line of `static_rules` / `virtual_rules`, read as keepalived 2.2.7's
/// parse_rule reads it (modelled on `ip rule`). As there, a rule whose from/to
/// address does not parse is skipped with a warning rather than failing the
/// file, and a rule without a preference gets the next one counting down
/// from 16384 (with keepalived's warning). IPv6 rules and options Fulcrum does
/// not install (realms, uidrange, ipproto, ports, l3mdev, ...) are refused at
/// their word.
extension KeepalivedParser {
    static let unservedRuleOptions: Set<String> = [
        "realms", "uidrange", "ipproto", "sport", "dport", "l3mdev", "suppress_ifgroup", "protocol",
        "lookup_l3mdev",
    ]
    static let ruleOptions = [
        "from", "to", "table", "lookup", "priority", "preference", "prio", "iif", "oif", "fwmark", "tos",
        "dsfield", "not", "invert", "goto", "suppress_prefixlength", "no_track", "blackhole", "unreachable",
        "prohibit", "nop", "type",
    ]

    mutating func rule(_ line: KeepalivedNode) -> VRRPRule? {
        noBlock(line)
        var words = KeepalivedOptionWords(line, kind: "rule")
        var r = VRRPRule(location: line.keyword.location)
        var priority: UInt32?
        while let w = words.next() {
            switch w.text {
            case "from", "to":
                guard let v = words.value(&self) else { return nil }
                guard let (a, prefix) = KeepalivedValues.addressWithPrefix(v.text) else {
                    warning(v.location, "Invalid rule \(w.text) address \(v.text) - skipping this rule (as keepalived)")
                    return nil
                }
                guard case .v4(let v4) = a else {
                    alert(v.location, "IPv6 rule address '\(v.text)' is not supported: Fulcrum's VRRP is IPv4")
                    return nil
                }
                if w.text == "from" { r.from = VRRPPrefix(v4, prefix ?? 32) } else { r.to = VRRPPrefix(v4, prefix ?? 32) }
            case "table", "lookup":
                guard let v = words.value(&self), let t = table(v) else { return nil }
                r.action = .table(t)
            case "goto":
                guard let v = words.value(&self), let n = unsigned32(v, "rule goto target") else { return nil }
                r.action = .goto(n)
            case "priority", "preference", "prio":
                guard let v = words.value(&self), let n = unsigned32(v, "rule preference") else { return nil }
                priority = n
            case "iif", "oif":
                guard let v = words.value(&self) else { return nil }
                if w.text == "iif" { r.inputInterface = v.text } else { r.outputInterface = v.text }
            case "fwmark":
                guard let v = words.value(&self) else { return nil }
                // "/" alone or a missing half is an error, not an empty list.
                let parts = v.text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard let mark = KeepalivedValues.unsigned32Any(parts[0]),
                      parts.count == 1 || KeepalivedValues.unsigned32Any(parts[1]) != nil else {
                    alert(v.location, "invalid fwmark '\(v.text)' (N or N/MASK, decimal or 0x hexadecimal)")
                    return nil
                }
                r.fwmark = mark
                r.fwmask = parts.count == 2 ? KeepalivedValues.unsigned32Any(parts[1]) : nil
            case "tos", "dsfield":
                guard let v = words.value(&self), let t = typeOfService(v, "rule") else { return nil }
                r.tos = t
            case "not", "invert":
                r.invert = true
            case "suppress_prefixlength":
                guard let v = words.value(&self) else { return nil }
                guard let n = KeepalivedValues.unsigned(v.text, in: 0...32) else {
                    alert(v.location, "invalid suppress_prefixlength '\(v.text)' (0-32)")
                    return nil
                }
                r.suppressPrefixLength = n
            case "no_track":
                r.noTrack = true
            case "type":
                guard let v = words.value(&self), let a = ruleType(v) else { return nil }
                r.action = a
            case "blackhole", "unreachable", "prohibit", "nop":
                r.action = ruleType(w)!
            default:
                if Self.unservedRuleOptions.contains(w.text) {
                    alert(w.location, "keepalived rule option '\(w.text)' is not supported")
                } else {
                    let hint = Suggestion.didYouMean(w.text, among: Self.ruleOptions)
                    alert(w.location, "unknown rule option '\(w.text)'\(hint)")
                }
                return nil
            }
        }
        if let priority {
            r.priority = priority
        } else {
            r.priority = nextRulePriority
            warning(line.keyword.location, "Rule has no preference specified - setting to \(nextRulePriority). This is probably not what you want.")
            nextRulePriority -= 1
        }
        return r
    }

    private mutating func ruleType(_ w: KeepalivedToken) -> VRRPRuleAction? {
        switch w.text {
        case "blackhole": return .blackhole
        case "unreachable": return .unreachable
        case "prohibit": return .prohibit
        case "nop": return .nop
        default:
            alert(w.location, "invalid rule type '\(w.text)' (blackhole, unreachable, prohibit or nop)")
            return nil
        }
    }
}
