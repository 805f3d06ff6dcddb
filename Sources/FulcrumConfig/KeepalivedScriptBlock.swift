/// `vrrp_script NAME { ... }`: the command a VRRP instance tracks, its
/// schedule, weight and rise/fall counts.
extension KeepalivedParser {
    mutating func scriptKeyword(_ node: KeepalivedNode, _ script: inout VRRPScript) {
        let context = "vrrp_script '\(script.name)'"
        switch node.keyword.text {
        case "script":
            if let c = command(node) { script.command = c }
        case "interval":
            if let n = number(node, 0...Int(Int32.max), "(\(script.name)) vrrp script interval") {
                if n == 0 { warning(node.keyword.location, "(\(script.name)) vrrp script interval must be greater than 0, setting to 1") }
                script.interval = max(n, 1)
            }
        case "timeout":
            if let n = number(node, 0...Int(Int32.max), "(\(script.name)) vrrp script timeout") {
                if n == 0 { warning(node.keyword.location, "(\(script.name)) vrrp script timeout must be greater than 0, setting to 1") }
                script.timeout = max(n, 1)
            }
        case "weight":
            noBlock(node)
            guard let w = node.arguments.first else { alert(node.keyword.location, "'weight' expects a number"); return }
            guard let n = KeepalivedValues.signed(w.text, in: -253...253) else {
                alert(w.location, "vrrp_script \(script.name) weight \(w.text) must be in [-253, 253]")
                return
            }
            script.weight = n
            if node.arguments.count > 1 {
                let option = node.arguments[1]
                if option.text == "reverse" { script.weightReverse = true } else {
                    alert(option.location, "vrrp_script \(script.name) unknown weight option \(option.text)")
                }
            }
            for extra in node.arguments.dropFirst(2) { alert(extra.location, "unexpected argument '\(extra.text)' after 'weight'") }
        case "rise":
            if let n = number(node, 1...Int(Int32.max), "(\(script.name)) vrrp script rise value") { script.rise = n }
        case "fall":
            if let n = number(node, 1...Int(Int32.max), "(\(script.name)) vrrp script fall value") { script.fall = n }
        case "user":
            noBlock(node)
            guard let user = node.arguments.first else { alert(node.keyword.location, "'user' expects a user name and optionally a group"); return }
            script.user = user.text
            script.group = node.arguments.count > 1 ? node.arguments[1].text : nil
            for extra in node.arguments.dropFirst(2) { alert(extra.location, "unexpected argument '\(extra.text)' after 'user'") }
        case "init_fail":
            noBlock(node)
            for extra in node.arguments { alert(extra.location, "unexpected argument '\(extra.text)' after 'init_fail'") }
            script.initFail = true
        default:
            unknown(node, in: context, served: KeepalivedKeywords.script, unserved: KeepalivedKeywords.unservedScript)
        }
    }
}
