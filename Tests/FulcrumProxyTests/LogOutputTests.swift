import XCTest
import Glibc
import FulcrumConfig
import FulcrumLog
import FulcrumPosix
@testable import FulcrumProxy

/// A process's log targets over real unix datagram sockets the test owns:
/// framing per target, level and minlevel, sampling, tag and hostname, and
/// one socket for targets that share an address.
final class LogOutputTests: XCTestCase {
    private var paths: [String] = []
    private var receivers: [Int32] = []

    override func tearDown() {
        receivers.forEach { close($0) }
        paths.forEach { unlink($0) }
    }

    /// A unix datagram socket bound at a fresh path.
    private func receiver(_ name: String) throws -> (fd: Int32, path: String) {
        let path = NSTemporaryDirectory() + "fulcrum-logout-\(getpid())-\(name)"
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(r, 0)
        paths.append(path); receivers.append(fd)
        return (fd, path)
    }

    private func received(_ fd: Int32) -> [String] {
        var out: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard n > 0 else { return out }
            out.append(String(decoding: buffer[..<n], as: UTF8.self))
        }
    }

    private func target(_ path: String, line: Int, _ edit: (inout LogTarget) -> Void = { _ in }) -> LogTarget {
        var t = LogTarget(location: SourceLocation(file: "t.cfg", line: line, column: 5), address: .unixDatagram(path: path),
                          facility: .local0)
        edit(&t)
        return t
    }

    private let time: UInt64 = 1_796_520_000_123_456   // 2026-12-06 00:40:00.123456 UTC

    func testFramingLevelsSamplingAndTags() throws {
        let plain = try receiver("plain"), filtered = try receiver("filtered"), sampled = try receiver("sampled")
        var global = GlobalSettings()
        global.logHostname = .name("lb1")
        global.logTag = "edge"
        let loop = try EventLoop(capacity: 8)
        let output = LogOutput(loop: loop, kind: 9, global: global)
        output.refreshClock()
        let all = output.destinations(for: [
            target(plain.path, line: 1) { $0.format = .rfc3164 },
            target(filtered.path, line: 2) { $0.format = .raw; $0.level = .notice; $0.minLevel = .warning },
            target(sampled.path, line: 3) { $0.format = .short; $0.sampling = LogSampling(ranges: [1...1], size: 2) },
        ], tag: "fe-tag")
        XCTAssertEqual(all.count, 3)
        output.send(Array("info line".utf8), level: .info, to: all, wallMicros: time)
        output.send(Array("alert line".utf8), level: .alert, to: all, wallMicros: time)
        output.send(Array("notice line".utf8), level: .notice, to: all, wallMicros: time)

        let offset = Int(output.utcOffsetSeconds)
        let local = SyslogTime(seconds: Int64(time / 1_000_000), utcOffsetSeconds: Int32(offset)).civil
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let stamp = "\(months[local.month - 1]) " + (local.day < 10 ? " \(local.day)" : "\(local.day)")
            + String(format: " %02d:%02d:%02d", local.hour, local.minute, local.second)
        let pid = getpid()
        XCTAssertEqual(received(plain.fd), [
            "<134>\(stamp) lb1 fe-tag[\(pid)]: info line\n",
            "<129>\(stamp) lb1 fe-tag[\(pid)]: alert line\n",
            "<133>\(stamp) lb1 fe-tag[\(pid)]: notice line\n",
        ])
        // level notice: info is dropped; minlevel warning: alert is sent as warning.
        XCTAssertEqual(received(filtered.fd), ["alert line\n", "notice line\n"])
        // sample 1:2: the first of every two lines, `short` carries the severity only.
        XCTAssertEqual(received(sampled.fd), ["<6>info line\n", "<5>notice line\n"])
        XCTAssertEqual(output.dropped, 0)
    }

    func testTargetsSharingAnAddressShareOneSocketAndTheGlobalTagIsTheDefault() throws {
        let r = try receiver("shared")
        var global = GlobalSettings()
        global.logTag = "edge"
        let loop = try EventLoop(capacity: 8)
        let output = LogOutput(loop: loop, kind: 9, global: global)
        let a = output.destinations(for: [target(r.path, line: 1)])
        let b = output.destinations(for: [target(r.path, line: 2) { $0.facility = .local1 }])
        let again = output.destinations(for: [target(r.path, line: 1)])
        XCTAssertEqual(output.senders.senders.count, 1, "one socket for one address")
        XCTAssertEqual(again, a, "the same target and tag is the same destination")
        XCTAssertNotEqual(a, b)
        output.send("x", level: .info, to: a + b)
        let lines = received(r.fd)
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("<134>") && lines[0].contains(" edge[\(getpid())]: x"), lines[0])
        XCTAssertTrue(lines[1].hasPrefix("<142>"), lines[1])
    }

    func testADeadReceiverCountsDropsInsteadOfWaiting() throws {
        let path = NSTemporaryDirectory() + "fulcrum-logout-\(getpid())-absent"
        unlink(path)
        let loop = try EventLoop(capacity: 8)
        let output = LogOutput(loop: loop, kind: 9, global: GlobalSettings())
        let list = output.destinations(for: [target(path, line: 1)])
        for _ in 0..<5 { output.send("lost", level: .info, to: list) }
        XCTAssertEqual(output.dropped, 5)
    }
}
