import Glibc
import XCTest

/// The two proxies a side-by-side test runs.
enum ProxyUnderTest: String, CaseIterable, CustomStringConvertible {
    case fulcrum, haproxy
    var description: String { rawValue }
}

/// What one proxy did with one request.
struct SideBySideObservation {
    let proxy: ProxyUnderTest
    /// The response; nil when the proxy closed (or stayed silent) without one.
    let response: HTTPTestResponse?
    /// Whether the proxy closed the connection after this response; nil
    /// when not checked (only the last request of a conversation is).
    let closed: Bool?
    /// What the backends received while this request was answered, in the
    /// order the backends are listed.
    let forwarded: [RecordedRequest]
}

/// One config run under fulcrum and under HAProxy at the same time, in front
/// of the same `RecordingHTTPBackend`s, so a test sends the same bytes to
/// both and compares what comes back and what the backends saw.
///
/// The config text holds everything after `global`; `{port}` stands for the
/// frontend's port (one per proxy), `{port2}` … `{port9}` for more
/// frontends, and `{files}` for a directory both share (errorfiles). The harness writes the global section: `workers 1` for
/// fulcrum, `nbthread 1` for HAProxy, which has no `workers` keyword.
/// Requests go to one proxy at a time, so every recorded request belongs to
/// the exchange that is running.
final class SideBySide {
    /// `{port}` is frontend 1, `{port2}` frontend 2...
    static func portPlaceholder(_ frontend: Int) -> String { frontend == 1 ? "{port}" : "{port\(frontend)}" }
    static let filesPlaceholder = "{files}"

    let backends: [RecordingHTTPBackend]
    /// Per proxy, the port of each frontend placeholder the config uses
    /// (index 0 is `{port}`).
    let ports: [ProxyUnderTest: [UInt16]]
    let processes: [ProxyUnderTest: FulcrumProcess]
    /// Shared by both configs, holds `files`.
    let files: TemporaryDirectory

    /// Starts both proxies (skips the test when haproxy is missing) and waits
    /// until each listens. `files` are written to `{files}` first.
    /// `substitutions` replaces placeholders with a value of each proxy's
    /// own (its log collector's address...), in `global` and `config`.
    init(_ test: XCTestCase, config: String, backends: [RecordingHTTPBackend], global: String = "",
         files: [String: String] = [:], substitutions: [ProxyUnderTest: [String: String]] = [:]) throws {
        let haproxy = try requireTool("haproxy")
        self.backends = backends
        let shared = try TemporaryDirectory(prefix: "sbs")
        self.files = shared
        for (name, text) in files { try shared.write(name, text) }
        let frontends = (1...9).prefix { config.contains(SideBySide.portPlaceholder($0)) }.count
        guard frontends > 0 else { throw HarnessError.failed("side-by-side config without a {port} frontend") }
        var ports: [ProxyUnderTest: [UInt16]] = [:]
        var processes: [ProxyUnderTest: FulcrumProcess] = [:]
        for proxy in ProxyUnderTest.allCases {
            let threads = proxy == .fulcrum ? "workers 1" : "nbthread 1"
            var text = "global\n    \(threads)\n\(global)\n"
                + config.replacingOccurrences(of: SideBySide.filesPlaceholder, with: shared.path)
            var proxyPorts: [UInt16] = []
            for frontend in 1...frontends {
                let port = try FreePort.next()
                text = text.replacingOccurrences(of: SideBySide.portPlaceholder(frontend), with: "\(port)")
                proxyPorts.append(port)
            }
            for (placeholder, value) in substitutions[proxy] ?? [:] {
                text = text.replacingOccurrences(of: placeholder, with: value)
            }
            let process = proxy == .fulcrum
                ? try test.startFulcrum(config: text)
                // -db: foreground without debug traces, warnings on stderr.
                : try test.startFulcrum(config: text, arguments: ["-db", "-f", FulcrumProcess.configPlaceholder],
                                        executable: haproxy)
            for port in proxyPorts { try process.waitUntilListening(port: port) }
            ports[proxy] = proxyPorts
            processes[proxy] = process
        }
        self.ports = ports
        self.processes = processes
        test.addTeardownBlock { shared.remove() }
    }

    /// Sends each of `requests` on one connection to each proxy in turn,
    /// reading one response after each. Stops early when a proxy closes.
    /// `checkClose`: also find out whether the proxy closes after the last
    /// response. `method` frames the responses (HEAD has no body).
    /// `frontend` picks `{port}` (1), `{port2}` (2)...
    func conversation(_ requests: [String], method: String = "GET", checkClose: Bool = false, frontend: Int = 1)
        throws -> [ProxyUnderTest: [SideBySideObservation]] {
        var result: [ProxyUnderTest: [SideBySideObservation]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for backend in backends { _ = backend.takeRequests() }
            let client = try TCPClient.connect(port: ports[proxy]![frontend - 1])
            defer { client.close() }
            var observations: [SideBySideObservation] = []
            for (index, request) in requests.enumerated() {
                try client.send(request)
                let response = try client.readHTTPResponse(requestMethod: method)
                if response == nil { sleepSeconds(0.1) }
                let last = index == requests.count - 1 || response == nil
                let closed: Bool? = response == nil ? true : (last && checkClose ? try client.closesAfterResponse() : nil)
                let forwarded = backends.flatMap { $0.takeRequests() }
                observations.append(SideBySideObservation(proxy: proxy, response: response, closed: closed,
                                                          forwarded: forwarded))
                if response == nil { break }
            }
            result[proxy] = observations
        }
        return result
    }

    /// One request on a fresh connection to each proxy.
    func exchange(_ request: String, method: String = "GET", checkClose: Bool = false, frontend: Int = 1)
        throws -> [ProxyUnderTest: SideBySideObservation] {
        try conversation([request], method: method, checkClose: checkClose, frontend: frontend).mapValues { $0[0] }
    }
}
