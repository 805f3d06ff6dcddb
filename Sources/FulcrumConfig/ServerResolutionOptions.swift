import FulcrumBytes

/// `resolvers`, `resolve-prefer`, `resolve-opts`, `resolve-net` and
/// `init-addr` on server and default-server lines; messages are haproxy 2.6's.
extension ParseSession {
    static let serverResolutionOptions: Set<String> = ["resolvers", "resolve-prefer", "resolve-opts", "resolve-net", "init-addr"]

    /// Applies one option; returns the message of a wrong value.
    static func serverResolutionOption(_ keyword: String, _ value: String, into r: inout ServerResolution) -> String? {
        switch keyword {
        case "resolvers":
            r.resolvers = value
        case "resolve-prefer":
            guard let family = ServerResolution.Family(rawValue: value) else {
                return "'resolve-prefer' expects either ipv4 or ipv6 as argument.."
            }
            r.prefer = family
        case "resolve-opts":
            for option in value.split(separator: ",", omittingEmptySubsequences: false) {
                switch option {
                case "allow-dup-ip": r.allowDuplicateIP = true
                case "ignore-weight": r.ignoreWeight = true
                case "prevent-dup-ip": r.allowDuplicateIP = false
                default:
                    return "'resolve-opts' : unknown resolve-opts option '\(option)', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'.."
                }
            }
        case "resolve-net":
            var networks: [IPNetwork] = []
            for item in value.split(separator: ",") {
                let text = item.contains("/") ? String(item) : String(item) + (item.contains(":") ? "/128" : "/32")
                guard let network = IPNetwork(text) else { return "'resolve-net' invalid network '\(item)'.." }
                networks.append(network)
            }
            r.networks = networks
        default: // init-addr
            var methods: [ServerResolution.InitAddr] = []
            var address: IPAddress? = nil
            for method in value.split(separator: ",") {
                switch method {
                case "last": methods.append(.last)
                case "libc": methods.append(.libc)
                case "none": methods.append(.none)
                default:
                    guard let ip = IPAddress(method) else {
                        return "'init-addr' : unknown init-addr method '\(method)', supported methods are 'libc', 'last', 'none'.."
                    }
                    if address != nil { return "'init-addr' : initial address already specified, cannot add '\(method)'.." }
                    address = ip
                    methods.append(.address(ip))
                }
            }
            r.initAddr = methods
        }
        return nil
    }
}
