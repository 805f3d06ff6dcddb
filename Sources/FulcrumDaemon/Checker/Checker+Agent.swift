import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Agent checks (`agent-check`): a target of their own per server, on the
/// agent's address and port every `agent-inter`, whose one-line reply is
/// applied as HAProxy 2.6 applies it: admin state first (ready, drain,
/// maint), then the weight, then the health, with the agent's own health
/// (rise and fall of 1) in the `AgentTable` next to the shared table.
extension Checker {
    /// The agent's target: the server's parameters with the agent's interval
    /// and none of the health check's settings.
    func makeAgentTarget(backend bi: Int, line: Int, server s: Server, address serverAddress: SocketAddress) -> Target {
        let b = configuration.backends[bi]
        var agentServer = s
        var p = s.params
        p.check = true
        p.inter = s.params.agent.inter ?? s.params.inter
        p.fastinter = nil; p.downinter = nil
        p.rise = 1; p.fall = 1
        p.observe = nil
        p.checkPort = nil; p.checkAddr = nil
        p.sendProxy = 0; p.checkSendProxy = false
        agentServer.params = p
        var address = serverAddress
        if let a = s.params.agent.address, let resolved = SocketAddress.resolve(host: a, port: address.port) { address = resolved }
        address.port = s.params.agent.port ?? address.port
        let t = Target(index: probeSlots.acquire(), backend: bi, line: line, backendName: b.name, server: agentServer,
                       config: HealthCheckConfig(), address: address, timeouts: b.timeouts)
        t.agent = true
        t.fixedAddress = s.params.agent.address != nil
        t.fixedPort = s.params.agent.port
        t.agentSettingsSequence = UInt64.max
        return t
    }

    /// Starts an agent check unless `disable agent` stopped them; the agent
    /// runs in maintenance too (its "ready" ends a maintenance it asked for).
    func startAgent(_ t: Target, now: Int64) {
        let agents = AgentTable(table)
        if agents.flags(t.line).contains(.disabled) {
            t.next = now + Int64(t.params.inter)
            return
        }
        followAgentSettings(t, agents)
        let send = agents.sendOverride(t.line) ?? configuredServer(t)?.params.agent.send ?? ""
        let probe = CheckProbe(config: t.config, address: t.address, expect: nil, matchers: [], now: now,
                               connectTimeout: t.connectTimeout, readTimeout: t.readTimeout, agentSend: Array(send.utf8))
        t.probe = probe
        agents.setFlag(t.line, .inProgress, true)
        // As HAProxy's check start: the last description is cleared.
        agents.setDescription(t.line, "")
        if let r = probe.start(loop: loop, token: probeSlots.token(kind: Kind.probe.rawValue, index: t.index), now: now) {
            finish(t, r, now: now)
        }
    }

    /// `set server addr` (when no agent-addr), `set server agent-addr` and `agent-port`.
    private func followAgentSettings(_ t: Target, _ agents: AgentTable) {
        let sequence = agents.word(t.line, .settingsSequence).load() &+ table.addressSequence(t.line)
        guard sequence != t.agentSettingsSequence else { return }
        t.agentSettingsSequence = sequence
        if let ip = agents.addressOverride(t.line) {
            t.address = SocketAddress(ip, port: t.address.port)
        } else if !t.fixedAddress, let a = table.serverAddress(t.line) {
            t.address = SocketAddress(a.ip, port: t.address.port)
        }
        if let p = agents.portOverride(t.line) { t.address.port = p } else if let p = t.fixedPort { t.address.port = p }
    }

    func configuredServer(_ t: Target) -> Server? {
        let servers = configuration.backends[t.backend].servers
        let si = t.line - index.firstServer[t.backend]
        return si < servers.count ? servers[si] : nil
    }

    /// An agent check's end: its status, then what the reply asks for.
    func finishAgent(_ t: Target, _ result: CheckResult, reply: AgentReply?, now: Int64) {
        let agents = AgentTable(table)
        agents.setFlag(t.line, .inProgress, false)
        // A reply that arrives after `disable agent` is ignored as a whole.
        guard !agents.flags(t.line).contains(.disabled) else { return }
        agents.word(t.line, .duration).store(UInt64(max(0, result.durationMs)))
        guard let reply else {
            // No line: the status stays (an incomplete line) or is the connection's.
            if result.status != .unknown { agents.word(t.line, .status).store(result.status.rawCode) }
            agents.setDescription(t.line, result.info ?? "")
            return
        }
        var warning: String? = nil
        if reply.admin != nil || reply.weight != nil {
            warning = applyAgentAdmin(t, reply)
        }
        if reply.maxconn != nil, warning == nil {
            warning = "'maxconn:' from an agent is not supported by Fulcrum"
        }
        let status: CheckStatus = reply.health == .up ? .l7ok : reply.health == .down ? .l7status : .unknown
        agents.setDescription(t.line, reply.summary(warning: warning))
        agents.word(t.line, .status).store(reply.health == nil ? UInt64(RuntimeCheckStatus.checked.rawValue) : status.rawCode)
        agents.word(t.line, .code).store(0)
        guard let health = reply.health, let server = configuredServer(t) else { return }
        var state = currentState(t)
        let agentHealth = agents.word(t.line, .health)
        var transition: HealthTransition? = nil
        let admin = SharedTable.Admin(rawValue: table.server(t.line, .admin).load())
        let operational = table.server(t.line, .operational).load()
        if health == .down {
            // HAProxy zeroes the agent's health before counting the result: no failed check is counted.
            agentHealth.store(0)
            if operational != SharedTable.Operational.down.rawValue { transition = HealthTransition(to: .down) }
        } else {
            agentHealth.store(1)
            let checkHolds = !server.params.check || admin.contains(.checksDisabled) || state.health >= server.params.rise
            if !admin.inMaintenance, checkHolds, operational == SharedTable.Operational.down.rawValue {
                transition = HealthTransition(to: .up)
            }
        }
        state.operational = transition?.to ?? state.operational
        let logged = CheckResult(status: status, code: 0, info: reply.summary(warning: warning), durationMs: result.durationMs)
        commit(t, state, transition, result: logged, now: now)
    }

    /// The reply's admin word and weight, through the runtime API's own
    /// change (HAProxy's srv_adm_set_* and server_parse_weight_change_request);
    /// returns the weight's complaint, if any.
    private func applyAgentAdmin(_ t: Target, _ reply: AgentReply) -> String? {
        let service = agentService
        let snapshot = service.snapshot()
        guard let sv = snapshot.server(t.backendName, t.serverName) else { return nil }
        var change = RuntimeServerChange(sv)
        switch reply.admin {
        case .ready?: change.setReady()
        case .drain?: change.setDrain()
        case .maint?: change.setMaintenance()
        case nil: break
        }
        var warning: String? = nil
        if let w = reply.weight {
            let dynamic = snapshot.backend(named: t.backendName)?.backend?.dynamicWeights ?? true
            switch RuntimeWeight.parse(w, initialWeight: sv.initialWeight, dynamic: dynamic) {
            case .success(let weight): change.setWeight(weight)
            case .failure(let e): warning = e.text(level: .admin, master: false)
            }
        }
        if change != RuntimeServerChange(sv) { service.apply(change, snapshot: snapshot) }
        return warning
    }
}
