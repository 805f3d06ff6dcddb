/// `http-check send-state`: the X-Haproxy-Server-State value HAProxy 2.6
/// writes (httpchk_build_status_header), from the server's state as the
/// check starts.
public struct HealthServerStateHeader: Sendable {
    public static let name = "X-Haproxy-Server-State"

    public enum State: Sendable { case up, stopping, down }
    public var checking: Bool
    public var state: State
    public var health: Int
    public var rise: Int
    public var fall: Int
    public var address: String
    public var port: Int?
    public var backend: String
    public var server: String
    public var node: String
    public var weight: Int
    public var totalWeight: Int
    public var serverSessions: Int
    public var backendSessions: Int
    public var queued: Int

    public init(checking: Bool, state: State, health: Int, rise: Int, fall: Int, address: String, port: Int?,
                backend: String, server: String, node: String, weight: Int, totalWeight: Int,
                serverSessions: Int, backendSessions: Int, queued: Int) {
        self.checking = checking; self.state = state; self.health = health; self.rise = rise; self.fall = fall
        self.address = address; self.port = port; self.backend = backend; self.server = server; self.node = node
        self.weight = weight; self.totalWeight = totalWeight; self.serverSessions = serverSessions
        self.backendSessions = backendSessions; self.queued = queued
    }

    public var value: String {
        let full = health == rise + fall - 1
        let head: String
        if !checking {
            head = "no check"
        } else if state != .down {
            let word = state == .stopping ? "NOLB" : "UP"
            head = full ? word : "\(word) \(health - rise + 1)/\(fall)"
        } else {
            head = health > 0 ? "DOWN \(health)/\(rise)" : "DOWN"
        }
        return head + "; address=\(address); port=\(port.map(String.init) ?? ""); name=\(backend)/\(server); node=\(node)"
            + "; weight=\(weight)/\(totalWeight); scur=\(serverSessions)/\(backendSessions); qcur=\(queued)"
    }
}
