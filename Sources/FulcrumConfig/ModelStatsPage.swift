/// The HTTP statistics page of a proxy (HAProxy's `stats` keywords in a
/// defaults, frontend, backend or listen section; its `uri_auth`). Any
/// `stats` line but `admin` and `http-request` turns the page on, with
/// HAProxy's defaults for what is not said.
public struct StatsPage: Equatable, Sendable {
    /// One `stats auth USER:PASSWORD` account (the password in clear, as HAProxy keeps it).
    public struct Account: Equatable, Sendable {
        public var user: String
        public var password: String
        public init(user: String, password: String) { self.user = user; self.password = password }
    }

    /// The first `stats` line that built this page (defaults' one when inherited).
    public var location: SourceLocation
    /// `stats uri PREFIX`: requests whose URI (its path and query when the
    /// prefix starts with "/") begins with it get the page.
    public var uri = StatsPage.defaultURI
    /// `stats realm`: nil gives HAProxy's "HAProxy Statistics".
    public var realm: String?
    /// `stats auth`, in order; with any, a request without one of these
    /// accounts is answered 401 (HAProxy's implicit `auth` rule).
    public var accounts: [Account] = []
    /// `stats admin if|unless COND`: the first matching rule gives the
    /// request the right to change servers from the page.
    public var adminRules: [RuleCondition] = []
    /// `stats http-request allow|deny|auth [realm R] [if|unless COND]`,
    /// evaluated before the page is served.
    public var requestRules: [HTTPRequestRule] = []
    /// `stats refresh` in seconds; 0: the page asks for no refresh.
    public var refreshSeconds = 0
    /// `stats hide-version`: no version, pid nor process information.
    public var hideVersion = false
    /// `stats show-legends`: the proxies' capabilities, modes and ids, and the servers' addresses.
    public var showLegends = false
    /// `stats show-modules`: the module counters in the page.
    public var showModules = false
    /// `stats show-node [NAME]`: nil: not shown; "" names the global `node`
    /// (or the host name) at display time.
    public var node: String?
    /// `stats show-desc [TEXT]`: nil: not shown; "" shows the global `description`.
    public var description: String?
    /// `stats scope PROXY`, several: only these proxies are shown (all when empty).
    public var scopes: [String] = []

    public static let defaultURI = "/haproxy?stats"
    public static let defaultRealm = "HAProxy Statistics"

    public init(location: SourceLocation) { self.location = location }
}
