import FulcrumBytes
import XCTest
import Glibc
import FulcrumPosix

/// Two network namespaces joined by a veth pair, both ends up and addressed:
///
///     <prefix>a [<prefix>a 10.213.0.1/24] ==== [<prefix>b 10.213.0.2/24] <prefix>b
///
/// Names carry the test process id so parallel runs and leftovers of a crashed
/// run never collide. Code runs inside a namespace with `inside`, which moves
/// the calling thread there with setns(2) and back; sockets opened inside stay
/// in that namespace. `destroy` (call it from tearDown) removes both namespaces,
/// which removes the veth pair with them.
final class NetnsPair {
    let a: String
    let b: String
    /// The veth end in `a` and in `b` (same names as the namespaces).
    var linkA: String { a }
    var linkB: String { b }
    let addressA = IPv4Address(10, 213, 0, 1)
    let addressB = IPv4Address(10, 213, 0, 2)

    /// Builds the pair, or throws XCTSkip when not root or `ip netns` fails.
    init(tag: String) throws {
        guard getuid() == 0 else {
            throw XCTSkip("needs root and `ip netns` (network namespaces with a veth pair)")
        }
        a = "f\(tag)\(getpid())a"
        b = "f\(tag)\(getpid())b"
        NetnsPair.remove([a, b])
        let steps: [[String]] = [
            ["ip", "netns", "add", a],
            ["ip", "netns", "add", b],
            ["ip", "link", "add", a, "type", "veth", "peer", "name", b],
            ["ip", "link", "set", a, "netns", a],
            ["ip", "link", "set", b, "netns", b],
            ["ip", "-n", a, "addr", "add", "\(addressA)/24", "dev", a],
            ["ip", "-n", b, "addr", "add", "\(addressB)/24", "dev", b],
            ["ip", "-n", a, "link", "set", "lo", "up"],
            ["ip", "-n", b, "link", "set", "lo", "up"],
            ["ip", "-n", a, "link", "set", a, "up"],
            ["ip", "-n", b, "link", "set", b, "up"],
        ]
        for step in steps {
            let r = Command.run(step)
            if r.status != 0 {
                NetnsPair.remove([a, b])
                throw XCTSkip("needs root and `ip netns`: `\(step.joined(separator: " "))` failed: \(r.output)")
            }
        }
    }

    func destroy() { NetnsPair.remove([a, b]) }

    private static func remove(_ names: [String]) {
        for n in names where access("/var/run/netns/" + n, F_OK) == 0 { Command.run(["ip", "netns", "del", n]) }
    }

    /// Runs `body` with the calling thread in namespace `name`.
    func inside<R>(_ name: String, _ body: () throws -> R) throws -> R {
        let ns = try NetworkNamespace(named: name)
        defer { ns.close() }
        return try ns.run(body)
    }

    /// `ip -o -4 addr show dev LINK` in a namespace, one line per address.
    func ipv4AddressLines(_ name: String) -> [String] {
        Command.run(["ip", "-n", name, "-o", "-4", "addr", "show", "dev", name]).output
            .split(separator: "\n").map(String.init)
    }

    /// Runs `ip ARGS` in namespace `name` (through `ip netns exec`); fails the test on error.
    func ip(_ name: String, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) {
        let r = Command.run(["ip", "netns", "exec", name, "ip"] + arguments)
        XCTAssertEqual(r.status, 0, "ip \(arguments.joined(separator: " ")): \(r.output)", file: file, line: line)
    }
}

/// Waits until `fd` is readable or `milliseconds` pass.
func waitReadable(_ fd: FileDescriptor, milliseconds: Int32) -> Bool {
    var p = pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, milliseconds) == 1
}
