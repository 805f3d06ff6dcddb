/// A log-format compiled once per proxy: the parsed elements with samples
/// numbered for the caller's writer, plus the legacy "Connect from" line
/// (no log option at all). `render` appends one line to a reused buffer:
/// once the buffer has grown to a line's size it allocates nothing.
public struct LogLineFormat: Sendable {
    enum Step: Sendable {
        case literal([UInt8])
        case separator
        case variable(LogVariable, LogFlags)
        case sample(Int, LogFlags)
        case legacyConnect
    }

    let steps: [Step]
    /// The `%[...]` expressions in order: `LogSampleWriter` receives their index.
    public let samples: [LogSampleExpression]

    public init(_ elements: [LogFormatElement]) {
        var steps: [Step] = []
        var samples: [LogSampleExpression] = []
        for element in elements {
            switch element {
            case .literal(let bytes): steps.append(.literal(bytes))
            case .separator: steps.append(.separator)
            case .variable(let v, let flags): steps.append(.variable(v, flags))
            case .sample(let expression, let flags):
                steps.append(.sample(samples.count, flags))
                samples.append(expression)
            }
        }
        self.steps = steps
        self.samples = samples
    }

    /// Parses `text` as a `log-format` directive does (`.uniqueID` for
    /// `unique-id-format`).
    public init(parsing text: String, options: LogFormatParser.Options = .logLine) throws {
        switch LogFormatParser.parse(text, options: options) {
        case .success(let elements): self.init(elements)
        case .failure(let error): throw error
        }
    }

    public init(_ predefined: PredefinedLogFormat) { self.init(predefined.elements) }

    private init(legacy: Void) { steps = [.legacyConnect]; samples = [] }

    /// HAProxy's default when a proxy logs with no format option: one line at
    /// accept, "Connect from IP:PORT to IP:PORT (frontend/MODE)".
    public static let legacyConnect = LogLineFormat(legacy: ())

    /// True for the legacy format, which is logged at accept, not at the end.
    public var logsAtAccept: Bool { if case .legacyConnect? = steps.first { return true } else { return false } }

    /// An empty format logs nothing (HAProxy sends no line for it).
    public var isEmpty: Bool { steps.isEmpty }

    /// Appends the line for `record` to `line` (nothing is removed first).
    public func render(_ record: LogRecord, into line: inout [UInt8]) {
        render(record, samples: NoLogSamples(), into: &line)
    }

    public func render<W: LogSampleWriter>(_ record: LogRecord, samples writer: W, into line: inout [UInt8]) {
        var lastWasSpace = true
        for step in steps {
            switch step {
            case .literal(let bytes):
                line.append(contentsOf: bytes)
                lastWasSpace = false
            case .separator:
                if !lastWasSpace { line.append(ASCIIByte.space); lastWasSpace = true }
            case .sample(let index, let flags):
                let quoted = flags.contains(.quote)
                if quoted { line.append(ASCIIByte.quote) }
                let mark = line.count
                writer.writeSample(index, flags: flags, into: &line)
                if line.count == mark {
                    if !quoted, flags.contains(.mandatory) { line.append(ASCIIByte.minus) }
                } else if flags.contains(.escape) {
                    LogEncoding.escapeInPlace(&line, from: mark)
                }
                if quoted { line.append(ASCIIByte.quote) }
                lastWasSpace = false
            case .variable(let variable, let flags):
                // Captures that do not exist write nothing and, as in
                // HAProxy, leave the previous separator as the last space.
                if LogLineFormat.appendVariable(variable, flags: flags, record: record, to: &line) {
                    lastWasSpace = false
                }
            case .legacyConnect:
                LogLineFormat.appendLegacyConnect(record, to: &line)
            }
        }
    }
}
