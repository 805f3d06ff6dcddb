/// How a child process ended, decoded from waitpid's status word.
enum ExitStatus: Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus status: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
        let termSignal = status & 0x7f
        if termSignal == 0 {
            self = .exited((status >> 8) & 0xff)
        } else {
            self = .signaled(termSignal)
        }
    }

    /// The shell's convention: the exit code, or 128 + signal number.
    var shellStatus: Int32 {
        switch self {
        case let .exited(code): return code
        case let .signaled(signal): return 128 + signal
        }
    }

    var description: String {
        switch self {
        case let .exited(code): return "exited with status \(code)"
        case let .signaled(signal): return "killed by signal \(signal)"
        }
    }
}
