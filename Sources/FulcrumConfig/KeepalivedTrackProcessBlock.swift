/// `vrrp_track_process NAME { ... }` as keepalived 2.2 reads it.
extension KeepalivedParser {
    static let trackProcessKeywords: [String] = [
        "process", "param_match", "parameters", "weight", "quorum", "quorum_max", "fork_delay", "terminate_delay",
        "delay", "full_command",
    ]

    mutating func trackProcessKeyword(_ node: KeepalivedNode, _ p: inout VRRPTrackedProcess) {
        let name = p.name
        switch node.keyword.text {
        case "process":
            noBlock(node)
            guard !node.arguments.isEmpty else { alert(node.keyword.location, "(\(name)) 'process' expects a process name"); return }
            // keepalived: a name with spaces is the name, then its parameters.
            p.process = node.arguments[0].text
            if node.arguments.count > 1 { p.parameters = node.arguments.dropFirst().map(\.text) }
        case "parameters":
            noBlock(node)
            p.parameters = node.arguments.map(\.text)
        case "param_match":
            noBlock(node)
            guard let w = node.arguments.first, let m = VRRPTrackedProcess.ParameterMatch(rawValue: w.text) else {
                alert(node.arguments.first?.location ?? node.keyword.location,
                      "(\(name)) param_match expects 'exact', 'partial' or 'initial'")
                return
            }
            p.parameterMatch = m
        case "full_command":
            noBlock(node)
            for extra in node.arguments { alert(extra.location, "unexpected argument '\(extra.text)' after 'full_command'") }
            p.fullCommand = true
        case "weight":
            noBlock(node)
            guard let w = node.arguments.first, let n = KeepalivedValues.signed(w.text, in: -254...254) else {
                alert(node.arguments.first?.location ?? node.keyword.location, "(\(name)) weight must be in [-254, 254]")
                return
            }
            p.weight = n
            if node.arguments.count > 1 {
                if node.arguments[1].text == "reverse" { p.weightReverse = true } else {
                    alert(node.arguments[1].location, "(\(name)) unknown weight option \(node.arguments[1].text)")
                }
            }
        case "quorum":
            if let n = number(node, 1...65535, "(\(name)) quorum") { p.quorum = n }
        case "quorum_max":
            if let n = number(node, 0...Int(UInt32.max), "(\(name)) quorum_max") { p.quorumMax = n }
        case "fork_delay":
            if let n = number(node, 0...Int(Int32.max), "(\(name)) fork_delay") { p.forkDelay = n }
        case "terminate_delay":
            if let n = number(node, 0...Int(Int32.max), "(\(name)) terminate_delay") { p.terminateDelay = n }
        case "delay":
            if let n = number(node, 0...Int(Int32.max), "(\(name)) delay") { p.forkDelay = n; p.terminateDelay = n }
        default:
            unknown(node, in: "vrrp_track_process '\(name)'", served: Self.trackProcessKeywords, unserved: [])
        }
    }
}
