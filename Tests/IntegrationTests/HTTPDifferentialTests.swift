import XCTest
import Foundation

/// The differential smuggling corpus (issue 17): every request case
/// (HTTPDifferentialRequestCases) and response case
/// (HTTPDifferentialResponseCases) goes, byte for byte, through Fulcrum,
/// HAProxy 2.6 and nginx 1.22 side by side (HTTPDifferentialRig). What each
/// client got and each server received is rendered as
/// docs/http-differential.md and must equal the committed file, and nothing
/// Fulcrum writes to a server (request side) or to a client (response side)
/// may be readable two ways (StrictHTTPReader).
final class HTTPDifferentialTests: XCTestCase {
    static let docPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/http-differential.md").standardized.path

    func testCorpusSize() {
        let requests = HTTPDifferentialRequestCases.all.map(\.name)
        let responses = HTTPDifferentialResponseCases.all.map(\.name)
        XCTAssertGreaterThanOrEqual(requests.count + responses.count, 150)
        XCTAssertEqual(Set(requests).count, requests.count, "request case names are unique")
        XCTAssertEqual(Set(responses).count, responses.count, "response case names are unique")
    }

    func testCorpusThroughFulcrumHAProxyAndNginx() throws {
        _ = try requireTool("haproxy")
        _ = try requireTool("nginx")
        let rigs = try HTTPDifferentialRig.Proxy.allCases.map { try HTTPDifferentialRig($0, test: self) }
        let requestCases = HTTPDifferentialRequestCases.all
        let responseCases = HTTPDifferentialResponseCases.all
        var requestRows = requestCases.enumerated().map { index, c in
            HTTPDifferentialTable.Row(id: String(format: "q%03d", index + 1), name: c.name, bytes: c.bytes,
                                      observations: [:], ambiguities: [:])
        }
        var responseRows = responseCases.enumerated().map { index, c in
            HTTPDifferentialTable.Row(id: String(format: "s%03d", index + 1),
                                      name: c.method == "GET" ? c.name : "\(c.name) (\(c.method))", bytes: c.bytes,
                                      observations: [:], ambiguities: [:])
        }
        // The three proxies run at once, each through every case in order.
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: rigs.count) { index in
            let rig = rigs[index]
            for (i, c) in requestCases.enumerated() {
                let o = rig.observe(c.bytes)
                let ambiguity = o.backend.lazy.compactMap { StrictHTTPReader.read($0).ambiguity }.first
                lock.withLock {
                    requestRows[i].observations[rig.proxy] = o
                    requestRows[i].ambiguities[rig.proxy] = ambiguity
                }
            }
            for (i, c) in responseCases.enumerated() {
                let o = rig.observe(HTTPDifferentialRequestCases.b("\(c.method) / HTTP/1.1\r\nHost: a\r\n\r\n"), script: c.bytes)
                let ambiguity = StrictHTTPReader.read(o.client, responsesTo: [c.method]).ambiguity
                lock.withLock {
                    responseRows[i].observations[rig.proxy] = o
                    responseRows[i].ambiguities[rig.proxy] = ambiguity
                }
            }
        }

        for row in requestRows {
            if let why = row.ambiguities[.fulcrum] {
                XCTFail("\(row.id) \(row.name): Fulcrum forwarded bytes a server could read two ways: \(why)")
            }
        }
        for row in responseRows {
            if let why = row.ambiguities[.fulcrum] {
                XCTFail("\(row.id) \(row.name): Fulcrum sent the client bytes it could read two ways: \(why)")
            }
        }

        var table = HTTPDifferentialTable()
        let rendered = table.render(requests: requestRows, responses: responseRows)
        if ProcessInfo.processInfo.environment["FULCRUM_RECORD_DIFFERENTIAL"] == "1" {
            try FileBytes.write(Array(rendered.utf8), to: Self.docPath)
        }
        let committed = FileBytes.readText(Self.docPath) ?? ""
        if rendered != committed {
            let actual = NSTemporaryDirectory() + "http-differential.actual.md"
            try? FileBytes.write(Array(rendered.utf8), to: actual)
            let expectedLines = Set(committed.split(separator: "\n", omittingEmptySubsequences: false))
            let changed = rendered.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { $0.hasPrefix("| q") || $0.hasPrefix("| s") }.filter { !expectedLines.contains($0) }
            XCTFail("the corpus's outcomes differ from docs/http-differential.md (this run: \(actual)); rows:\n"
                    + changed.prefix(40).joined(separator: "\n"))
        }
    }
}
