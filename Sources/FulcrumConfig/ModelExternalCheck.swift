/// `option external-check` with `external-check command` / `path`: the
/// checker runs a program for each check of the backend's servers, with
/// HAProxy 2.6's arguments and HAPROXY_* environment; exit status 0 passes.
public struct ExternalCheck: Equatable, Sendable {
    /// `external-check command`; nil is refused at load (HAProxy: "unable
    /// to find required 'external-check command'") when a server is checked.
    public var command: String?
    /// `external-check path`: the program's PATH (HAProxy's default: empty).
    public var path: String
    public init(command: String? = nil, path: String = "") { self.command = command; self.path = path }
}

/// The global keywords HAProxy asks for before it forks checks.
public struct ExternalCheckGlobal: Equatable, Sendable {
    /// `external-check`: external checks may run at all.
    public var enabled = false
    /// `external-check preserve-env`: the program inherits the environment
    /// (plus HAPROXY_*), instead of only HAPROXY_* and PATH.
    public var preserveEnvironment = false
    /// `insecure-fork-wanted`: HAProxy 2.6 otherwise forbids forking (and
    /// warns that external checks will likely fail).
    public var insecureForkWanted = false
    public init() {}
}
