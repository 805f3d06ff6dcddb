// Shared by every fuzz target (compiled into each binary next to its
// Targets/NAME.swift): how a target reads its input and reports a broken
// invariant.

/// A broken invariant: libFuzzer sees the trap as a crash and writes the input.
@inline(never)
func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
               file: StaticString = #file, line: UInt = #line) {
    if !condition() { fatalError("fuzz invariant: \(message())", file: file, line: line) }
}

/// The input as libFuzzer hands it over. `first` lets a target spend one
/// byte on choosing options (limits, levels, versions), so the fuzzer
/// explores them too.
struct FuzzInput {
    let bytes: UnsafeRawBufferPointer

    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = size > 0 && data != nil ? UnsafeRawBufferPointer(start: data, count: size) : UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// The first byte (options), 0 when empty.
    var first: UInt8 { bytes.isEmpty ? 0 : bytes[0] }
    /// Everything after the first byte.
    var rest: UnsafeRawBufferPointer { bytes.isEmpty ? bytes : UnsafeRawBufferPointer(rebasing: bytes[1...]) }
    /// The bytes as text, invalid UTF-8 repaired as the daemon's readers do.
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
