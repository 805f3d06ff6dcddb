import FulcrumConfig

extension RuntimeSnapshot {
    /// A server's agent check as the stats and `show servers state` show it.
    public struct Agent: Sendable, Equatable {
        /// False after `disable agent`.
        public var enabled = true
        public var inProgress = false
        public var status = RuntimeCheckStatus.initializing
        public var code = 0
        public var duration = 0
        /// The last reply's description (last_agt).
        public var info = ""
        /// HAProxy's agent rise and fall are 1; health is 0 or 1.
        public var health = 1
        /// `agent-addr` ("-" when none) and the port checks use.
        public var address = "-"
        public var port = 0
        public init() {}

        /// HAProxy's CHK_ST_* bits of srv_agent_state: configured, enabled, agent.
        public var stateBits: Int { 0x12 | (enabled ? 0x04 : 0) }
    }
}

extension RuntimeSnapshotReader {
    /// The agent check of server line `line`, nil when it has none.
    func agentView(line: Int, config srv: Server) -> RuntimeSnapshot.Agent? {
        guard srv.params.agent.enabled else { return nil }
        let t = AgentTable(table)
        var a = RuntimeSnapshot.Agent()
        let flags = t.flags(line)
        a.enabled = !flags.contains(.disabled)
        a.inProgress = flags.contains(.inProgress)
        a.status = RuntimeCheckStatus(rawValue: Int(t.word(line, .status).load())) ?? .unknown
        a.code = Int(t.word(line, .code).load())
        a.duration = Int(t.word(line, .duration).load())
        a.info = t.description(line)
        a.health = Int(t.word(line, .health).load())
        a.address = t.addressOverride(line)?.description ?? srv.params.agent.address ?? "-"
        a.port = t.portOverride(line) ?? srv.params.agent.port ?? 0
        return a
    }
}
