/// An instance's state. `initial` is before `start`; `stop` after `shutdown`.
public enum VRRPState: Sendable {
    case initial
    case backup
    case master
    case fault
    case stop

    /// The word keepalived passes to notify scripts and prints in its data dump.
    public var keepalivedName: String {
        switch self {
        case .initial: return "INIT"
        case .backup: return "BACKUP"
        case .master: return "MASTER"
        case .fault: return "FAULT"
        case .stop: return "STOP"
        }
    }
}

/// The `state` an instance is configured with: what it wants at start-up.
public enum VRRPInitialState: Sendable {
    case backup
    case master
}
