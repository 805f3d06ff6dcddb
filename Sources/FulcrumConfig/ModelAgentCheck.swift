/// A server's agent check (`agent-check`, `agent-port`, `agent-inter`,
/// `agent-addr`, `agent-send`): a TCP connection to an agent next to the
/// server, whose one-line reply sets the server's weight, admin state and
/// health as HAProxy's agent checks do.
public struct AgentCheckParams: Equatable, Sendable {
    /// `agent-check` (cleared by `no-agent-check`).
    public var enabled = false
    /// `agent-port`: required with `agent-check`.
    public var port: Int? = nil
    /// `agent-inter` in ms; nil: the server's `inter` (HAProxy's default).
    public var inter: Int? = nil
    /// `agent-addr`: an IP literal or a name, resolved like the server's.
    public var address: String? = nil
    /// `agent-send`: sent once connected, escapes already decoded.
    public var send: String? = nil
    public init() {}
}
