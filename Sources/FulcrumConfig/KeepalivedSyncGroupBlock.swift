/// `vrrp_sync_group NAME { ... }`: the instances that change state together
/// and the group's notify scripts.
extension KeepalivedParser {
    mutating func syncGroupKeyword(_ written: KeepalivedNode, _ group: inout VRRPSyncGroup) {
        let node = canonical(written)
        let owner = "vrrp group \(group.name):"
        switch node.keyword.text {
        case "group":
            guard let block = needsBlock(node) else { return }
            for member in values(block) {
                if group.instances.contains(member.text) {
                    warning(member.location, "\(owner) instance \(member.text) listed twice - ignoring")
                } else {
                    group.instances.append(member.text)
                }
            }
        case "notify_master": setNotify(node, \.master, &group.notify, owner: owner)
        case "notify_backup": setNotify(node, \.backup, &group.notify, owner: owner)
        case "notify_fault": setNotify(node, \.fault, &group.notify, owner: owner)
        case "notify_stop": setNotify(node, \.stop, &group.notify, owner: owner)
        case "notify": setNotify(node, \.any, &group.notify, owner: owner)
        case "smtp_alert":
            if let v = flag(node) { group.smtpAlert = v }
        default:
            unknown(node, in: "vrrp_sync_group '\(group.name)'", served: KeepalivedKeywords.syncGroup, unserved: KeepalivedKeywords.unservedSyncGroup)
        }
    }
}
