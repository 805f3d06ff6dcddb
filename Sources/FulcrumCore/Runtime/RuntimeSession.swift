/// One CLI connection's state, as HAProxy keeps it per session: its level
/// (lowered with `operator`/`user`), interactive mode (`prompt`), its idle
/// timeout (`set timeout cli`) and whether it asked to `quit`. The endpoint
/// applies the session commands; everything else goes to the runtime API.
public struct RuntimeSession: Sendable, Equatable {
    public var level: RuntimeLevel
    public var prompt = false
    public var quit = false
    /// nil: the endpoint's own (`stats timeout`).
    public var timeoutMs: Int64?

    public init(level: RuntimeLevel) { self.level = level }

    /// Applies a reply of `RuntimeCLI.sessionReply` (others change nothing).
    public mutating func apply(_ reply: RuntimeReply) {
        switch reply {
        case .togglePrompt: prompt.toggle()
        case .quit: quit = true
        case .setLevel(let l): level = min(level, l)
        case .setTimeout(let ms): timeoutMs = ms
        default: break
        }
    }

    /// What a session command answers: nothing for `quit`, else the empty
    /// line that ends every answer.
    public var sessionAnswer: String { quit ? "" : RuntimeCLI.endOfAnswer }

    /// What follows each answer in interactive mode (after its empty line).
    public var promptSuffix: String { prompt && !quit ? "> " : "" }
}
