/// The agent check's columns of a server's stats row and its status
/// words, as HAProxy 2.6's stats_fill_sv_stats() writes them.
extension RuntimeStatRows {
    static func agentFields(_ row: inout Row, _ sv: RuntimeSnapshot.Server) {
        guard let a = sv.agent, a.enabled else { return }
        set(&row, "agent_status", (a.inProgress ? "* " : "") + a.status.name)
        if a.status.hasCode { set(&row, "agent_code", a.code) }
        if a.status.hasDuration { set(&row, "agent_duration", a.duration) }
        set(&row, "agent_desc", a.status.description)
        set(&row, "last_agt", a.info)
        set(&row, "agent_rise", 1)
        set(&row, "agent_fall", 1)
        set(&row, "agent_health", a.health)
    }

    /// "DOWN (agent)" (stopped with the agent's health at 0) and "DRAIN
    /// (agent)" (drained while an agent runs); nil for the other states.
    static func agentStatus(_ sv: RuntimeSnapshot.Server) -> String? {
        guard let a = sv.agent, a.enabled else { return nil }
        switch sv.operational {
        case .up: return sv.admin.contains(.drain) ? "DRAIN (agent)" : nil
        case .down: return a.health == 0 ? "DOWN (agent)" : nil
        case .stopping: return nil
        }
    }
}
