import Glibc
import FulcrumPosix

// Narrower storage for a stream slot's fields, read and written as the
// values the engine works with: every idle keep-alive connection holds one
// slot, so the bytes of its fields count times the connections (issue 17).

/// A backend or server index, or a small count, kept in 32 bits and read as
/// an Int (the values are bounded by the configuration and `retries`).
@propertyWrapper
struct Narrow {
    private var stored: Int32
    init(wrappedValue: Int) { stored = Int32(wrappedValue) }
    var wrappedValue: Int {
        @inline(__always) get { Int(stored) }
        @inline(__always) set { stored = Int32(newValue) }
    }
}

/// An optional index in 32 bits: Int32.min stands for nil.
@propertyWrapper
struct NarrowOptional {
    private var stored: Int32
    init(wrappedValue: Int?) { stored = wrappedValue.map { Int32($0) } ?? .min }
    var wrappedValue: Int? {
        @inline(__always) get { stored == .min ? nil : Int(stored) }
        @inline(__always) set { stored = newValue.map { Int32($0) } ?? .min }
    }
}

/// A client address in the 28 bytes of a sockaddr_in6 (a sockaddr_in fits
/// too) instead of a 128-byte sockaddr_storage; a longer one (a UNIX
/// socket's) lives in the slot's box and only its length here.
struct PeerAddress {
    private var bytes: (UInt64, UInt64, UInt64, UInt32) = (0, 0, 0, 0)
    private var length: UInt32 = 0
    static let capacity = MemoryLayout<(UInt64, UInt64, UInt64, UInt32)>.size

    func address(orBoxed box: SlotBox<SocketAddress>?) -> SocketAddress {
        if Int(length) > Self.capacity { return box?.value ?? SocketAddress(storage: .init(), length: 0) }
        var a = SocketAddress(storage: .init(), length: socklen_t(length))
        withUnsafeMutableBytes(of: &a.storage) { dst in
            withUnsafeBytes(of: bytes) { dst.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: Self.capacity) }
        }
        return a
    }

    mutating func store(_ address: SocketAddress, orBox box: inout SlotBox<SocketAddress>?) {
        length = UInt32(address.length)
        if Int(address.length) > Self.capacity {
            box.store(address)
            return
        }
        withUnsafeMutableBytes(of: &bytes) { dst in
            withUnsafeBytes(of: address.storage) { dst.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: Self.capacity) }
        }
    }
}
