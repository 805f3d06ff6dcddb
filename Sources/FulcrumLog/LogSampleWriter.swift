/// Writes the `%[sample]` parts of a line. FulcrumLog knows no fetch: the
/// caller compiles `LogLineFormat.samples` (in that order) into its own
/// fetches and converters, and the renderer calls back with the index when a
/// line needs one. The renderer adds the quotes, the "-" for an absent
/// sample and the `E` escapes; the writer appends only the sample's string
/// (HAProxy's cast to string), or nothing when the fetch found nothing.
public protocol LogSampleWriter {
    func writeSample(_ index: Int, flags: LogFlags, into line: inout [UInt8])
}

/// For formats without samples, or lines rendered where no fetch can run:
/// every sample is absent.
public struct NoLogSamples: LogSampleWriter {
    public init() {}
    public func writeSample(_ index: Int, flags: LogFlags, into line: inout [UInt8]) {}
}
