/// What one `fulcrum --role smtp-alert -- ...` process is asked to send: the
/// words after `--`, written by `SMTPAlert.send` and read back by the role.
/// Named options (not positions) so a log line of the command reads plainly:
///
///     --server HOST --port N --timeout SECONDS --helo NAME --from ADDR
///     --to ADDR [--to ADDR ...] --router-id ID (--instance NAME | --group NAME)
///     --state MASTER|BACKUP|FAULT|STOP
struct SMTPAlertRequest: Equatable {
    var host: String
    var port: Int
    /// Bound on the connection and on each wait for the server (smtp_connect_timeout).
    var timeoutSeconds: Int
    var helo: String
    var from: String
    var to: [String]
    var routerID: String
    var name: String
    var kind: SMTPAlertMessage.Kind
    var state: SMTPAlertMessage.State

    struct ParseError: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    var arguments: [String] {
        var words = ["--server", host, "--port", String(port), "--timeout", String(timeoutSeconds),
                     "--helo", helo, "--from", from]
        for address in to { words += ["--to", address] }
        words += ["--router-id", routerID, kind == .instance ? "--instance" : "--group", name, "--state", state.rawValue]
        return words
    }

    func message(date: String) -> SMTPAlertMessage {
        SMTPAlertMessage(routerID: routerID, from: from, to: to, name: name, kind: kind, state: state, date: date)
    }

    static func parse(_ words: [String]) throws(ParseError) -> SMTPAlertRequest {
        var values: [String: String] = [:]
        var to: [String] = []
        var kind: SMTPAlertMessage.Kind?
        var name: String?
        var i = 0
        while i < words.count {
            let option = words[i]
            guard i + 1 < words.count else { throw ParseError(description: "option '\(option)' needs a value") }
            let value = words[i + 1]
            switch option {
            case "--server", "--port", "--timeout", "--helo", "--from", "--router-id", "--state":
                guard values[option] == nil else { throw ParseError(description: "option '\(option)' given twice") }
                values[option] = value
            case "--to":
                to.append(value)
            case "--instance", "--group":
                guard kind == nil else { throw ParseError(description: "give one of --instance or --group") }
                kind = option == "--instance" ? .instance : .group
                name = value
            default:
                throw ParseError(description: "unknown option '\(option)'")
            }
            i += 2
        }
        func required(_ option: String) throws(ParseError) -> String {
            guard let v = values[option], !v.isEmpty else { throw ParseError(description: "missing \(option)") }
            return v
        }
        let host = try required("--server")
        guard let port = Int(try required("--port")), (1...65535).contains(port) else {
            throw ParseError(description: "--port needs a number from 1 to 65535")
        }
        guard let timeout = Int(try required("--timeout")), timeout > 0 else {
            throw ParseError(description: "--timeout needs a positive number of seconds")
        }
        let stateWord = try required("--state")
        guard let state = SMTPAlertMessage.State(rawValue: stateWord) else {
            throw ParseError(description: "unknown --state '\(stateWord)' (MASTER, BACKUP, FAULT or STOP)")
        }
        guard let kind, let name, !name.isEmpty else { throw ParseError(description: "missing --instance or --group") }
        guard !to.isEmpty else { throw ParseError(description: "missing --to") }
        return SMTPAlertRequest(host: host, port: port, timeoutSeconds: timeout, helo: try required("--helo"),
                                from: try required("--from"), to: to, routerID: try required("--router-id"),
                                name: name, kind: kind, state: state)
    }
}
