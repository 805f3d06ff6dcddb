import Glibc
import CFulcrum

/// A network namespace held open by descriptor. `enter` switches the calling
/// *thread* (setns(2)); sockets opened afterwards belong to that namespace for
/// their whole life, whatever the thread does next. Used to run code in a lab
/// namespace (`ip netns add NAME` makes /var/run/netns/NAME) and come back.
public struct NetworkNamespace {
    public let fd: FileDescriptor

    public init(path: String) throws(Errno) {
        fd = try FileDescriptor.open(path, flags: O_RDONLY)
    }
    /// A namespace made by `ip netns add name`.
    public init(named name: String) throws(Errno) {
        try self.init(path: "/var/run/netns/" + name)
    }
    /// The calling thread's namespace now (to come back to after `enter`).
    public static func current() throws(Errno) -> NetworkNamespace {
        try NetworkNamespace(path: "/proc/thread-self/ns/net")
    }

    /// Moves the calling thread into this namespace (needs CAP_SYS_ADMIN).
    public func enter() throws(Errno) { try syscall { cf_setns_net(fd.rawValue) } }

    /// Runs `body` with the calling thread in this namespace, then moves it back.
    public func run<R>(_ body: () throws -> R) throws -> R {
        let home = try NetworkNamespace.current()
        defer { home.close() }
        try enter()
        defer { try? home.enter() }
        return try body()
    }

    public func close() { fd.close() }
}
