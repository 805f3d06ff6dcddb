/// A mode http configuration whose frontend `fe` answers every request
/// itself (`http-request return`), for tests about the daemon and its
/// command line rather than about proxying. Valid for haproxy 2.6 too.
/// - global: lines of the `global` section.
/// - frontend: the lines after `bind` (default: answer 200 "ok").
/// - extra: sections appended as they are.
func answeringConfig(port: UInt16, global: [String] = [],
                     frontend: [String] = ["http-request return status 200 content-type text/plain string ok"],
                     extra: String = "") -> String {
    let lines = ["global"] + global.map { "    " + $0 } + [
        "defaults",
        "    mode http",
        "    timeout connect 1s",
        "    timeout client 5s",
        "    timeout server 5s",
        "frontend fe",
        "    bind 127.0.0.1:\(port)",
    ] + frontend.map { "    " + $0 }
    return lines.joined(separator: "\n") + "\n" + extra
}
