import Glibc
import CFulcrum

/// A memfd mapped MAP_SHARED: the master creates it, children map the same
/// descriptor, and all see one region without any message round trip.
public final class SharedMemory {
    public let fd: FileDescriptor
    public let base: UnsafeMutableRawPointer
    public let size: Int

    /// Creates and maps a zero-filled region of `size` bytes.
    public init(create name: String, size: Int) throws(Errno) {
        let fd = FileDescriptor(try syscall { cf_memfd_create(name) })
        do {
            try syscall { ftruncate(fd.rawValue, off_t(size)) }
            self.base = try SharedMemory.map(fd, size)
        } catch { fd.close(); throw error }
        self.fd = fd
        self.size = size
    }

    /// Maps an inherited descriptor over its whole size.
    public init(mapping fd: FileDescriptor) throws(Errno) {
        var st = stat()
        try syscall { fstat(fd.rawValue, &st) }
        self.size = Int(st.st_size)
        self.base = try SharedMemory.map(fd, size)
        self.fd = fd
    }

    private static func map(_ fd: FileDescriptor, _ size: Int) throws(Errno) -> UnsafeMutableRawPointer {
        guard let p = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.rawValue, 0), p != MAP_FAILED else {
            throw Errno.current
        }
        return p
    }

    deinit { munmap(base, size); fd.close() }
}

/// A memfd holding immutable bytes (the configuration text handed to children).
public enum SealedBlob {
    public static func make(name: String, bytes: [UInt8]) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(try syscall { cf_memfd_create(name) })
        do { try fd.writeAll(bytes) } catch { fd.close(); throw error }
        return fd
    }
    /// Reads the whole blob from offset 0 without moving anything shared.
    public static func read(_ fd: FileDescriptor) throws(Errno) -> [UInt8] {
        var st = stat()
        try syscall { fstat(fd.rawValue, &st) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var off = 0
        while off < out.count {
            let n = out.withUnsafeMutableBytes { pread(fd.rawValue, $0.baseAddress! + off, $0.count - off, off_t(off)) }
            if n <= 0 { if n < 0 && errno == EINTR { continue }; throw n == 0 ? Errno(EIO) : Errno.current }
            off += n
        }
        return out
    }
}
