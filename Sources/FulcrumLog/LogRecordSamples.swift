import FulcrumBytes

/// The `%[...]` samples of a log format compiled against what a `LogRecord`
/// already holds: `src`, `dst` and their ports, `capture.req.hdr(N)` /
/// `capture.res.hdr(N)`, `fc_err`, and the `ssl_*` fetches of a connection
/// without TLS (what `option httpslog` needs on a plain listener). The other
/// fetches are the caller's: it compiles `callerSamples` with its own fetch
/// engine and answers them through the writer it passes to `writer(...)`.
/// The served converters (`LogSampleConverter`) apply to both.
public struct LogRecordSamples: Sendable {
    enum Source: Hashable, Sendable {
        case clientIP, clientPort, frontendIP, frontendPort
        case requestCapture(Int), responseCapture(Int)
        case connectionError
        /// An `ssl_*` fetch: absent without TLS ("0" for the booleans), the
        /// caller's once the connection has TLS.
        case tls(isBoolean: Bool)
        case caller
    }

    let sources: [Source]
    let converters: [[LogSampleConverter]]
    /// Indexes (into the format's `samples`) the caller's writer must answer.
    public let callerSamples: [Int]
    /// `ssl_*` samples: absent without TLS; the caller's once the record has
    /// TLS (`sslVersion` set).
    public let tlsSamples: [Int]

    /// Fails on a converter that is not served, or on a fetch the record
    /// answers given wrong arguments, naming it as HAProxy would.
    /// `callerConverts`: the caller applies the converters of its own
    /// samples itself (every converter its engine serves); they are neither
    /// checked nor applied here.
    public init(_ samples: [LogSampleExpression], callerConverts: Bool = false) throws {
        var sources: [Source] = []
        var converters: [[LogSampleConverter]] = []
        var callerSamples: [Int] = []
        var tlsSamples: [Int] = []
        for (index, sample) in samples.enumerated() {
            var list: [LogSampleConverter] = []
            // With `callerConverts`, a sample the record answers but whose
            // converters are not the record's few goes to the caller too.
            var source = try LogRecordSamples.source(sample.fetch, text: sample.text)
            if callerConverts, sample.converters.contains(where: { LogSampleConverter(rawValue: $0.name) == nil || !$0.arguments.isEmpty }) {
                switch source {
                case .clientIP, .clientPort, .frontendIP, .frontendPort: source = .caller
                default: break
                }
            }
            let callerOwned = callerConverts && source == .caller
            for c in sample.converters where !callerOwned {
                guard let served = LogSampleConverter(rawValue: c.name) else {
                    throw LogFormatError("sample converter '\(c.name)' is not supported yet (in '%[\(sample.text)]')")
                }
                guard c.arguments.isEmpty else {
                    throw LogFormatError("sample converter '\(c.name)' takes no argument (in '%[\(sample.text)]')")
                }
                list.append(served)
            }
            switch source {
            case .caller: callerSamples.append(index)
            case .tls: tlsSamples.append(index)
            default: break
            }
            sources.append(source)
            converters.append(list)
        }
        self.sources = sources
        self.converters = converters
        self.callerSamples = callerSamples
        self.tlsSamples = tlsSamples
    }

    /// Whether a log line answers the fetch `name` from its own record (the
    /// same decision `source` makes), so the configuration can check names.
    public static func answersFromRecord(_ name: String) -> Bool {
        // Only a record fetch can refuse its (missing) arguments.
        guard let s = try? source(LogSampleCall(name: name), text: name) else { return true }
        if case .caller = s { return false }
        return true
    }

