/// A section's health-check settings while they are read. `option httpchk`
/// and `http-check send` are kept apart because HAProxy merges them whatever
/// their order: the option gives the request line, a send rule overrides the
/// parts it names.
struct HealthCheckDraft: Sendable {
    var kind: CheckKind = .tcpConnect
    /// The request of `option httpchk` (HAProxy's defaults when it has no argument).
    var optionRequest = HTTPCheckRequest()
    /// The `http-check send` rule, if any.
    var send: HTTPCheckRequestOverride? = nil
    var expect: HTTPCheckExpect? = nil
    var tcpRules: [TCPCheckRule] = []
    var connect: CheckConnect? = nil
    /// `http-check send-state` / `disable-on-404`: proxy options, not rules.
    var sendState = false
    var disableOn404 = false
    /// `option redis-check`, `ssl-hello-chk`, `pgsql-check`, `ldap-check`.
    var protocolCheck: ProtocolCheck? = nil
    /// `option external-check` (the check kind), and `external-check
    /// command` / `path`, which stand whatever the kind.
    var external = false
    var externalSettings = ExternalCheck()

    /// The configuration a backend gets.
    var resolved: HealthCheckConfig {
        var c = HealthCheckConfig()
        c.kind = kind
        c.method = send?.method ?? optionRequest.method
        c.uri = send?.uri ?? optionRequest.uri
        c.version = send?.version ?? optionRequest.version
        // As in HAProxy, the headers of a send rule replace those of the option.
        if let headers = send?.headers, !headers.isEmpty { c.headers = headers } else { c.headers = optionRequest.headers }
        c.body = send?.body ?? optionRequest.body
        c.expect = expect
        c.tcpRules = tcpRules
        c.connect = connect
        c.sendState = sendState
        c.disableOn404 = disableOn404
        c.protocolCheck = protocolCheck
        if external { c.external = externalSettings }
        return c
    }
}

/// The request line, headers and body of an HTTP check.
struct HTTPCheckRequest: Equatable, Sendable {
    var method = "OPTIONS"
    var uri = "/"
    var version = "HTTP/1.0"
    var headers: [HTTPHeaderField] = []
    var body: String? = nil
}

/// What an `http-check send` line sets; nil parts keep the option's values.
struct HTTPCheckRequestOverride: Equatable, Sendable {
    var location: SourceLocation
    var method: String? = nil
    var uri: String? = nil
    var version: String? = nil
    var headers: [HTTPHeaderField] = []
    var body: String? = nil
}
