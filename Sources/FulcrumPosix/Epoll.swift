import Glibc
import CFulcrum

/// One epoll instance with a reusable event buffer. Callers dispatch on the
/// 64-bit token they registered, so there are no closures or existentials on
/// the hot path.
public final class Epoll {
    public struct Events: OptionSet, Sendable {
        public let rawValue: UInt32
        @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: CF_EPOLLIN)
        public static let writable = Events(rawValue: CF_EPOLLOUT)
        public static let error = Events(rawValue: CF_EPOLLERR)
        public static let hangup = Events(rawValue: CF_EPOLLHUP)
        public static let readHangup = Events(rawValue: CF_EPOLLRDHUP)
        public static let edgeTriggered = Events(rawValue: CF_EPOLLET)
        /// Among the epoll instances watching the descriptor this way, wake
        /// only one that waits (a sibling worker's listening socket). Only
        /// with `add`.
        public static let exclusive = Events(rawValue: CF_EPOLLEXCLUSIVE)
    }

    public let fd: FileDescriptor
    @usableFromInline let buffer: UnsafeMutableRawPointer
    public let capacity: Int
    public private(set) var count = 0

    public init(capacity: Int = 256) throws(Errno) {
        fd = FileDescriptor(try syscall { cf_epoll_create() })
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity * Int(cf_epoll_event_size()), alignment: 16)
    }
    deinit { buffer.deallocate(); fd.close() }

    public func add(_ target: FileDescriptor, events: Events, token: UInt64) throws(Errno) {
        try syscall { cf_epoll_ctl(fd.rawValue, EPOLL_CTL_ADD, target.rawValue, events.rawValue, token) }
    }
    public func modify(_ target: FileDescriptor, events: Events, token: UInt64) throws(Errno) {
        try syscall { cf_epoll_ctl(fd.rawValue, EPOLL_CTL_MOD, target.rawValue, events.rawValue, token) }
    }
    public func remove(_ target: FileDescriptor) {
        _ = cf_epoll_ctl(fd.rawValue, EPOLL_CTL_DEL, target.rawValue, 0, 0)
    }

    /// Waits up to `timeout` ms (-1: forever). Returns the number of events.
    @discardableResult
    public func wait(timeout: Int32) -> Int {
        let n = cf_epoll_wait(fd.rawValue, buffer, Int32(capacity), timeout)
        count = n < 0 ? 0 : Int(n)
        return count
    }

    // Inlinable so an event loop specialised in a role's module reads the
    // events without a call per event.
    @inlinable public func events(at i: Int) -> Events { Events(rawValue: cf_epoll_event_events(buffer, Int32(i))) }
    @inlinable public func token(at i: Int) -> UInt64 { cf_epoll_event_data(buffer, Int32(i)) }
}
