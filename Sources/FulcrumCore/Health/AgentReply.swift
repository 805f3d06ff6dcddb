/// An agent's reply as HAProxy 2.6 reads it (tcpcheck_agent_expect_reply):
/// one line ended by CR or LF, words separated by spaces, tabs or commas, in
/// any order, the last of each kind winning: a weight ("75%"), a health
/// ("up", "down", "stopped", "fail"), an admin state ("ready", "drain",
/// "maint"), "maxconn:N"; anything else is an error (the first one is kept);
/// a '#' starts a description, shown only with a health word.
public struct AgentReply: Equatable, Sendable {
    public enum Health: Equatable, Sendable { case up, down }
    public enum Admin: String, Equatable, Sendable { case ready, drain, maint }

    /// The health word as the agent wrote it, and what it means.
    public var healthWord: String?
    public var health: Health?
    public var admin: Admin?
    public var weight: String?
    public var maxconn: String?
    public var error: String?
    public var description = ""

    public enum Parsed: Equatable, Sendable {
        /// No end of line yet and the agent may send more.
        case needMore
        /// The connection ended before an end of line.
        case incomplete
        case reply(AgentReply)
    }

    public static func parse(_ bytes: [UInt8], complete: Bool) -> Parsed {
        guard let end = bytes.firstIndex(where: { $0 == 10 || $0 == 13 || $0 == 0 }), bytes[end] != 0 else {
            return complete || bytes.contains(0) ? .incomplete : .needMore
        }
        let line = bytes[..<end]
        var r = AgentReply()
        var i = line.startIndex
        func separator(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 44 }
        while i < line.endIndex {
            if separator(line[i]) { i += 1; continue }
            if line[i] == 35 { // '#'
                i += 1
                while i < line.endIndex, line[i] == 32 || line[i] == 9 { i += 1 }
                r.description = String(decoding: line[i...], as: UTF8.self)
                break
            }
            var j = i + 1
            while j < line.endIndex, !separator(line[j]) { j += 1 }
            let word = String(decoding: line[i..<j], as: UTF8.self)
            switch word.lowercased() {
            case "up": r.healthWord = word; r.health = .up
            case "down", "stopped", "fail": r.healthWord = word; r.health = .down
            case "ready": r.admin = .ready
            case "drain": r.admin = .drain
            case "maint": r.admin = .maint
            case let w where w.first?.isASCII == true && w.first?.isNumber == true && w.contains("%"): r.weight = word
            case let w where w.hasPrefix("maxconn:"): r.maxconn = String(word.dropFirst(8))
            default: if r.error == nil { r.error = word }
            }
            i = j
        }
        return .reply(r)
    }

    /// The check's description once applied (last_agt), HAProxy's wording;
    /// `warning` is what applying the weight or maxconn reported.
    public func summary(warning: String?) -> String {
        let wrn = warning.flatMap { $0.isEmpty ? nil : $0 }
        let err = error.flatMap { $0.isEmpty ? nil : $0 }
        if let healthWord {
            var msg = description
            if msg.isEmpty || health == .up { msg = err ?? wrn ?? msg }
            return "via agent : \(healthWord)" + (msg.isEmpty ? "" : " (\(msg))")
        }
        if let err { return "agent reports an error : \(err)" }
        if let wrn { return "agent warns : \(wrn)" }
        return ""
    }
}
