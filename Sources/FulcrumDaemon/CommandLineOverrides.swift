import FulcrumConfig

/// The command-line flags that change what a configuration means, applied
/// where HAProxy 2.6 applies them: `-n` replaces the global maxconn, `-N` is
/// the maxconn of every frontend that sets none (HAProxy's default proxy
/// maxconn), `-dV` starts from `ssl-server-verify none`, `-dr` turns an
/// unresolvable server address into a warning and a server in maintenance.
struct CommandLineOverrides: Equatable {
    var maxconn: Int?
    var defaultProxyMaxconn: Int?
    var serverVerifyNone = false
    var ignoreResolveFailures = false

    init() {}

    init(_ o: CommandLineOptions) {
        maxconn = o.maxconn
        defaultProxyMaxconn = o.defaultProxyMaxconn
        serverVerifyNone = o.serverVerifyNone
        ignoreResolveFailures = o.ignoreResolveFailures
    }

    func apply(to c: inout Configuration) {
        if let n = maxconn { c.global.maxconn = n }
        if let n = defaultProxyMaxconn {
            for i in c.frontends.indices where c.frontends[i].maxconn == nil { c.frontends[i].maxconn = n }
        }
    }
}
