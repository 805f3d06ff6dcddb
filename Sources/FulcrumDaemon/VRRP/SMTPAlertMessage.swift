/// The e-mail keepalived sends when a VRRP instance or sync group with
/// `smtp_alert` changes state, and the SMTP dialogue that delivers it, as
/// text only (no I/O), so what operators' mail filters match on is tested
/// without a mail server: the subject `[ROUTER_ID] VRRP Instance NAME -
/// Entering MASTER state`, the `X-Mailer: Keepalived` header, the one-line
/// body.
public struct SMTPAlertMessage: Equatable, Sendable {
    /// Whose state changed: keepalived's subjects say "VRRP Instance" or "VRRP Group".
    public enum Kind: String, Equatable, Sendable {
        case instance, group
    }

    /// The states an alert is sent for (the names notify scripts get too).
    public enum State: String, Equatable, Sendable, CaseIterable {
        case master = "MASTER", backup = "BACKUP", fault = "FAULT", stop = "STOP"
    }

    public var routerID: String
    /// `notification_email_from`, as written (it may be `Name <addr>`).
    public var from: String
    /// `notification_email`, in configuration order.
    public var to: [String]
    public var name: String
    public var kind: Kind
    public var state: State
    /// The `Date:` header value (RFC 5322, e.g. `Mon, 01 Mar 2021 09:44:08 +0000`),
    /// made by the caller at send time.
    public var date: String

    public init(routerID: String, from: String, to: [String], name: String, kind: Kind, state: State, date: String) {
        self.routerID = routerID; self.from = from; self.to = to
        self.name = name; self.kind = kind; self.state = state; self.date = date
    }

    /// `[router_id] VRRP Instance NAME - Entering MASTER state`, or `... - Stopping`.
    public var subject: String {
        let what = kind == .instance ? "VRRP Instance" : "VRRP Group"
        let event = state == .stop ? "Stopping" : "Entering \(state.rawValue) state"
        return Self.oneLine("[\(routerID)] \(what) \(name) - \(event)")
    }

    /// keepalived's one-line bodies, which differ between instances and groups.
    public var body: String {
        switch (kind, state) {
        case (.instance, .master): return "=> VRRP Instance is now owning VRRP VIPs <="
        case (.instance, .backup), (.instance, .fault): return "=> VRRP Instance is no longer owning VRRP VIPs <="
        case (.instance, .stop): return "=> VRRP Instance stopping <="
        case (.group, .stop): return "=> All VRRP group instances are now stopping <="
        case (.group, let s): return "=> All VRRP group instances are now in \(s.rawValue) state <="
        }
    }

    /// What follows the server's 354: the headers, a blank line, the body and
    /// the terminating `.` line. Recipients go on folded `To:` lines, as
    /// keepalived writes them; a body line starting with `.` is doubled
    /// (RFC 5321 4.5.2) so it cannot end the data early.
    public var data: String {
        var text = "Date: \(Self.oneLine(date))\r\n"
        text += "From: \(Self.oneLine(from))\r\n"
        text += "Subject: \(subject)\r\n"
        text += "X-Mailer: Keepalived\r\n"
        text += "To:"
        for (i, address) in to.enumerated() {
            text += (i == 0 ? " " : ",\r\n ") + Self.oneLine(address)
        }
        text += "\r\n\r\n"
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            text += (line.hasPrefix(".") ? "." : "") + line + "\r\n"
        }
        return text + "\r\n.\r\n"
    }

    /// The whole dialogue, in order, starting with the server's greeting.
    /// `helo` is the name given in HELO (keepalived: `smtp_helo_name`, else
    /// the host name).
    public func dialogue(helo: String) -> [SMTPStep] {
        var steps: [SMTPStep] = [
            SMTPStep(name: "connect", command: nil, expected: 220),
            SMTPStep(name: "HELO", command: "HELO \(Self.oneLine(helo))\r\n", expected: 250),
            SMTPStep(name: "MAIL", command: "MAIL FROM:\(Self.envelope(from))\r\n", expected: 250),
        ]
        for address in to {
            steps.append(SMTPStep(name: "RCPT", command: "RCPT TO:\(Self.envelope(address))\r\n", expected: 250))
        }
        steps.append(SMTPStep(name: "DATA", command: "DATA\r\n", expected: 354))
        steps.append(SMTPStep(name: "DOT", command: data, expected: 250))
        steps.append(SMTPStep(name: "QUIT", command: "QUIT\r\n", expected: 221))
        return steps
    }

    /// The envelope form of an address: `Name <a@b>` gives `<a@b>`, a bare
    /// `a@b` gives `<a@b>` (keepalived's rule).
    public static func envelope(_ address: String) -> String {
        let a = oneLine(address)
        if a.hasSuffix(">"), let open = a.lastIndex(of: "<") { return String(a[open...]) }
        return "<\(a)>"
    }

    /// A value placed in a header or command line: CR and LF would let a name
    /// inject headers or commands, so they become spaces.
    static func oneLine(_ s: String) -> String {
        guard s.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return s }
        return String(s.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }
}

/// One exchange of the dialogue: what the client sends (nil for the server's
/// greeting) and the reply code that lets it go on. `name` is what keepalived
/// calls the step in its log ("Error processing MAIL cmd ...").
public struct SMTPStep: Equatable, Sendable {
    public var name: String
    public var command: String?
    public var expected: Int
    public init(name: String, command: String?, expected: Int) {
        self.name = name; self.command = command; self.expected = expected
    }
}
