import XCTest
import FulcrumBytes
import FulcrumLog

final class LogRecordSamplesTests: XCTestCase {
    /// haproxy 2.6's `option httpslog` line on a plain listener: the TLS
    /// samples answered from the record alone.
    func testHTTPSLogSamplesWithoutTLS() throws {
        var r = httpRecord(fe: "fhttps", clientPort: 34978, frontendPort: 18106, ms: 783, requestLine: "GET /https HTTP/1.1")
        r.dataMs = 1; r.totalMs = 1
        let format = LogLineFormat(.httpslog)
        let samples = try LogRecordSamples(format.samples)
        XCTAssertEqual(samples.callerSamples, [])
        XCTAssertEqual(samples.tlsSamples, [1, 2, 3, 4, 5])
        var line: [UInt8] = []
        format.render(r, samples: samples.writer(record: r), into: &line)
        XCTAssertEqual(String(decoding: line, as: UTF8.self),
                       #"127.0.0.1:34978 [05/Dec/2026:17:18:12.783] fhttps b/s1 0/0/0/1/1 200 149 - - ---- 1/1/0/0/0 0/0 "GET /https HTTP/1.1" 0/-/-/-/0 -/-/-"#)
    }

    /// `%[src] %{+Q}[capture.req.hdr(0)]` as frontend `fall` logged them;
    /// converters on typed samples as haproxy 2.6 wrote them in a header
    /// (`%[src,hex] %[src_port,hex] %[src,base64] %[src_port,base64]` gave
    /// "7F000001 000000000000C350 fwAAAQ== AAAAAAAAw1A=" for port 50000).
    func testRecordFetchesConvertersAndTheCallersShare() throws {
        var r = httpRecord(fe: "fall", clientPort: 50254, frontendPort: 18109, ms: 869)
        r.requestCaptures = [b("127.0.0.1:18109"), nil]
        r.responseCaptures = [b("Text/Plain")]
        let format = try LogLineFormat(parsing: "%[src] %{+Q}[capture.req.hdr(0)] %[capture.req.hdr(1)] %[capture.req.hdr(7)] %[src_port,hex] %[src,hex] %[src,base64] %[src_port,base64] %[dst]:%[dst_port,lower] %[capture.res.hdr(0),lower] %[capture.res.hdr(0),upper,base64] %[var(txn.x),upper] %[fc_err]")
        let samples = try LogRecordSamples(format.samples)
        XCTAssertEqual(samples.callerSamples, [12])
        let caller = FixedSamples(values: Array(repeating: nil, count: 12) + ["mixed"])
        var line: [UInt8] = []
        format.render(r, samples: samples.writer(record: r, caller: caller), into: &line)
        XCTAssertEqual(String(decoding: line, as: UTF8.self),
                       #"127.0.0.1 "127.0.0.1:18109" - - 000000000000C44E 7F000001 fwAAAQ== AAAAAAAAxE4= 127.0.0.1:18109 text/plain VEVYVC9QTEFJTg== MIXED 0"#)
    }

    func testUnservedConvertersAndBadArgumentsAreErrors() throws {
        func error(_ format: String) throws -> String? {
            do { _ = try LogRecordSamples(try LogLineFormat(parsing: format).samples); return nil } catch let e as LogFormatError { return e.message }
        }
        XCTAssertEqual(try error("%[src,json]"), "sample converter 'json' is not supported yet (in '%[src,json]')")
        XCTAssertEqual(try error("%[src,hex(2)]"), "sample converter 'hex' takes no argument (in '%[src,hex(2)]')")
        XCTAssertEqual(try error("%[capture.req.hdr(x)]"), "fetch method 'capture.req.hdr' expects a capture slot number (in '%[capture.req.hdr(x)]')")
        XCTAssertEqual(try error("%[src(1)]"), "fetch method 'src' takes no argument (in '%[src(1)]')")
        XCTAssertNil(try error("%[req.hdr(host),lower]"))
    }
}
