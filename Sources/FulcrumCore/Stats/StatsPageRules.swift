import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// One proxy's statistics page prepared when the worker starts: its `stats
/// http-request` rules and `stats admin` conditions compiled against the
/// proxy's ACLs. Per request it says whether the URI asks for the page
/// (HAProxy's http_stats_check_uri) and what the access rules decide.
public final class StatsPageRules: @unchecked Sendable {
    // @unchecked: immutable after init, as HTTPCompiledRules.
    public let proxyName: String
    public let page: StatsPage
    let rules: HTTPCompiledRules
    let adminConditions: [ACLCondition?]
    /// `stats auth` accounts as ConstantTime.matchesAny takes them.
    let accountPairs: [(user: String, password: String)]

    public enum Access: Equatable {
        /// Serve the page; `admin`: the request may change servers.
        case serve(admin: Bool)
        /// Answer this instead (401 challenge, deny page).
        case respond([UInt8], close: Bool)
    }

    public init(proxyName: String, page: StatsPage, settings: HTTPProxySettings, acls: ACLSet,
                errorPages: [Int: [UInt8]] = [:]) throws {
        self.proxyName = proxyName
        self.page = page
        accountPairs = page.accounts.map { ($0.user, $0.password) }
        var statsSettings = settings
        // The page's own rules, with its realm as the default one (HAProxy's STATS_DEFAULT_REALM).
        statsSettings.requestRules = page.requestRules.map { rule in
            var r = rule
            if case .auth(nil) = r.action { r.action = .auth(realm: StatsPage.defaultRealm) }
            return r
        }
        statsSettings.redirects = []
        statsSettings.useBackends = []
        statsSettings.responseRules = []
        rules = try HTTPCompiledRules(proxyName: proxyName, settings: statsSettings, acls: acls, errorPages: errorPages)
        adminConditions = try page.adminRules.map { try acls.compile($0) }
    }

    /// The URI after the `stats uri` prefix when this request asks for the
    /// page: GET, HEAD or POST, and the path with its query (the whole URI
    /// when the prefix does not start with "/") begins with the prefix.
    public func tail(of head: HTTPHead) -> Substring? {
        let method = head.raw[head.part1]
        guard method.elementsEqual("GET".utf8) || method.elementsEqual("HEAD".utf8) || method.elementsEqual("POST".utf8) else { return nil }
        var uri = Substring(String(decoding: head.raw[head.part2], as: UTF8.self))
        if page.uri.hasPrefix("/"), !uri.hasPrefix("/") {
            // Absolute form: skip scheme and authority.
            if let scheme = uri.firstRange(of: "://") {
                let rest = uri[scheme.upperBound...]
                uri = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
            }
        }
        guard uri.hasPrefix(page.uri) else { return nil }
        return uri.dropFirst(page.uri.count)
    }

    /// `stats http-request` rules, then `stats auth` (the implicit rule:
    /// one of the accounts, else 401), then `stats admin`.
    public func access(context: inout HTTPRuleContext) -> Access {
        if let outcome = HTTPRequestProcessing.requestRules(rules, context: &context),
           case .respond(let bytes, let close) = outcome {
            return .respond(bytes, close: close)
        }
        if !page.accounts.isEmpty {
            let given = HTTPBasicAuth.credentials(context.request)
            // Every account compared in full (ConstantTime): a failure costs
            // the same whichever account or byte it missed.
            let known = given.map { ConstantTime.matchesAny(user: $0.user, password: $0.password, in: accountPairs) } ?? false
            if !known {
                let realm = page.realm ?? StatsPage.defaultRealm
                let p = rules.page(401, extraFields: [("www-authenticate", "Basic realm=\"\(realm)\"")], request: context.request)
                return .respond(p.bytes, close: p.close)
            }
        }
        let admin = adminConditions.contains { HTTPConditions.evaluate($0, acls: rules.acls, context: context) }
        return .serve(admin: admin)
    }
}
