/// `slowstart`: after a server comes back UP its effective weight and its
/// maxconn ramp up, so a cold server is not flooded. HAProxy's
/// server_recalc_eweight: whole seconds (slowstart rounded up), steps of 1/16
/// (BE_WEIGHT_SCALE), at least one step at once; the weight ramps under
/// dynamic-weight algorithms only (`BalanceProperties.dynamicWeights`), the
/// connection limit under every algorithm (srv_dynamic_maxconn). Never at
/// startup (only for a server that was seen DOWN or in maintenance).
public enum SlowStart {
    /// BE_WEIGHT_SCALE: the finest weight step is 1/16 of a user weight unit.
    public static let weightScale = 16
    /// HAProxy's warm-up task recomputes the weight every second.
    public static let refreshIntervalMs = 1000

    /// Effective weight in user units (0...256) `sinceUp` ms after the server
    /// came up; `slowstart` in ms, 0 or less meaning none.
    public static func effectiveWeight(userWeight: Int, sinceUp: Int64, slowstart: Int) -> Int {
        let scaled = scaledWeight(userWeight: userWeight, sinceUp: sinceUp, slowstart: slowstart)
        return (scaled + weightScale - 1) / weightScale
    }

    /// The same in 1/16 units (HAProxy's eweight), for finer balancing.
    public static func scaledWeight(userWeight: Int, sinceUp: Int64, slowstart: Int) -> Int {
        guard isRamping(sinceUp: sinceUp, slowstart: slowstart) else { return userWeight * weightScale }
        let seconds = Int64((slowstart + 999) / 1000)
        let factor = (Int64(weightScale) * (sinceUp / 1000) + seconds) / seconds
        return userWeight * Int(factor)
    }

    /// The connection limit `sinceUp` ms after the server came up: `maxconn`
    /// grows from 1 to 100% in whole percent of the whole seconds elapsed
    /// (HAProxy's srv_dynamic_maxconn). 0 (no limit) stays unlimited.
    public static func connectionLimit(maxconn: Int, sinceUp: Int64, slowstart: Int) -> Int {
        guard maxconn > 0, isRamping(sinceUp: sinceUp, slowstart: slowstart) else { return maxconn }
        let seconds = Int64((slowstart + 999) / 1000)
        let percent = Int(100 * (sinceUp / 1000) / seconds)
        return max(1, maxconn * percent / 100)
    }

    /// Whether the weight is still below full (HAProxy's STARTING state).
    public static func isRamping(sinceUp: Int64, slowstart: Int) -> Bool {
        guard slowstart > 0, sinceUp >= 0 else { return false }
        return sinceUp / 1000 < Int64((slowstart + 999) / 1000)
    }
}
