import Foundation
import FulcrumHTTP2
import XCTest

/// FulcrumHTTP2 against an independent implementation: Python's hpack and
/// h2 from PyPI. Python encodes, Swift decodes, and the reverse, for HPACK
/// blocks (raw and Huffman strings, indexing, never-indexed fields, table
/// size changes with eviction, every byte value) and for the frames an h2
/// client sends and receives.
final class HTTP2CodecCrossCheckTests: XCTestCase {
    typealias Field = (name: [UInt8], value: [UInt8], neverIndexed: Bool)

    static let script = """
    # Python's hpack and h2 on one side of Fulcrum's HTTP/2 codec. Reads JSON
    # on stdin, writes JSON on stdout; bytes travel as hex.
    import json, sys
    import h2.config, h2.connection, h2.events, h2.settings
    from hpack import Decoder, Encoder, NeverIndexedHeaderTuple

    mode = sys.argv[1]
    request = json.load(sys.stdin)
    b = bytes.fromhex

    def fields_of(step):
        return [NeverIndexedHeaderTuple(b(n), b(v)) if never else (b(n), b(v)) for n, v, never in step["fields"]]

    if mode == "hpack-encode":
        out = []
        for case in request:
            e = Encoder()
            blocks = []
            for step in case["steps"]:
                for size in step.get("tableSizes", []):
                    e.header_table_size = size
                blocks.append(e.encode(fields_of(step), huffman=case["huffman"]).hex())
            out.append(blocks)
    elif mode == "hpack-decode":
        out = []
        for case in request:
            d = Decoder()
            d.max_header_list_size = 1 << 20
            lists = []
            for block in case:
                lists.append([[f[0].hex(), f[1].hex(), not getattr(f, "indexable", True)] for f in d.decode(b(block), raw=True)])
            out.append([lists, d.header_table_size])
    elif mode == "h2-client-send":
        c = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding=None))
        c.initiate_connection()
        c.update_settings({h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 50, h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: 100000})
        c.send_headers(1, fields_of(request["request"]))
        c.send_data(1, b"hello world", pad_length=4)
        c.send_data(1, b"", end_stream=True)
        c.increment_flow_control_window(1000)
        c.ping(b"12345678")
        c.prioritize(3, weight=32, depends_on=1, exclusive=True)
        c.send_headers(3, fields_of(request["big"]), end_stream=True)
        c.close_connection(error_code=11, additional_data=b"bye")
        out = c.data_to_send().hex()
    elif mode == "h2-client-receive":
        c = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True, header_encoding=None))
        c.initiate_connection()
        c.send_headers(1, [(b":method", b"GET"), (b":scheme", b"https"), (b":authority", b"example.com"), (b":path", b"/")], end_stream=True)
        c.data_to_send()
        out = []
        for e in c.receive_data(b(request)):
            d = {"type": type(e).__name__}
            for k in ("stream_id", "data", "flow_controlled_length", "ping_data", "delta", "error_code", "last_stream_id", "additional_data"):
                v = getattr(e, k, None)
                if v is not None:
                    d[k] = v.hex() if isinstance(v, bytes) else int(v)
            if getattr(e, "headers", None) is not None:
                d["headers"] = [[n.hex(), v.hex()] for n, v in e.headers]
            if getattr(e, "changed_settings", None) is not None:
                d["settings"] = {str(int(k)): s.new_value for k, s in e.changed_settings.items()}
            out.append(d)
    print(json.dumps(out))
    """

    private var python = ""
    private var scriptPath = ""

    override func setUpWithError() throws {
        let venv = try PythonVenv.with(["h2==4.4.1", "hpack==4.2.0"])
        python = venv + "/bin/python"
        let directory = try TemporaryDirectory(prefix: "h2x")
        addTeardownBlock { directory.remove() }
        scriptPath = try directory.write("crosscheck.py", Self.script)
    }

