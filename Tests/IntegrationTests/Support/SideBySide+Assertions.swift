import XCTest

extension SideBySide {
    /// The defaults section every side-by-side config starts from.
    static let httpDefaults = """
        defaults
            mode http
            timeout connect 2s
            timeout client 5s
            timeout server 5s

        """
    /// The same for mode tcp.
    static let tcpDefaults = httpDefaults.replacingOccurrences(of: "mode http", with: "mode tcp")

    /// Sends `requests` on one connection to each proxy and fails, naming
    /// each aspect, wherever the two differ, except for the aspects in
    /// `tolerating` (documented deliberate differences; the caller checks
    /// fulcrum's value for those itself). Returns the observations of the
    /// last request for further checks.
    @discardableResult
    func assertSame(_ requests: [String], _ aspects: SideBySideAspects, method: String = "GET",
                    checkClose: Bool = false, frontend: Int = 1, tolerating: Set<String> = [],
                    file: StaticString = #filePath, line: UInt = #line) throws -> [ProxyUnderTest: SideBySideObservation] {
        let runs = try conversation(requests, method: method, checkClose: checkClose, frontend: frontend)
        let count = max(runs[.fulcrum]!.count, runs[.haproxy]!.count)
        for index in 0..<count {
            let f = index < runs[.fulcrum]!.count ? try aspects.of(runs[.fulcrum]![index]) : ["missing": "closed earlier"]
            let h = index < runs[.haproxy]!.count ? try aspects.of(runs[.haproxy]![index]) : ["missing": "closed earlier"]
            let differences = SideBySideAspects.differences(fulcrum: f, haproxy: h)
                .filter { difference in !tolerating.contains { difference.hasPrefix($0 + ":") } }
            XCTAssertEqual(differences, [], "request \(index + 1) of \(requests.count): "
                           + (requests[min(index, requests.count - 1)].split(separator: "\r\n").first.map(String.init) ?? ""),
                           file: file, line: line)
        }
        return [.fulcrum: runs[.fulcrum]!.last!, .haproxy: runs[.haproxy]!.last!]
    }

    @discardableResult
    func assertSame(_ request: String, _ aspects: SideBySideAspects, method: String = "GET",
                    checkClose: Bool = false, frontend: Int = 1, tolerating: Set<String> = [],
                    file: StaticString = #filePath, line: UInt = #line) throws -> [ProxyUnderTest: SideBySideObservation] {
        try assertSame([request], aspects, method: method, checkClose: checkClose, frontend: frontend,
                       tolerating: tolerating, file: file, line: line)
    }
}

extension XCTestCase {
    /// Starts a `RecordingHTTPBackend` that is stopped when the test ends.
    func startRecordingBackend(_ name: String,
                               responder: @escaping RecordingHTTPBackend.Responder = ScriptedResponse.identify)
        throws -> RecordingHTTPBackend {
        let backend = try RecordingHTTPBackend(name: name, responder: responder)
        addTeardownBlock { backend.stop() }
        return backend
    }
}

/// A GET request with `Host: site` and the extra raw header lines given.
func httpGet(_ target: String, host: String = "site", _ extra: [String] = []) -> String {
    (["GET \(target) HTTP/1.1", "Host: \(host)"] + extra).joined(separator: "\r\n") + "\r\n\r\n"
}
