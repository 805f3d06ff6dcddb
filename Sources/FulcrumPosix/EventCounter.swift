import Glibc
import CFulcrum

/// An eventfd: one process says "something changed" with a write that
/// never blocks, another waits for it in epoll. The peers process is woken
/// this way when a worker changes an entry it must push (HAProxy wakes its
/// peers task from stktable_touch_local), instead of finding out at its
/// next tick.
public enum EventCounter {
    /// A new counter, non-blocking and close-on-exec (children inherit it
    /// through the spawner's descriptor list).
    public static func make() throws(Errno) -> FileDescriptor {
        let fd = cf_eventfd()
        guard fd >= 0 else { throw Errno.current }
        return FileDescriptor(fd)
    }

    /// Adds one: the reader's descriptor turns readable.
    @inline(__always)
    public static func signal(_ fd: FileDescriptor) {
        var one: UInt64 = 1
        _ = Glibc.write(fd.rawValue, &one, 8)
    }

    /// Takes what was added (the descriptor stops being readable).
    public static func drain(_ fd: FileDescriptor) {
        var value: UInt64 = 0
        _ = Glibc.read(fd.rawValue, &value, 8)
    }
}
