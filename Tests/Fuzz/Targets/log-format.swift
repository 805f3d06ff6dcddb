// modules: FulcrumBytes FulcrumLog
// A `log-format` / `unique-id-format` / header value string: elements or
// an error, never a trap. First byte: which of the three grammars.
import FulcrumLog

let grammars: [LogFormatParser.Options] = [.logLine, .uniqueID, .value]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLogFormat(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let text = String(decoding: input.rest, as: UTF8.self)
    let options = grammars[Int(input.first) % grammars.count]
    if case .success(let elements) = LogFormatParser.parse(text, options: options) {
        // Parsing is a function of the text: the same string, the same elements.
        guard case .success(let again) = LogFormatParser.parse(text, options: options) else {
            fatalError("fuzz invariant: a second parse failed")
        }
        fuzzCheck(again == elements, "a second parse differs")
    }
    return 0
}