    static func source(_ fetch: LogSampleCall, text: String) throws -> Source {
        func noArgument(_ s: Source) throws -> Source {
            guard fetch.arguments.isEmpty else { throw LogFormatError("fetch method '\(fetch.name)' takes no argument (in '%[\(text)]')") }
            return s
        }
        func captureIndex() throws -> Int {
            guard fetch.arguments.count == 1, let n = Int(fetch.arguments[0]), n >= 0 else {
                throw LogFormatError("fetch method '\(fetch.name)' expects a capture slot number (in '%[\(text)]')")
            }
            return n
        }
        switch fetch.name {
        case "src": return try noArgument(.clientIP)
        case "src_port": return try noArgument(.clientPort)
        case "dst": return try noArgument(.frontendIP)
        case "dst_port": return try noArgument(.frontendPort)
        case "capture.req.hdr": return .requestCapture(try captureIndex())
        case "capture.res.hdr": return .responseCapture(try captureIndex())
        case "fc_err": return try noArgument(.connectionError)
        case "ssl_fc", "ssl_fc_is_resumed", "ssl_fc_has_crt", "ssl_fc_has_sni", "ssl_c_used": return .tls(isBoolean: true)
        default: return fetch.name.hasPrefix("ssl_") ? .tls(isBoolean: false) : .caller
        }
    }

    /// The writer for one line: `record`'s own samples, `caller` for the rest.
    public func writer<Caller: LogSampleWriter>(record: LogRecord, caller: Caller) -> Writer<Caller> {
        Writer(samples: self, record: record, caller: caller)
    }

    public func writer(record: LogRecord) -> Writer<NoLogSamples> {
        Writer(samples: self, record: record, caller: NoLogSamples())
    }

    public struct Writer<Caller: LogSampleWriter>: LogSampleWriter {
        let samples: LogRecordSamples
        let record: LogRecord
        let caller: Caller

        public func writeSample(_ index: Int, flags: LogFlags, into line: inout [UInt8]) {
            let mark = line.count
            let r = record
            let converters = samples.converters[index]
            let binary = converters.first?.readsBinary ?? false
            switch samples.sources[index] {
            case .clientIP: LogRecordSamples.appendAddress(r.client, binary: binary, to: &line)
            case .clientPort: LogRecordSamples.appendPort(r.client, binary: binary, to: &line)
            case .frontendIP: LogRecordSamples.appendAddress(r.frontendAddress, binary: binary, to: &line)
            case .frontendPort: LogRecordSamples.appendPort(r.frontendAddress, binary: binary, to: &line)
            case .requestCapture(let n):
                if n < r.requestCaptures.count, let v = r.requestCaptures[n] { line.append(contentsOf: v) }
            case .responseCapture(let n):
                if n < r.responseCaptures.count, let v = r.responseCaptures[n] { line.append(contentsOf: v) }
            case .connectionError:
                LogRecordSamples.appendInteger(Int64(r.connectionErrorCode), binary: binary, to: &line)
            case .tls(let isBoolean):
                if r.sslVersion != nil {
                    caller.writeSample(index, flags: flags, into: &line)
                } else if isBoolean {
                    line.append(0x30)
                }
            case .caller:
                caller.writeSample(index, flags: flags, into: &line)
            }
            guard line.count > mark else { return }
            for c in converters { c.apply(to: &line, from: mark) }
        }
    }

    /// An address sample: its text, or its bytes for `hex`/`base64`.
    static func appendAddress(_ endpoint: LogEndpoint, binary: Bool, to out: inout [UInt8]) {
        guard case .ip(let address, _) = endpoint else { return }
        if binary { LogSampleConverter.appendBinary(address, to: &out) } else { address.withText { out.append(contentsOf: $0) } }
    }

    static func appendPort(_ endpoint: LogEndpoint, binary: Bool, to out: inout [UInt8]) {
        if case .ip(_, let port) = endpoint { appendInteger(Int64(port), binary: binary, to: &out) }
    }

    static func appendInteger(_ value: Int64, binary: Bool, to out: inout [UInt8]) {
        if binary { LogSampleConverter.appendBinary(value, to: &out) } else { LogNumber.appendDecimal(value, to: &out) }
    }
}
