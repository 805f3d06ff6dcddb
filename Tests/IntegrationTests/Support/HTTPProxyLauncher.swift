import XCTest

/// Starting Fulcrum in `mode http` with a frontend "fe" on a fresh port and
/// whatever backends a test spells out, so each test states only what it is
/// about.
extension XCTestCase {
    /// The configuration text: `global` (workers + `global` lines), `defaults`
    /// (mode http, short timeouts + `defaults` lines), `frontend fe` bound to
    /// `port` with `frontend` lines, then `sections` verbatim.
    static func httpConfig(port: UInt16, workers: Int = 1, global: [String] = [], defaults: [String] = [],
                           frontend: [String], sections: String) -> String {
        func block(_ lines: [String]) -> String { lines.map { "    \($0)\n" }.joined() }
        return "global\n" + block(["workers \(workers)"] + global)
            + "defaults\n" + block(["mode http", "timeout connect 2s", "timeout client 10s", "timeout server 10s"] + defaults)
            + "frontend fe\n" + block(["bind 127.0.0.1:\(port)"] + frontend)
            + sections + "\n"
    }

    /// Starts the daemon on `httpConfig(...)` and waits for every worker's
    /// listener; returns the daemon and the frontend's port.
    func startHTTPProxy(workers: Int = 1, global: [String] = [], defaults: [String] = [], frontend: [String],
                        sections: String) throws -> (FulcrumProcess, UInt16) {
        let port = try FreePort.next()
        let process = try startFulcrum(config: Self.httpConfig(port: port, workers: workers, global: global, defaults: defaults,
                                                                frontend: frontend, sections: sections))
        try process.waitUntilListening(port: port, sockets: workers)
        return (process, port)
    }

    /// "backend NAME" with `lines`, for `sections`.
    static func backend(_ name: String, _ lines: [String]) -> String {
        "backend \(name)\n" + lines.map { "    \($0)\n" }.joined()
    }
}
