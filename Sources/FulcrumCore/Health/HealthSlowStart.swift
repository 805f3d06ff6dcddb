/// `slowstart`: after a server comes back UP its effective weight ramps up,
/// so a cold server is not flooded. HAProxy's server_recalc_eweight: whole
/// seconds (slowstart rounded up), steps of 1/16 (BE_WEIGHT_SCALE), at least
/// one step at once. It applies to dynamic algorithms only, and never at
/// startup (only to a server that was seen DOWN or in maintenance).
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

    /// Whether the weight is still below full (HAProxy's STARTING state).
    public static func isRamping(sinceUp: Int64, slowstart: Int) -> Bool {
        guard slowstart > 0, sinceUp >= 0 else { return false }
        return sinceUp / 1000 < Int64((slowstart + 999) / 1000)
    }
}
