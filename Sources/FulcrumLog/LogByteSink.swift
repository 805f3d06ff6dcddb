import FulcrumBytes

/// Where the renderer writes a log line's bytes: the caller's array, or a
/// `LogLineWriter` over room made in that array. Every `%variable`, date and
/// number is written once, generically, and specialised for both.
protocol LogByteSink {
    var count: Int { get }
    mutating func put(_ byte: UInt8)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>)
    mutating func putDecimal(_ value: Int64)
    /// A `%[sample]` element from the caller's writer, with its flags applied.
    mutating func putSample<W: LogSampleWriter>(_ writer: W, index: Int, flags: LogFlags)
}

extension LogByteSink {
    @inline(__always)
    mutating func put(_ bytes: ArraySlice<UInt8>) { bytes.withUnsafeBufferPointer { put($0) } }

    @inline(__always)
    mutating func put(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { put($0) } }
}

extension Array: LogByteSink where Element == UInt8 {
    @inline(__always)
    mutating func put(_ byte: UInt8) { append(byte) }

    @inline(__always)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }

    @inline(__always)
    mutating func putDecimal(_ value: Int64) { DecimalText.append(value, to: &self) }
}

/// Bytes written straight to memory with one bounds check each: an array's
/// append checks uniqueness and capacity on every byte, about five times the
/// cost, and a line is a couple of hundred of them. Past `capacity` nothing
/// more is written and `overflowed` is set: the caller makes more room and
/// renders again (a line is a pure function of its record).
struct LogLineWriter: LogByteSink {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    private(set) var count = 0
    private(set) var overflowed = false

    init(base: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        guard count < capacity else { overflowed = true; return }
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        guard bytes.count <= capacity &- count else { overflowed = true; return }
        (base + count).update(from: source, count: bytes.count)
        count &+= bytes.count
    }

    @inline(__always)
    mutating func putDecimal(_ value: Int64) {
        guard DecimalText.maximumLength <= capacity &- count else { overflowed = true; return }
        count &+= DecimalText.write(value, to: base + count)
    }
}
