import Glibc

/// A network namespace of the test's own that the test thread itself enters,
/// so the sysctls a load test needs (a wider `ip_local_port_range`,
/// `somaxconn`) change only there, and every socket the test opens and every
/// process it starts meanwhile (posix_spawn copies the calling thread's
/// namespaces) lives in it, on a loopback of its own where all of 127/8 is
/// local. Named `PREFIX-PID-1`, so `VRRPLab.removeStaleLabs` removes one a
/// crashed run left.
final class PrivateNetworkNamespace {
    let name: String
    /// The thread's namespace before `enter`, to go back to.
    private var original: Int32 = -1

    /// Makes the namespace with its loopback up and `sysctls` (net.* keys,
    /// per namespace) set; throws what failed, after removing it.
    init(prefix: String, sysctls: [(String, String)]) throws {
        VRRPLab.removeStaleLabs(prefix: prefix)
        name = "\(prefix)-\(getpid())-1"
        try Self.checked(["netns", "add", name])
        do {
            try Self.checked(["-n", name, "link", "set", "lo", "up"])
            for (key, value) in sysctls {
                let set = try CommandRunner.run("ip", ["netns", "exec", name, "sysctl", "-q", "-w", "\(key)=\(value)"], timeout: 10)
                guard set.succeeded else { throw HarnessError.failed("sysctl -w \(key)=\(value) in \(name): \(set.output)") }
            }
        } catch {
            destroy()
            throw error
        }
    }

    /// Moves the calling thread into the namespace (setns: only this thread;
    /// XCTest runs a test on the main thread, whose namespace /proc/net shows).
    func enter() throws {
        guard original < 0 else { return }
        let saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard saved >= 0 else { throw HarnessError.posix("open /proc/thread-self/ns/net") }
        let target = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        guard target >= 0 else { close(saved); throw HarnessError.posix("open /run/netns/\(name)") }
        defer { close(target) }
        guard Self.setNamespace(target) == 0 else { close(saved); throw HarnessError.posix("setns(\(name))") }
        original = saved
    }

    /// Back to the namespace the thread was in before `enter`.
    func leave() {
        guard original >= 0 else { return }
        _ = Self.setNamespace(original)
        close(original)
        original = -1
    }

    /// Leaves, kills what still runs inside and deletes the namespace.
    func destroy() {
        leave()
        VRRPLab.removeNamespace(name)
    }

    deinit { destroy() }

    private typealias SetNS = @convention(c) (Int32, Int32) -> Int32
    /// CLONE_NEWNET: setns(2)'s namespace type (the Glibc module imports
    /// neither it nor setns, a _GNU_SOURCE function looked up at run time).
    private static let newNetworkNamespace: Int32 = 0x4000_0000
    private static let setNSFunction: SetNS? = dlsym(nil, "setns").map { unsafeBitCast($0, to: SetNS.self) }

    private static func setNamespace(_ fd: Int32) -> Int32 {
        guard let setNSFunction else { errno = ENOSYS; return -1 }
        return setNSFunction(fd, newNetworkNamespace)
    }

    private static func checked(_ arguments: [String]) throws {
        let result = try CommandRunner.run("ip", arguments, timeout: 10)
        guard result.succeeded else { throw HarnessError.failed("ip \(arguments.joined(separator: " ")): \(result.output)") }
    }
}
