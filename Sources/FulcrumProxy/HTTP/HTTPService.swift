import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// A service the engine runs itself instead of connecting to a server
/// (HAProxy's applets): the request is answered locally through
/// `respondHTTP`, like a rule's answer.
enum HTTPService {
    /// `stats enable` & co.: the HTML statistics page, its CSV/JSON exports and admin form.
    case statsPage(StatsPageRules)
    // `http-request use-service prometheus-exporter` needs no request body:
    // its rule answers at once (HTTPPrometheusService.swift).
}

/// A service whose request body must be read before it answers (the stats
/// page's admin form).
struct PendingHTTPService {
    let service: HTTPService
    let admin: Bool
}

/// Everything local services need in a worker: each proxy's compiled stats
/// page, and from the worker role a view of every worker's counters and the
/// writer of admin changes (both through the shared table).
final class HTTPServices {
    let frontendStats: [StatsPageRules?]
    let backendStats: [StatsPageRules?]
    /// The counters of all workers now (the runtime API's snapshot); nil: not wired.
    var snapshot: (() -> RuntimeSnapshot)?
    /// Writes server changes to the shared table as the runtime API does.
    var apply: (([RuntimeServerChange], RuntimeSnapshot) -> Void)?

    init(_ configuration: Configuration) {
        func compile(_ name: String, _ mode: ProxyMode, _ page: StatsPage?, _ settings: HTTPProxySettings) -> StatsPageRules? {
            guard mode == .http, let page else { return nil }
            do {
                let acls = try ACLSet(settings.acls, userlists: configuration.userlists, crypt: { Crypt.hash($0, salt: $1) })
                return try StatsPageRules(proxyName: name, page: page, settings: settings, acls: acls)
            } catch {
                Log.alert("proxy '\(name)': stats page: \(error)")
                return nil
            }
        }
        frontendStats = configuration.frontends.map { compile($0.name, $0.mode, $0.statsPage, $0.http) }
        backendStats = configuration.backends.map { compile($0.name, $0.mode, $0.statsPage, $0.http) }
    }
}

extension StreamEngine {
    /// HAProxy's check after a proxy's http-request rules: the frontend's
    /// page, then the chosen backend's (not twice for a listen). nil when
    /// the request goes on to a server.
    func startLocalService(_ s: Stream, backend: Int?) -> AnalyserStep? {
        var candidates: [StatsPageRules] = []
        if let f = services.frontendStats[s.frontend] { candidates.append(f) }
        if let bi = backend, configuration.backends[bi].name != frontends[s.frontend].config.name,
           let b = services.backendStats[bi] { candidates.append(b) }
        guard let stats = candidates.first(where: { $0.tail(of: s.http.request) != nil }) else { return nil }
        s.http.requestReady = true
        var ctx = HTTPRuleContext(request: s.http.request, connection: connectionInfo(s))
        switch stats.access(context: &ctx) {
        case .respond(let bytes, let close):
            s.record.terminate(StreamEngine.answerCause(bytes), .request)
            respondHTTP(s, bytes: bytes, close: close)
            return .done
        case .serve(let admin):
            s.http.pendingService = PendingHTTPService(service: .statsPage(stats), admin: admin)
            return continueLocalService(s)
        }
    }

    /// Reads what the service needs of the request body, then answers.
    func continueLocalService(_ s: Stream) -> AnalyserStep {
        guard let pending = s.http.pendingService else { return .progress }
        guard case .statsPage(let stats) = pending.service else { return .done }
        let method = s.http.request.raw[s.http.request.part1]
        let connection = HTTPGeneratedResponse.connection(for: s.http.request, mode: frontends[s.frontend].config.http.connectionMode)
        let isPost = method.elementsEqual("POST".utf8)
        var status = StatsPageStatus.denied
        if isPost && pending.admin {
            switch s.http.exchange.requestBody.framing {
            case .contentLength(let n) where n <= bufferSize:
                if s.http.fromClient.count < n {
                    if s.client.eof { close(s, abort: false); return .done }
                    return .wait
                }
                let body = Array(UnsafeRawBufferPointer(rebasing: s.http.fromClient.readable[0..<n]))
                if case .success(let move) = s.http.exchange.forwardRequestBody(UnsafeRawBufferPointer(rebasing: s.http.fromClient.readable[0..<n]),
                                                                               payload: &chunkScratch) {
                    s.http.fromClient.consume(move.consumed)
                }
                guard let snapshot = services.snapshot?() else { return answerUnavailable(s) }
                let (changes, result) = StatsPageAdminForm(body: body).changes(in: snapshot)
                if !changes.isEmpty { services.apply?(changes, snapshot) }
                status = result
            case .none:
                status = StatsPageStatus.none
            case .contentLength:
                status = .exceeded
            default:
                status = .invalidRequest
            }
        }
        s.http.pendingService = nil
        s.record.terminate(.local, .request)
        if isPost {
            // A body left unread closes the connection after the answer (exchange rules).
            respondHTTP(s, bytes: StatsPageAnswer.redirect(page: stats.page, status: status, connection: connection.field),
                        close: connection.close)
            return .done
        }
        guard let snapshot = services.snapshot?() else { return answerUnavailable(s) }
        let request = StatsPageRequest(tail: stats.tail(of: s.http.request) ?? "")
        let g = configuration.global
        let bytes = StatsPageAnswer.page(snapshot, page: stats.page, request: request, admin: pending.admin,
                                         proxyName: stats.proxyName, node: g.node ?? ProcessIdentity.hostName,
                                         globalDescription: g.description, connection: connection.field,
                                         bodyless: method.elementsEqual("HEAD".utf8))
        respondHTTP(s, bytes: bytes, close: connection.close)
        return .done
    }

    private func answerUnavailable(_ s: Stream) -> AnalyserStep {
        s.http.pendingService = nil
        respondHTTP(s, status: 503, close: true)
        return .done
    }
}
