/// A log-format compiled once per proxy: the parsed elements with samples
/// numbered for the caller's writer, plus the legacy "Connect from" line
/// (no log option at all). `render` appends one line to a reused buffer:
/// once the buffer has grown to a line's size it allocates nothing.
///
/// Steps hold no reference (literals are ranges of one byte pool), so the
/// render loop retains nothing per step; a format like httplog is about
/// fifty of them.
public struct LogLineFormat: Sendable {
    enum Step: Sendable {
        /// `count` bytes of `literals` from `start`.
        case literal(start: Int32, count: Int32)
        case separator
        case variable(LogVariable, LogFlags)
        case sample(Int, LogFlags)
        case legacyConnect
    }

    let steps: [Step]
    /// Every literal's bytes, one after another.
    let literals: [UInt8]
    /// The `%[...]` expressions in order: `LogSampleWriter` receives their index.
    public let samples: [LogSampleExpression]

    public init(_ elements: [LogFormatElement]) {
        var steps: [Step] = []
        var literals: [UInt8] = []
        var samples: [LogSampleExpression] = []
        for element in elements {
            switch element {
            case .literal(let bytes):
                steps.append(.literal(start: Int32(literals.count), count: Int32(bytes.count)))
                literals.append(contentsOf: bytes)
            case .separator: steps.append(.separator)
            case .variable(let v, let flags): steps.append(.variable(v, flags))
            case .sample(let expression, let flags):
                steps.append(.sample(samples.count, flags))
                samples.append(expression)
            }
        }
        self.steps = steps
        self.literals = literals
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

    private init(legacy: Void) { steps = [.legacyConnect]; literals = []; samples = [] }

    /// HAProxy's default when a proxy logs with no format option: one line at
    /// accept, "Connect from IP:PORT to IP:PORT (frontend/MODE)".
    public static let legacyConnect = LogLineFormat(legacy: ())

    /// True for the legacy format, which is logged at accept, not at the end.
    public var logsAtAccept: Bool { if case .legacyConnect? = steps.first { return true } else { return false } }

    /// An empty format logs nothing (HAProxy sends no line for it).
    public var isEmpty: Bool { steps.isEmpty }

    /// Appends the line for `record` to `line` (nothing is removed first).
    public func render(_ record: LogRecord, into line: inout [UInt8]) {
        var dates = LogDateCache()
        render(record, samples: NoLogSamples(), dates: &dates, into: &line)
    }

    /// A format without samples, with the caller's date cache. Not generic,
    /// so the render is specialised here rather than run through witness
    /// tables from another module.
    public func render(_ record: LogRecord, dates: inout LogDateCache, into line: inout [UInt8]) {
        render(record, samples: NoLogSamples(), dates: &dates, into: &line)
    }

    public func render<W: LogSampleWriter>(_ record: LogRecord, samples writer: W, into line: inout [UInt8]) {
        var dates = LogDateCache()
        render(record, samples: writer, dates: &dates, into: &line)
    }

    /// `dates` keeps the text of the last second written: a caller logging
    /// many lines keeps one, so a date is formatted once a second.
    public func render<W: LogSampleWriter>(_ record: LogRecord, samples writer: W, dates: inout LogDateCache,
                                           into line: inout [UInt8]) {
        literals.withUnsafeBufferPointer { literals in
            // Sample writers append to an array; the rest goes through the
            // unchecked writer, in room made at the end of `line`.
            if samples.isEmpty {
                renderDirect(record, samples: writer, literals: literals, dates: &dates, into: &line)
            } else {
                render(record, samples: writer, literals: literals, dates: &dates, into: &line)
            }
        }
    }

    static let zeros = [UInt8](repeating: 0, count: 2048)

    private func renderDirect<W: LogSampleWriter>(_ record: LogRecord, samples writer: W, literals: UnsafeBufferPointer<UInt8>,
                                                  dates: inout LogDateCache, into line: inout [UInt8]) {
        let start = line.count
        var room = Swift.min(Swift.max(line.capacity - start, 512), LogLineFormat.zeros.count)
        while true {
            var added = 0
            LogLineFormat.zeros.withUnsafeBufferPointer { zeros in
                while added < room {
                    let n = Swift.min(room - added, zeros.count)
                    line.append(contentsOf: UnsafeBufferPointer(rebasing: zeros[0..<n]))
                    added += n
                }
            }
            let (written, overflowed) = line.withUnsafeMutableBufferPointer { all -> (Int, Bool) in
                var out = LogLineWriter(base: all.baseAddress! + start, capacity: room)
                render(record, samples: writer, literals: literals, dates: &dates, into: &out)
                return (out.count, out.overflowed)
            }
            line.removeLast(overflowed ? room : room - written)
            if !overflowed { return }
            room *= 2
        }
    }

    private func render<W: LogSampleWriter, S: LogByteSink>(_ record: LogRecord, samples writer: W,
                                                            literals: UnsafeBufferPointer<UInt8>,
                                                            dates: inout LogDateCache, into line: inout S) {
        var lastWasSpace = true
        for step in steps {
            switch step {
            case .literal(let start, let count):
                line.put(UnsafeBufferPointer(rebasing: literals[Int(start)..<Int(start + count)]))
                lastWasSpace = false
            case .separator:
                if !lastWasSpace { line.put(ASCIIByte.space); lastWasSpace = true }
            case .sample(let index, let flags):
                line.putSample(writer, index: index, flags: flags)
                lastWasSpace = false
            case .variable(let variable, let flags):
                // Captures that do not exist write nothing and, as in
                // HAProxy, leave the previous separator as the last space.
                if LogLineFormat.appendVariable(variable, flags: flags, record: record, dates: &dates, to: &line) {
                    lastWasSpace = false
                }
            case .legacyConnect:
                LogLineFormat.appendLegacyConnect(record, to: &line)
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// `%[sample]`: quoted with `Q`, "-" when empty and mandatory, escaped with `E`.
    mutating func putSample<W: LogSampleWriter>(_ writer: W, index: Int, flags: LogFlags) {
        let quoted = flags.contains(.quote)
        if quoted { append(ASCIIByte.quote) }
        let mark = count
        writer.writeSample(index, flags: flags, into: &self)
        if count == mark {
            if !quoted, flags.contains(.mandatory) { append(ASCIIByte.minus) }
        } else if flags.contains(.escape) {
            LogEncoding.escapeInPlace(&self, from: mark)
        }
        if quoted { append(ASCIIByte.quote) }
    }
}

extension LogLineWriter {
    /// Sample writers write to arrays, so a sample goes through one here;
    /// `render` gives formats with samples an array instead.
    mutating func putSample<W: LogSampleWriter>(_ writer: W, index: Int, flags: LogFlags) {
        var sample: [UInt8] = []
        sample.putSample(writer, index: index, flags: flags)
        put(sample)
    }
}
