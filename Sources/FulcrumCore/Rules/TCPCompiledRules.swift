import FulcrumConfig
import FulcrumLog

/// A mode tcp proxy's content inspection compiled once per worker: its
/// `tcp-request content` rules with `inspect-delay`, and (frontend side)
/// its `use_backend` rules. Evaluated on the bytes the stream received, as
/// HAProxy's tcp_inspect_request and process_switching_rules do.
public final class TCPCompiledRules: @unchecked Sendable {
    public enum Verdict: Equatable, Sendable {
        case accept, reject
        /// `tcp-response content close`: forward what is there, then end.
        case close
        /// A rule cannot decide yet: wait for more bytes or the inspect-delay.
        case wait
        /// `switch-mode http`: the stream becomes an HTTP one now.
        case switchToHTTP
        /// `silent-drop`: the client's connection is forgotten unannounced.
        case silentDrop
    }

    /// ms; nil: every evaluation is final (no waiting).
    public let inspectDelay: Int?
    enum Action {
        case accept, reject, close
        case setVar(VariableRef, CompiledSampleExpression)
        case setVarFormat(VariableRef, CompiledLogFormat)
        case unsetVar(VariableRef)
        case stick(CompiledStickAction)
        case switchToHTTP
        case silentDrop
        case setLogLevel(LogLevel?)
        case setClientSocket(ClientSocketOption)
    }
    /// The proxy whose table `track-sc*` and `src_*` use when they name none.
    let proxyName: String
    let rules: [(action: Action, condition: ACLCondition?)]
    let useBackends: [(name: String, condition: ACLCondition?)]
    let acls: ACLSet

    /// Whether streams must be held before they connect: only content
    /// rules wait for bytes (use_backend alone decides on what is there).
    public var inspects: Bool { !rules.isEmpty }

    public init(content: TCPContentRules, http: HTTPProxySettings, userlists: [Userlist],
                crypt: @escaping (String, String) -> String?, proxyName: String = "") throws {
        let acls = try ACLSet(http.acls, userlists: userlists, crypt: crypt)
        self.acls = acls
        self.proxyName = proxyName
        inspectDelay = content.inspectDelay
        rules = try content.rules.map { r in
            let action: Action
            switch r.action {
            case .accept: action = .accept
            case .reject: action = .reject
            case .close: action = .close
            case .setVar(let n, let e): action = .setVar(VariableRef(n), try CompiledSampleExpression(e))
            case .setVarFormat(let n, let f): action = .setVarFormat(VariableRef(n), try CompiledLogFormat(f))
            case .unsetVar(let n): action = .unsetVar(VariableRef(n))
            case .stick(let a): action = .stick(try CompiledStickAction(a, proxy: proxyName))
            case .switchModeHTTP: action = .switchToHTTP
            case .silentDrop: action = .silentDrop
            case .setLogLevel(let level): action = .setLogLevel(level)
            case .setClientSocket(let o): action = .setClientSocket(o)
            }
            return (action, try acls.compile(r.condition))
        }
        useBackends = try http.useBackends.map { ($0.backend.text, try acls.compile($0.condition)) }
    }

    /// The content rules in order: the first whose condition holds decides;
    /// a condition that cannot be decided yet makes the stream wait (unless
    /// `context.payloadFinal`); no rule matching accepts.
    /// Variable actions are done as they are met and the next rule
    /// evaluated; when a condition must wait, the next evaluation starts
    /// from the first rule again, as HAProxy's tcp_inspect_request does on
    /// missing data (so a set-var before it runs again, on more bytes).
    /// What set-log-level, set-mark and set-tos chose is left in `context`.
    public func inspect(_ context: inout HTTPRuleContext) -> Verdict {
        if context.stick != nil { context.stickProxy = proxyName }
        for rule in rules {
            if let c = rule.condition {
                let r = HTTPConditions.test(c, acls: acls, context: context)
                if r == .miss { return .wait }
                if (r == .pass) == c.unless { continue }
            }
            switch rule.action {
            case .accept: return .accept
            case .reject: return .reject
            case .close: return .close
            case .switchToHTTP: return .switchToHTTP
            case .silentDrop: return .silentDrop
            case .setLogLevel(let level): context.log.level = level.map { .level($0) } ?? .silent
            case .setClientSocket(let o): context.clientSocket.record(o)
            case .setVar(let ref, let e): e.store(in: ref, context: context, acls: acls)
            case .setVarFormat(let ref, let lf): HTTPRequestProcessing.setVariable(ref, format: lf, context: context, acls: acls)
            case .unsetVar(let ref): context.variables?.unset(ref)
            case .stick(let a): a.run(context: context, acls: acls)
            }
        }
        return .accept
    }

    /// The same, for a caller that wants the verdict alone.
    public func inspect(_ context: HTTPRuleContext) -> Verdict {
        var context = context
        return inspect(&context)
    }

    /// The backend of the first `use_backend` whose condition holds on what
    /// is there (HAProxy evaluates switching rules as final); nil: none did.
    public func route(_ context: HTTPRuleContext) -> String? {
        var final = context
        final.payloadFinal = true
        for u in useBackends where HTTPConditions.evaluate(u.condition, acls: acls, context: final) {
            return u.name
        }
        return nil
    }
}
