import FulcrumConfig

public struct HealthTransition: Equatable, Sendable {
    public var to: HealthState.Operational
    public init(to: HealthState.Operational) { self.to = to }
}

/// One server's check state, HAProxy's health counter model: `health` runs
/// over 0...(rise+fall-1); UP servers sit in rise...(rise+fall-1), DOWN ones in
/// 0..<rise. A failure that drops below `rise` goes straight to 0 and a success
/// that reaches `rise` goes straight to the top, so `fall` failures in a row
/// take a fully healthy server down and `rise` successes bring a dead one up.
public struct HealthState: Equatable, Sendable {
    public enum Operational: Equatable, Sendable { case up, down }

    public var operational: Operational
    public var health: Int
    /// When `operational` last changed (ms, the caller's clock).
    public var lastChange: Int64

    /// - initState: the config's `init-state`; HAProxy 2.6 has none and
    ///   behaves as `up`.
    public init(rise: Int, fall: Int, initState: InitState = .up, now: Int64) {
        switch initState {
        case .up:
            operational = .up; health = rise
        case .fullyUp:
            operational = .up; health = rise + fall - 1
        case .down:
            operational = .down; health = rise - 1
        case .fullyDown:
            operational = .down; health = 0
        }
        lastChange = now
    }

    /// Whether the counter is at its top (no pending failure).
    public func isFull(rise: Int, fall: Int) -> Bool { health == rise + fall - 1 }

    /// Applies one check result; returns the transition if the operational
    /// state changed (HAProxy's set_server_check_status + check_notify_*).
    public mutating func record(_ passed: Bool, rise: Int, fall: Int, now: Int64) -> HealthTransition? {
        if passed {
            if health < rise + fall - 1 {
                health += 1
                if health >= rise { health = rise + fall - 1 }
            }
            if operational == .down && health >= rise { return change(to: .up, now: now) }
        } else {
            if health > 0 {
                health -= 1
                if health < rise { health = 0 }
            }
            if operational == .up && health == 0 { return change(to: .down, now: now) }
        }
        return nil
    }

    /// Applies the `on-error` action once `error-limit` observed errors are
    /// reached (HAProxy's __health_adjust). Every action also brings the next
    /// check forward to `fastinter`; that is `HealthSchedule.advanced`'s job.
    public mutating func apply(_ action: OnErrorAction, rise: Int, fall: Int, now: Int64) -> HealthTransition? {
        switch action {
        case .fastinter:
            return nil
        case .failCheck:
            return record(false, rise: rise, fall: fall, now: now)
        case .suddenDeath:
            if health > rise { health = rise + 1 }
            return record(false, rise: rise, fall: fall, now: now)
        case .markDown:
            health = rise
            return record(false, rise: rise, fall: fall, now: now)
        }
    }

    /// `set server B/S health up|down` (and `stopping`, which is up): the
    /// counter goes to its top or bottom.
    public mutating func force(_ state: Operational, rise: Int, fall: Int, now: Int64) -> HealthTransition? {
        health = state == .up ? rise + fall - 1 : 0
        return operational == state ? nil : change(to: state, now: now)
    }

    /// Delay until the next check (HAProxy's srv_getinter): `inter` when the
    /// counter is full, `downinter` when DOWN with health 0, else `fastinter`;
    /// unset ones fall back to `inter`.
    public func nextInterval(rise: Int, fall: Int, inter: Int, fastinter: Int?, downinter: Int?) -> Int {
        if isFull(rise: rise, fall: fall) { return inter }
        if operational == .down && health == 0 { return downinter ?? inter }
        return fastinter ?? inter
    }

    /// The stats "status" column for a checked server that is neither in
    /// maintenance nor draining: "UP", "UP 1/3" (going down), "DOWN",
    /// "DOWN 1/2" (going up).
    public func statsStatus(rise: Int, fall: Int) -> String {
        switch operational {
        case .up:
            return isFull(rise: rise, fall: fall) ? "UP" : "UP \(health - rise + 1)/\(fall)"
        case .down:
            return health == 0 ? "DOWN" : "DOWN \(health)/\(rise)"
        }
    }

    private mutating func change(to state: Operational, now: Int64) -> HealthTransition {
        operational = state
        lastChange = now
        return HealthTransition(to: state)
    }
}
