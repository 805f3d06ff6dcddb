/// Whether one bgp_instance's VIPs are announced, as a state machine on
/// injected monotonic milliseconds (no sockets, no clock: unit-tested the
/// way FulcrumVRRP's election is).
///
/// Health samples are debounced by rise/fall (consecutive samples), so one
/// bad sample does not move a route; once withdrawn, a route stays withdrawn
/// for `holdDown`, so a flapping backend makes at most one announcement per
/// hold-down instead of a route flap per check. `stop` is the graceful end
/// (SIGUSR1, or the VIP left the configuration): the route is withdrawn
/// first, the VIPs are kept `drainTime` for the flows still arriving while
/// the withdrawal spreads, then released.
public struct VIPAnnouncement: Sendable {
    public struct Settings: Equatable, Sendable {
        public var rise: Int
        public var fall: Int
        public var holdDown: Int64
        public var drainTime: Int64
        public init(rise: Int, fall: Int, holdDown: Int64, drainTime: Int64) {
            self.rise = max(1, rise); self.fall = max(1, fall); self.holdDown = max(0, holdDown); self.drainTime = max(0, drainTime)
        }
    }

    public enum State: String, Equatable, Sendable {
        /// Not announced: unhealthy, or healthy for fewer than `rise` samples.
        case withdrawn = "WITHDRAWN"
        /// Healthy, but withdrawn less than `holdDown` ago: announced when it ends.
        case heldDown = "HELD-DOWN"
        case announced = "ANNOUNCED"
        /// Stopping: withdrawn, the VIPs kept until the drain ends.
        case draining = "DRAINING"
        /// Stopped: withdrawn and the VIPs released.
        case stopped = "STOPPED"
    }

    public enum Action: Equatable, Sendable {
        /// Export the VIPs' routes (the VIPs themselves are on the node already).
        case announce
        case withdraw
        /// The drain is over: remove the VIPs from the node.
        case release
    }

    public let settings: Settings
    public private(set) var state: State
    /// The debounced health: `rise` healthy samples make it true, `fall` unhealthy ones false.
    public private(set) var healthy: Bool
    /// Consecutive samples that disagree with `healthy`.
    public private(set) var streak = 0
    /// When the route was last withdrawn (nil: never announced by this machine).
    public private(set) var withdrawnAt: Int64?
    private var drainEnds: Int64 = 0

    /// `announced`: the route is out already (a restarted announcer resuming
    /// what its predecessor announced), so a reload or a respawn does not
    /// withdraw it; it stays until `fall` unhealthy samples.
    public init(_ settings: Settings, announced: Bool = false) {
        self.settings = settings
        state = announced ? .announced : .withdrawn
        healthy = announced
    }

    /// When `tick` has something to do.
    public var nextDeadline: Int64? {
        switch state {
        case .heldDown: return (withdrawnAt ?? 0) + settings.holdDown
        case .draining: return drainEnds
        default: return nil
        }
    }

    public var isAnnounced: Bool { state == .announced }

    /// One sample of the tracked state (backends usable, frontend serving, scripts, interfaces).
    public mutating func sample(healthy sampled: Bool, now: Int64, actions: inout [Action]) {
        guard state != .draining && state != .stopped else { return }
        if sampled == healthy { streak = 0 } else {
            streak += 1
            if streak >= (sampled ? settings.rise : settings.fall) {
                healthy = sampled
                streak = 0
            }
        }
        settle(now: now, actions: &actions)
    }

    public mutating func tick(now: Int64, actions: inout [Action]) {
        switch state {
        case .draining where now >= drainEnds:
            state = .stopped
            actions.append(.release)
        case .heldDown:
            settle(now: now, actions: &actions)
        default:
            break
        }
    }

    /// Graceful stop: withdraw now, release the VIPs after the drain time
    /// (counted from the withdrawal when the route was withdrawn already).
    public mutating func stop(now: Int64, actions: inout [Action]) {
        switch state {
        case .draining, .stopped:
            return
        case .announced:
            actions.append(.withdraw)
            withdrawnAt = now
        case .withdrawn, .heldDown:
            break
        }
        let end = (withdrawnAt ?? now - settings.drainTime) + settings.drainTime
        if end <= now {
            state = .stopped
            actions.append(.release)
        } else {
            state = .draining
            drainEnds = end
        }
    }

    private mutating func settle(now: Int64, actions: inout [Action]) {
        switch (state, healthy) {
        case (.announced, false):
            state = .withdrawn
            withdrawnAt = now
            actions.append(.withdraw)
        case (.withdrawn, true), (.heldDown, true):
            if let w = withdrawnAt, now < w + settings.holdDown {
                state = .heldDown
            } else {
                state = .announced
                actions.append(.announce)
            }
        case (.heldDown, false):
            state = .withdrawn
        default:
            break
        }
    }
}
