import Foundation
import Glibc

/// A UDP name server on 127.0.0.1 (a port the kernel picks) answering each
/// question with the records a test scripts for its name, in the order given
/// and with the flags given: the answer shapes a real server never sends
/// (a CNAME whose target has no record followed by another name's address,
/// a first record about another name, a truncated answer), so that two
/// resolvers can be shown judging the same bytes the same way.
final class ScriptedDNSServer {
    /// One answer record: its owner, type, and RDATA (names written plain).
    struct Record {
        var name: String
        var type: UInt16
        var data: [UInt8]
        static func a(_ name: String, _ address: [UInt8]) -> Record { Record(name: name, type: 1, data: address) }
        static func cname(_ name: String, _ target: String) -> Record { Record(name: name, type: 5, data: ScriptedDNSServer.encode(target)) }
    }
    struct Answer {
        var records: [Record]
        var truncated = false
    }

    let port: UInt16
    private let fd: Int32
    private let thread: Thread
    private let lock = NSLock()
    private var stopping = false
    /// Read by the serving thread at each receive timeout.
    private final class Flag: @unchecked Sendable { var raised = false }
    private let stopFlag = Flag()

    /// `answers`: lower-case name → its answer, for every question type;
    /// other names get an empty NOERROR answer.
    init(answers: [String: Answer]) throws {
        let (fd, port) = try LoopbackUDP.bind()
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.port = port
        self.fd = fd
        let flag = stopFlag
        let thread = Thread { [fd] in
            var buffer = [UInt8](repeating: 0, count: 1500)
            while !flag.raised {
                var from = sockaddr_storage()
                var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let n = buffer.withUnsafeMutableBytes { b in
                    withUnsafeMutablePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, b.baseAddress, b.count, 0, $0, &fromLength) } }
                }
                guard n > 0, let reply = ScriptedDNSServer.reply(to: Array(buffer[0..<n]), answers: answers) else { continue }
                _ = reply.withUnsafeBytes { r in
                    withUnsafePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, r.baseAddress, r.count, 0, $0, fromLength) } }
                }
            }
        }
        self.thread = thread
        thread.start()
    }

    func stop() {
        lock.lock(); defer { lock.unlock() }
        guard !stopping else { return }
        stopping = true
        stopFlag.raised = true
        // The loop wakes within its 100 ms receive timeout; then the socket goes.
        let deadline = Deadline(seconds: 2)
        while !thread.isFinished && !deadline.hasExpired { usleep(10_000) }
        Glibc.close(fd)
    }

    deinit { stop() }

    /// The response to one query: its id and question echoed, the scripted records.
    static func reply(to query: [UInt8], answers: [String: Answer]) -> [UInt8]? {
        guard query.count > 12 else { return nil }
        var labels: [String] = []
        var i = 12
        while i < query.count, query[i] != 0 {
            let length = Int(query[i])
            guard length < 64, i + 1 + length <= query.count else { return nil }
            labels.append(String(decoding: query[(i + 1)..<(i + 1 + length)], as: UTF8.self))
            i += 1 + length
        }
        let questionEnd = i + 5
        guard questionEnd <= query.count else { return nil }
        let answer = answers[labels.joined(separator: ".").lowercased()] ?? Answer(records: [])
        var out = Array(query[0..<2])
        out += [0x81 | (answer.truncated ? 0x02 : 0), 0x80]
        out += [0, 1, UInt8(answer.records.count >> 8), UInt8(answer.records.count & 0xFF), 0, 0, 0, 0]
        out += query[12..<questionEnd]
        for r in answer.records {
            out += encode(r.name)
            out += [UInt8(r.type >> 8), UInt8(r.type & 0xFF), 0, 1, 0, 0, 0, 0]
            out += [UInt8(r.data.count >> 8), UInt8(r.data.count & 0xFF)] + r.data
        }
        return out
    }

    static func encode(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        for label in name.split(separator: ".") { out.append(UInt8(label.utf8.count)); out += Array(label.utf8) }
        return out + [0]
    }
}
