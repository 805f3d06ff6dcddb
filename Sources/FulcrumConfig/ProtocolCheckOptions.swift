/// HAProxy's ready-made protocol checks: `option redis-check`, `option
/// ssl-hello-chk`, `option pgsql-check user U`, `option ldap-check`. Like
/// `option httpchk`, each replaces the section's check type.
public enum ProtocolCheck: Equatable, Sendable {
    case redis
    case sslHello
    case pgsql(user: String)
    case ldap
}

extension ParseSession {
    static let protocolCheckOptions: Set<String> = ["redis-check", "ssl-hello-chk", "pgsql-check", "ldap-check"]

    mutating func protocolCheckOption(_ option: Word, _ args: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let name = option.text
        let check: ProtocolCheck
        switch name {
        case "pgsql-check":
            guard args.count >= 2, args[0].text == "user", !args[1].text.isEmpty else {
                alert(at(args.first ?? option),
                      "'option pgsql-check' : missing or invalid argument; expects 'user <username>'.")
                return
            }
            if args.count > 2 {
                alert(at(args[2]), "unexpected argument '\(args[2].text)' for 'option pgsql-check'")
                return
            }
            check = .pgsql(user: args[1].text)
        default:
            if let extra = args.first {
                alert(at(extra), "unexpected argument '\(extra.text)' for 'option \(name)'")
                return
            }
            check = name == "redis-check" ? .redis : name == "ssl-hello-chk" ? .sslHello : .ldap
        }
        drafts[index].settings.healthCheck.kind = .tcpConnect
        drafts[index].settings.healthCheck.protocolCheck = check
        drafts[index].settings.healthCheck.external = false
    }
}
