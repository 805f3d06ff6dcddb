/// The stick counter actions of `http-request` (and later `tcp-request`):
/// `track-scN KEY [table T]`, `sc-inc-gpc0|1(N)`, `sc-inc-gpc(IDX,N)`,
/// `sc-set-gpt0(N) VALUE`, `sc-set-gpt(IDX,N) VALUE`.
public enum StickCounterAction: Equatable, Sendable {
    /// Tracks the entry of `key` in `table` (the rule's proxy's table when
    /// nil) on stick counter `counter` (0...2).
    case track(counter: Int, key: SampleFetch, table: String?)
    /// Increments general purpose counter `index` (and its rate) of the
    /// entry tracked on `counter`; `legacy`: `sc-inc-gpc0/1`, which use
    /// gpc0/gpc1 (or the array's element when the table stores gpc(N)).
    case incrementGPC(counter: Int, index: Int, legacy: Bool)
    /// Sets general purpose tag `index` of the entry tracked on `counter`.
    case setGPT(counter: Int, index: Int, legacy: Bool, value: SampleFetch)

    /// The action's keyword, for messages.
    public var keyword: String {
        switch self {
        case .track(let c, _, _): return "track-sc\(c)"
        case .incrementGPC(let c, let i, true): return "sc-inc-gpc\(i)(\(c))"
        case .incrementGPC(let c, let i, false): return "sc-inc-gpc(\(i),\(c))"
        case .setGPT(let c, _, true, _): return "sc-set-gpt0(\(c))"
        case .setGPT(let c, let i, false, _): return "sc-set-gpt(\(i),\(c))"
        }
    }
}
