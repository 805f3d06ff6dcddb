/// `vrrp_track_process NAME { ... }`: how many running processes match, and
/// the number that counts as healthy (keepalived.conf(5)).
public struct VRRPTrackedProcess: Equatable, Sendable {
    /// How `parameters` are compared with a process's arguments.
    public enum ParameterMatch: String, Equatable, Sendable {
        /// The arguments are exactly the parameters.
        case exact
        /// The parameters appear, in order and adjacent, among the arguments.
        case partial
        /// The arguments start with the parameters.
        case initial
    }

    public var name: String
    public var location: SourceLocation
    /// `process`: the name (/proc/PID/comm, 15 bytes at most) or, with
    /// `full_command`, argv[0] as written.
    public var process: String?
    /// `parameters`: nil compares the name only.
    public var parameters: [String]?
    public var parameterMatch = ParameterMatch.exact
    public var fullCommand = false
    /// `weight W [reverse]`: 0 faults tracking instances while down.
    public var weight = 0
    public var weightReverse = false
    /// `quorum` / `quorum_max`: the instance counts of processes that are "up".
    public var quorum = 1
    public var quorumMax = Int(UInt32.max)
    /// Seconds a rise (`fork_delay`) or fall (`terminate_delay`) of the count
    /// must last before it counts; `delay` sets both.
    public var forkDelay = 0
    public var terminateDelay = 0
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}
