import FulcrumBytes
import FulcrumLog

/// Builders shared by the log tests: records as haproxy 2.6 saw the
/// requests the captured lines come from.
func b(_ s: String) -> ArraySlice<UInt8> { Array(s.utf8)[...] }

func endpoint(_ address: String, _ port: Int) -> LogEndpoint { .ip(IPAddress(address)!, port: port) }

/// Microseconds of a wall-clock second plus milliseconds.
func micros(_ seconds: Int64, ms: Int64) -> Int64 { seconds * 1_000_000 + ms * 1000 }

/// 05/Dec/2026:16:18:12 UTC, as haproxy's %Ts printed it.
let capturedSecond: Int64 = 1_796_487_492

/// The record of an HTTP request through frontend `fe` to b/s1 on loopback
/// (the setup of the capture run: TZ=Europe/Paris, all timers 0).
func httpRecord(fe: String, clientPort: Int, frontendPort: Int, ms: Int64, second: Int64 = capturedSecond,
                requestLine: String? = "GET / HTTP/1.1") -> LogRecord {
    var r = LogRecord()
    r.isHTTP = true
    r.client = endpoint("127.0.0.1", clientPort)
    r.frontendAddress = endpoint("127.0.0.1", frontendPort)
    r.frontendName = b(fe)
    r.backendName = b("b")
    r.serverName = b("s1")
    r.hostname = b("vm")
    r.acceptDateMicros = micros(second, ms: ms)
    r.utcOffsetSeconds = 3600
    r.idleMs = 0; r.handshakeMs = 0
    r.requestMs = 0; r.queueMs = 0; r.connectMs = 0; r.dataMs = 0; r.totalMs = 0
    r.status = 200
    r.bytesOut = 149
    r.activeConnections = 1; r.frontendConnections = 1
    r.requestLine = requestLine.map(b)
    return r
}

func render(_ format: LogLineFormat, _ record: LogRecord, samples: [String?] = []) -> String {
    var line: [UInt8] = []
    format.render(record, samples: FixedSamples(values: samples), into: &line)
    return String(decoding: line, as: UTF8.self)
}

func render(_ text: String, _ record: LogRecord, samples: [String?] = []) throws -> String {
    try render(LogLineFormat(parsing: text), record, samples: samples)
}

/// A sample writer answering each index with a fixed string (nil: absent).
struct FixedSamples: LogSampleWriter {
    var values: [String?]
    func writeSample(_ index: Int, flags: LogFlags, into line: inout [UInt8]) {
        guard index < values.count, let v = values[index] else { return }
        line.append(contentsOf: v.utf8)
    }
}
