import Glibc

/// A failed system call's errno, with the C library's text for logs.
public struct Errno: Error, Equatable, CustomStringConvertible, Sendable {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    /// The calling thread's errno right now.
    public static var current: Errno { Errno(errno) }
    public var description: String { String(cString: strerror(rawValue)) }

    public static let again = Errno(EAGAIN)
    public static let interrupted = Errno(EINTR)
    public static let inProgress = Errno(EINPROGRESS)
}

/// Runs a syscall-returning-Int32 closure, retrying on EINTR, throwing Errno on -1.
@inline(__always)
@discardableResult
public func syscall(_ body: () -> Int32) throws(Errno) -> Int32 {
    while true {
        let r = body()
        if r >= 0 { return r }
        if errno == EINTR { continue }
        throw Errno.current
    }
}
