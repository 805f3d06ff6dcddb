import FulcrumConfig
import FulcrumLog
import FulcrumHTTP

/// A proxy's log line compiled once: the format it chose (`log-format`, a
/// predefined one, or the legacy connect line), the samples a `LogRecord`
/// answers, and the HTTP fetches for the rest (`%[req.hdr(host)]`), which are
/// read from the exchange's heads while they are still held. Checked when the
/// configuration loads: a fetch or converter that cannot be served is an error
/// there, not a silent "-" in every line.
public struct CompiledLogLine: Sendable {
    public let format: LogLineFormat
    public let samples: LogRecordSamples
    /// Per sample of the format: the fetch the caller answers (nil: the record's).
    let fetches: [HTTPFetch?]
    /// Per sample: its first converter reads the binary form (hex, base64).
    let binary: [Bool]
    /// Per caller sample: its converters, run here (any HAProxy converter
    /// Fulcrum serves, not only the record's few).
    let converters: [[CompiledConverter]]

    /// The line reads the address the client connected to (`%fi`, `%fp`,
    /// `dst`, the legacy line): one getsockname per connection.
    public let readsLocalAddress: Bool
    /// Some sample is read from the exchange's heads.
    public var readsExchange: Bool { !samples.callerSamples.isEmpty }

    /// The line a proxy logs per stream or exchange.
    public init(_ logging: ProxyLogging) throws {
        let elements: [LogFormatElement]
        switch logging.format {
        case .legacy: elements = []
        case .tcplog: elements = PredefinedLogFormat.tcplog.elements
        case .httplog: elements = PredefinedLogFormat.httplog.elements
        case .httplogCLF: elements = PredefinedLogFormat.httplogCLF.elements
        case .httpslog: elements = PredefinedLogFormat.httpslog.elements
        case .custom(let text): elements = text.elements
        }
        try self.init(elements, legacy: logging.format == .legacy)
    }

    /// Another log-format string of the proxy (`log-format-sd`, `unique-id-format`).
    public init(_ text: LogLineFormatString) throws { try self.init(text.elements, legacy: false) }

    init(_ elements: [LogFormatElement], legacy: Bool) throws {
        format = legacy ? .legacyConnect : LogLineFormat(elements)
        readsLocalAddress = legacy || elements.contains { e in
            switch e {
            case .variable(let v, _): return v == .frontendIP || v == .frontendPort
            case .sample(let s, _): return s.fetch.name == "dst" || s.fetch.name == "dst_port"
            default: return false
            }
        }
        samples = try LogRecordSamples(format.samples, callerConverts: true)
        var fetches = [HTTPFetch?](repeating: nil, count: format.samples.count)
        var converters = [[CompiledConverter]](repeating: [], count: format.samples.count)
        for i in samples.callerSamples {
            let call = format.samples[i].fetch
            do {
                fetches[i] = try HTTPFetch(SampleFetch(name: call.name, arguments: call.arguments))
            } catch {
                throw HTTPRulesError("sample fetch '\(call.name)' is not supported in log lines yet (in '%[\(format.samples[i].text)]')")
            }
            let text = format.samples[i].text
            for c in format.samples[i].converters {
                do { converters[i].append(try CompiledConverter(try SampleConverter(c))) } catch let e as LogFormatError {
                    throw HTTPRulesError("failed to parse sample expression <\(text)> : \(e.message)")
                }
            }
        }
        self.fetches = fetches
        self.converters = converters
        binary = format.samples.map { s in s.converters.first.flatMap { LogSampleConverter(rawValue: $0.name) }?.readsBinary ?? false }
    }

    /// Renders `record` into `line` (cleared first); `context` holds the
    /// exchange's heads for the HTTP fetches (nil in mode tcp or before a
    /// request was parsed: those samples are absent).
    public func render(_ record: LogRecord, context: HTTPRuleContext?, into line: inout [UInt8]) {
        var dates = LogDateCache()
        render(record, context: context, dates: &dates, into: &line)
    }

    /// `dates`: the caller's cache of the last seconds' text (one per worker).
    public func render(_ record: LogRecord, context: HTTPRuleContext?, dates: inout LogDateCache, into line: inout [UInt8]) {
        line.removeAll(keepingCapacity: true)
        // The common formats (httplog, tcplog) have no sample: no writer to
        // build, and no copies of the record's slices for it to hold.
        guard !fetches.isEmpty else { return format.render(record, dates: &dates, into: &line) }
        let caller = Fetches(line: self, context: context, record: record)
        format.render(record, samples: samples.writer(record: record, caller: caller), dates: &dates, into: &line)
    }

    /// Answers the caller's samples from the exchange's heads.
    struct Fetches: LogSampleWriter {
        let line: CompiledLogLine
        let context: HTTPRuleContext?
        let record: LogRecord

        /// mode tcp has no exchange: the endpoints come from the record.
        func endpoints() -> HTTPRuleContext? {
            guard case .ip(let client, let clientPort) = record.client else { return nil }
            var local = (address: client, port: 0)
            if case .ip(let a, let p) = record.frontendAddress { local = (a, p) }
            return HTTPRuleContext(request: HTTPHead(kind: .request, reserving: false),
                                   connection: HTTPConnectionInfo(source: client, sourcePort: clientPort,
                                                                  destination: local.address, destinationPort: local.port))
        }

        func writeSample(_ index: Int, flags: LogFlags, into out: inout [UInt8]) {
            guard let fetch = line.fetches[index] else { return }
            var context = self.context
            if context == nil, [.source, .sourcePort, .destination, .destinationPort].contains(fetch) { context = endpoints() }
            guard let context, let sample = SampleFetcher.sample(fetch, context: context) else { return }
            if line.converters[index].isEmpty {
                sample.append(binary: line.binary[index], to: &out)
            } else {
                CompiledLogFormat.append(sample, line.converters[index], variables: context.variables, stick: context.stick, to: &out)
            }
        }
    }
}

/// Every log-format string of one proxy, compiled when the configuration
/// loads: its line, `log-format-sd` and `unique-id-format`.
public struct CompiledProxyLog: Sendable {
    public let line: CompiledLogLine
    public let structuredData: CompiledLogLine?
    public let uniqueID: CompiledLogLine?

    public init(_ logging: ProxyLogging) throws {
        line = try CompiledLogLine(logging)
        structuredData = try logging.structuredData.map { try CompiledLogLine($0) }
        uniqueID = try logging.uniqueIDFormat.map { try CompiledLogLine($0) }
    }
}
