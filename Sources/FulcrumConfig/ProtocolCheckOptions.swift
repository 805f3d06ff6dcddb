/// HAProxy's ready-made protocol checks: `option redis-check`, `option
/// ssl-hello-chk`, `option pgsql-check user U`, `option ldap-check`,
/// `option smtpchk [HELO|EHLO domain]`, `option mysql-check [user U
/// [post-41|pre-41]]`. Like `option httpchk`, each replaces the section's
/// check type.
public enum ProtocolCheck: Equatable, Sendable {
    case redis
    case sslHello
    case pgsql(user: String)
    case ldap
    /// `command`: what follows the greeting ("HELO localhost" by default).
    case smtp(command: String)
    /// `user`: nil checks the server's greeting only; otherwise an
    /// authentication packet (4.1 or the older form) and COM_QUIT are sent.
    case mysql(user: String?, post41: Bool)
}

extension ParseSession {
    static let protocolCheckOptions: Set<String> = ["redis-check", "ssl-hello-chk", "pgsql-check", "ldap-check",
                                                    "smtpchk", "mysql-check"]

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
        case "smtpchk":
            if args.count > 2 {
                alert(at(args[2]), "'option smtpchk' cannot handle unexpected argument '\(args[2].text)'.")
                return
            }
            // As HAProxy: anything but `HELO|EHLO domain` sends the default.
            if args.count == 2, args[0].text == "HELO" || args[0].text == "EHLO", !args[1].text.isEmpty {
                check = .smtp(command: args[0].text + " " + args[1].text)
            } else {
                check = .smtp(command: "HELO localhost")
            }
        case "mysql-check":
            guard let mysql = mysqlCheck(option, args, at: at) else { return }
            check = mysql
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

    /// `option mysql-check [user NAME [post-41|pre-41]]`, with HAProxy's messages.
    private mutating func mysqlCheck(_ option: Word, _ args: [Word], at: (Word) -> SourceLocation) -> ProtocolCheck? {
        guard let first = args.first else { return .mysql(user: nil, post41: true) }
        guard first.text == "user" else {
            alert(at(first), "'option mysql-check' only supports optional values: 'user' (got '\(first.text)').")
            return nil
        }
        guard args.count >= 2, !args[1].text.isEmpty else {
            alert(at(first), "'option mysql-check user' expects <username> as argument.")
            return nil
        }
        if args.count > 3 {
            alert(at(args[3]), "'option mysql-check' cannot handle unexpected argument '\(args[3].text)'.")
            return nil
        }
        var post41 = true
        if args.count == 3 {
            guard args[2].text == "post-41" || args[2].text == "pre-41" else {
                alert(at(args[2]), "keyword 'user' only supports 'post-41' and 'pre-41' (got '\(args[2].text)').")
                return nil
            }
            post41 = args[2].text == "post-41"
        }
        return .mysql(user: args[1].text, post41: post41)
    }
}
