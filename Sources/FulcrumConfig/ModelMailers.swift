import FulcrumLog

/// A `mailers` section: the SMTP servers `email-alert mailers NAME` sends to
/// (each gets every mail), and how long one delivery may take.
public struct MailersSection: Equatable, Sendable {
    public struct Mailer: Equatable, Sendable {
        public var name: String
        public var host: String
        public var port: Int
        public var location: SourceLocation
    }
    public var name: String
    public var location: SourceLocation
    public var mailers: [Mailer] = []
    /// `timeout mail` in ms (HAProxy's default: 10s).
    public var timeoutMail = 10000
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

/// A proxy's `email-alert` settings once complete: on a server state change
/// logged at `level` or more urgent, HAProxy 2.6 mails its log message.
public struct EmailAlert: Equatable, Sendable {
    public var mailers: String
    public var from: String
    public var to: String
    /// `email-alert level` (default alert: only DOWN transitions).
    public var level: LogLevel = .alert
    /// `email-alert myhostname` (default: the host name), said in HELO.
    public var myHostname: String? = nil
    public init(mailers: String, from: String, to: String) { self.mailers = mailers; self.from = from; self.to = to }
}

/// `email-alert` lines while a section is read (inherited from defaults);
/// `EmailAlert` once all three of from, to and mailers are there.
struct EmailAlertDraft: Equatable, Sendable {
    var mailers: String? = nil
    var mailersLocation: SourceLocation? = nil
    var from: String? = nil
    var to: String? = nil
    var level: LogLevel? = nil
    var myHostname: String? = nil
    var isSet: Bool { mailers != nil || from != nil || to != nil || level != nil || myHostname != nil }
}