    /// Runs the script in `mode` with `input` as JSON; its JSON answer.
    func runPython(_ mode: String, _ input: Any) throws -> Any {
        let data = try JSONSerialization.data(withJSONObject: input, options: [.fragmentsAllowed])
        let result = try CommandRunner.run(python, [scriptPath, mode], stdin: String(decoding: data, as: UTF8.self), timeout: 120)
        guard result.succeeded else { throw HarnessError.failed("crosscheck.py \(mode): \(result.output.suffix(2000))") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8), options: [.fragmentsAllowed])
    }

    static func hexString(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    static func bytes(_ hex: Any?) -> [UInt8] {
        let digits = Array(((hex as? String) ?? "").utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    static func field(_ name: String, _ value: String, never: Bool = false) -> Field { (Array(name.utf8), Array(value.utf8), never) }

    /// Header lists that exercise the static table, the dynamic table
    /// (repeats across lists), long values that evict under a 256-byte
    /// table, a never-indexed credential and all 256 byte values.
    static let lists: [[Field]] = {
        let request = [field(":method", "GET"), field(":scheme", "https"), field(":authority", "www.example.com"), field(":path", "/")]
        let allBytes: Field = (Array("x-bytes".utf8), (0...255).map(UInt8.init), false)
        return [
            request,
            request + [field("cache-control", "no-cache"), field("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101")],
            request + [field("authorization", "Basic dXNlcjpwYXNz", never: true), field("custom-key", "custom-value")],
            [field(":status", "200"), field("set-cookie", String(repeating: "k", count: 150)), field("date", "Mon, 21 Oct 2013 20:13:22 GMT")],
            request + [allBytes, field("cache-control", "no-cache"), field("custom-key", "custom-value")],
            request + [field("x-long", String(repeating: "0123456789", count: 30)), field("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101")],
        ]
    }()

    /// Table size changes before each list (the encoder's own size).
    static let tableSizes: [[Int]] = [[], [], [256], [], [0, 4096], [100]]

    func assertSame(_ decoded: HPACKHeaderList, _ expected: [Field], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(decoded.count, expected.count, what, file: file, line: line)
        for (i, f) in expected.enumerated() where i < decoded.count {
            XCTAssertEqual(Array(decoded.name(i)), f.name, "\(what) field \(i) name", file: file, line: line)
            XCTAssertEqual(Array(decoded.value(i)), f.value, "\(what) field \(i) value", file: file, line: line)
            XCTAssertEqual(decoded.fields[i].indexing == .neverIndexed, f.neverIndexed, "\(what) field \(i) never-indexed", file: file, line: line)
        }
    }

    func testPythonHPACKEncodesAndSwiftDecodes() throws {
        let cases: [[String: Any]] = [false, true].map { huffman in
            ["huffman": huffman, "steps": zip(Self.lists, Self.tableSizes).map { list, sizes in
                ["tableSizes": sizes, "fields": list.map { [Self.hexString($0.name), Self.hexString($0.value), $0.neverIndexed] }] as [String: Any]
            }]
        }
        let answer = try XCTUnwrap(try runPython("hpack-encode", cases) as? [[String]])
        XCTAssertEqual(answer.count, 2)
        var sawSizeUpdate = false
        for (c, blocks) in answer.enumerated() {
            var decoder = HPACKDecoder()
            var list = HPACKHeaderList()
            for (i, block) in blocks.enumerated() {
                let bytes = Self.bytes(block)
                sawSizeUpdate = sawSizeUpdate || bytes.first.map { $0 & 0xE0 == 0x20 } == true
                try decoder.decode(bytes, into: &list)
                assertSame(list, Self.lists[i], "case \(c) block \(i)")
                if let size = Self.tableSizes[i].last { XCTAssertEqual(decoder.table.maxSize, size, "case \(c) block \(i) table size") }
            }
            XCTAssertGreaterThan(decoder.table.count, 0, "the blocks used the dynamic table")
        }
        XCTAssertTrue(sawSizeUpdate, "Python sent no dynamic table size update")
    }

    func testSwiftEncodesAndPythonHPACKDecodes() throws {
        var cases: [[String]] = []
        var finalSizes: [Int] = []
        for policy in [HPACKEncoder.HuffmanPolicy.never, .always, .whenShorter] {
            var encoder = HPACKEncoder(huffman: policy)
            var blocks: [String] = []
            for (list, sizes) in zip(Self.lists, Self.tableSizes) {
                for size in sizes { encoder.setMaxTableSize(size) }
                var block: [UInt8] = []
                encoder.beginBlock(into: &block)
                for f in list { encoder.encode(name: f.name, value: f.value, indexing: f.neverIndexed ? .neverIndexed : .incremental, into: &block) }
                blocks.append(Self.hexString(block))
            }
            cases.append(blocks)
            finalSizes.append(encoder.table.maxSize)
        }
        let answer = try XCTUnwrap(try runPython("hpack-decode", cases) as? [[Any]])
        XCTAssertEqual(answer.count, cases.count)
        for (c, result) in answer.enumerated() {
            let lists = try XCTUnwrap(result.first as? [[[Any]]])
            XCTAssertEqual(lists.count, Self.lists.count)
            for (i, fields) in lists.enumerated() {
                let expected = Self.lists[i]
                XCTAssertEqual(fields.count, expected.count, "case \(c) list \(i)")
                for (f, e) in zip(fields, expected) {
                    XCTAssertEqual(Self.bytes(f[0]), e.name, "case \(c) list \(i)")
                    XCTAssertEqual(Self.bytes(f[1]), e.value, "case \(c) list \(i) \(String(decoding: e.name, as: UTF8.self))")
                    XCTAssertEqual(f[2] as? Bool, e.neverIndexed, "case \(c) list \(i) never-indexed")
                }
            }
            XCTAssertEqual(result.last as? Int, finalSizes[c], "Python's table size after Swift's size updates")
        }
    }

    func testPythonH2ClientFramesDecodeInSwift() throws {
        let request = [Self.field(":method", "POST"), Self.field(":scheme", "https"), Self.field(":authority", "a.example"), Self.field(":path", "/upload")]
        let big = [Self.field(":method", "GET"), Self.field(":scheme", "https"), Self.field(":authority", "a.example"), Self.field(":path", "/big"),
                   Self.field("x-big", String(repeating: "a", count: 40000))]
        func json(_ list: [Field]) -> [String: Any] { ["fields": list.map { [Self.hexString($0.name), Self.hexString($0.value), $0.neverIndexed] }] }
        let sent = Self.bytes(try runPython("h2-client-send", ["request": json(request), "big": json(big)]))

        guard case .complete(let prefaceLength) = HTTP2Preface.check(sent) else { return XCTFail("no client preface") }
        var frames = HTTP2FrameDecoder(role: .server)
        var hpack = HPACKDecoder()
        var list = HPACKHeaderList()
        var connection = HTTP2Connection(role: .server, settings: HTTP2Settings())
        var actions: [HTTP2ConnectionAction] = []
        var at = prefaceLength, block: [UInt8] = [], log: [String] = []
        while at < sent.count {
            let step = sent[at...].withUnsafeBytes { frames.decode($0) }
            guard case .frame(let frame, let consumed) = step else { return XCTFail("at \(at): \(step)") }
            connection.receive(frame, into: &actions)
            let payload = Array(sent[at..<(at + consumed)])
            switch frame {
            case .settings(let ack, let s):
                log.append(ack ? "SETTINGS ack" : "SETTINGS streams=\(s.maxConcurrentStreams.map(String.init) ?? "-") window=\(s.initialWindowSize.map(String.init) ?? "-")")
            case .headers(let id, let f, let end, let endHeaders, _, _):
                block = Array(payload[f])
                log.append("HEADERS \(id) end=\(end) endHeaders=\(endHeaders)")
                if endHeaders {
                    try hpack.decode(block, into: &list)
                    assertSame(list, id == 1 ? request : big, "stream \(id)")
                }
            case .continuation(let id, let f, let endHeaders):
                block += payload[f]
                log.append("CONTINUATION \(id) endHeaders=\(endHeaders)")
                if endHeaders {
                    try hpack.decode(block, into: &list)
                    assertSame(list, big, "stream \(id) after CONTINUATION")
                }
            case .data(let id, let d, let end, let pad):
                log.append("DATA \(id) \(String(decoding: payload[d], as: UTF8.self)) end=\(end) pad=\(pad.map(String.init) ?? "-") flow=\(frame.flowControlledLength)")
            case .windowUpdate(let id, let increment): log.append("WINDOW_UPDATE \(id) \(increment)")
            case .ping(let ack, let opaque): log.append("PING ack=\(ack) \(String(opaque, radix: 16))")
            case .priority(let id, let p): log.append("PRIORITY \(id) on \(p.dependency) exclusive=\(p.exclusive) weight=\(Int(p.weight) + 1)")
            case .goaway(let last, let code, let debug):
                log.append("GOAWAY last=\(last) \(HTTP2ErrorCode(rawValue: code).map { "\($0)" } ?? "\(code)") \(String(decoding: payload[debug], as: UTF8.self))")
            default: log.append("\(frame)")
            }
            at += consumed
        }
        XCTAssertEqual(log, [
            "SETTINGS streams=100 window=65535",
            "SETTINGS streams=50 window=100000",
            "HEADERS 1 end=false endHeaders=true",
            "DATA 1 hello world end=false pad=4 flow=16",
            "DATA 1  end=true pad=- flow=0",
            "WINDOW_UPDATE 0 1000",
            "PING ack=false 3132333435363738",
            "PRIORITY 3 on 1 exclusive=true weight=32",
            "HEADERS 3 end=true endHeaders=false",
            "CONTINUATION 3 endHeaders=true",
            "GOAWAY last=0 enhanceYourCalm bye",
        ])
        // The connection state took the client's frames without an error.
        XCTAssertFalse(connection.failed)
        XCTAssertFalse(actions.contains { if case .sendRSTStream = $0 { return true }; return false }, "\(actions)")
        XCTAssertEqual(actions.filter { if case .headerFragment(_, true, _, true) = $0 { return true }; return false }.count, 2)
        XCTAssertEqual(connection.remoteSettings.maxConcurrentStreams, 50)
        XCTAssertEqual(connection.remoteSettings.initialWindowSize, 100_000)
        XCTAssertEqual(connection.state(of: 1), .halfClosedRemote)
        XCTAssertEqual(connection.state(of: 3), .halfClosedRemote)
        XCTAssertEqual(connection.connectionSendWindow.size, 65_535 + 1000)
        XCTAssertEqual(connection.peerGoaway, 0)
    }

    func testSwiftServerFramesDecodeInPythonH2() throws {
        var out: [UInt8] = []
        HTTP2FrameEncoder.writeSettings(HTTP2Settings(maxConcurrentStreams: 10, initialWindowSize: 70000, maxFrameSize: 32768), into: &out)
        HTTP2FrameEncoder.writeSettingsAck(into: &out)
        var encoder = HPACKEncoder()
        var block: [UInt8] = []
        encoder.beginBlock(into: &block)
        let response = [(":status", "200"), ("content-type", "text/plain"), ("x-custom", "fulcrum"), ("date", "Mon, 21 Oct 2013 20:13:22 GMT")]
        for (n, v) in response { encoder.encode(name: n.utf8, value: v.utf8, into: &block) }
        HTTP2FrameEncoder.writeHeaderBlock(streamID: 1, block: block[...], endStream: false, maxFrameSize: 16, into: &out)
        HTTP2FrameEncoder.writeData(streamID: 1, data: Array("response body".utf8), endStream: true, padLength: 3, into: &out)
        HTTP2FrameEncoder.writePing(opaqueData: 0x0102_0304_0506_0708, ack: false, into: &out)
        HTTP2FrameEncoder.writeWindowUpdate(streamID: 0, increment: 5000, into: &out)
        HTTP2FrameEncoder.writeGoaway(lastStreamID: 1, errorCode: 0, debugData: Array("bye".utf8), into: &out)

        let events = try XCTUnwrap(try runPython("h2-client-receive", Self.hexString(out)) as? [[String: Any]])
        let types = events.compactMap { $0["type"] as? String }
        XCTAssertEqual(types, ["RemoteSettingsChanged", "SettingsAcknowledged", "ResponseReceived", "DataReceived", "StreamEnded",
                               "PingReceived", "WindowUpdated", "ConnectionTerminated"])
        guard types.count == 8 else { return }
        XCTAssertEqual(events[0]["settings"] as? [String: Int], ["3": 10, "4": 70000, "5": 32768])
        let headers = (events[2]["headers"] as? [[String]])?.map { (String(decoding: Self.bytes($0[0]), as: UTF8.self), String(decoding: Self.bytes($0[1]), as: UTF8.self)) }
        XCTAssertEqual(headers?.map { "\($0.0): \($0.1)" }, response.map { "\($0.0): \($0.1)" })
        XCTAssertEqual(Self.bytes(events[3]["data"]), Array("response body".utf8))
        XCTAssertEqual(events[3]["flow_controlled_length"] as? Int, 13 + 4)
        XCTAssertEqual(events[5]["ping_data"] as? String, "0102030405060708")
        XCTAssertEqual(events[6]["delta"] as? Int, 5000)
        XCTAssertEqual(events[7]["last_stream_id"] as? Int, 1)
        XCTAssertEqual(events[7]["error_code"] as? Int, 0)
        XCTAssertEqual(Self.bytes(events[7]["additional_data"]), Array("bye".utf8))
    }
}
