import Glibc
import XCTest

/// Issue 10's memory target, side by side: 5,000 keep-alive client
/// connections, each after one request, held idle against HAProxy 2.6
/// (`nbthread 1`) and the release Fulcrum (`workers 1`) on one
/// configuration, PSS summed over every process of each. No time is
/// asserted: the ratio is of two figures measured in the same test, and
/// Fulcrum's return to its idle PSS is waited for (bounded only against a
/// hang). Tests/Benchmarks/bench.sh's memory case measures the same with the
/// target's 5 s.
///
/// Measured (issue 17): a held connection costs Fulcrum 650-790 bytes and
/// haproxy 1,120 (per connection 0.58-0.71x; 1,410 and 1.25x before the HTTP
/// transaction was lent per exchange and the stream slot narrowed); the
/// whole held PSS 0.98-1.06x haproxy's (1.50 before), Fulcrum's master and
/// worker idling at about 11 MB, haproxy at 7-9.
final class IdleConnectionMemoryTests: XCTestCase {
    static let connections = 5000
    static let maximumRatio = 1.3
    static let maximumPerConnectionRatio = 0.85
    static let maximumReturnAbove = 0.10
    private let memory = IdleConnectionMemory(connections: IdleConnectionMemoryTests.connections)

    func testIdleKeepAliveConnectionsCostAtMostOnePointThreeTimesHAProxyAndAreGivenBack() throws {
        let haproxyPath = try requireTool("haproxy")
        // Both ends of every connection live here or in what this starts.
        try ProcessMemory.allowOpenFiles(Self.connections * 3 + 1000)
        let nginx = try memory.startNginx(self, addresses: ["127.0.0.1"])
        try memory.compare(self, haproxy: haproxyPath, fulcrum: FulcrumReleaseBinary.path(), processes: 1,
                           servers: [("127.0.0.1", nginx.port)],
                           maximumRatio: Self.maximumRatio,
                           maximumPerConnectionRatio: Self.maximumPerConnectionRatio,
                           maximumReturnAbove: Self.maximumReturnAbove)
    }
}
