// modules: FulcrumBytes FulcrumLog FulcrumConfig FulcrumHTTP FulcrumCore
// A line on the stats socket / master CLI: split into commands and words as
// HAProxy does, each parsed at a level; a command or an error, never a trap.
// First byte: level (bits 0-1) and master CLI (bit 2).
import FulcrumCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRuntimeCommand(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let level = RuntimeLevel(rawValue: Int(input.first & 3) % 3) ?? .admin
    let master = input.first & 4 != 0
    let line = String(decoding: input.rest, as: UTF8.self)
    let commands = RuntimeCommandLine.commands(line)
    fuzzCheck(commands.allSatisfy { $0.count <= RuntimeCommandLine.maxWords + 1 }, "more words than the limit")
    for words in commands {
        _ = RuntimeCommand.parse(words: words, level: level, master: master)
    }
    _ = RuntimeCommand.parse(line)
    return 0
}
