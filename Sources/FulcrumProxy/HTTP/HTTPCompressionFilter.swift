import FulcrumCompression
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP

/// `compression`: negotiated from the request, decided on the response head
/// by HAProxy's eligibility rules, applied to the body through zlib.
extension StreamEngine {
    /// The backend's `compression` settings when it has any, else the frontend's.
    func compressionConfig(_ s: Stream) -> CompressionConfig {
        if s.backend >= 0, !backends[s.backend].config.http.compression.algorithms.isEmpty {
            return backends[s.backend].config.http.compression
        }
        return frontends[s.frontend].config.http.compression
    }

    func apply(_ edits: [HeaderEdit], to head: inout HTTPHead) {
        for e in edits {
            switch e {
            case .remove(let name): head.remove(name)
            case .add(let name, let value): head.add(name, value)
            case .set(let name, let value): head.set(name, value)
            }
        }
    }

    /// On yes the head is edited (chunked, Content-Encoding, Vary, weak ETag)
    /// and the body goes through zlib.
    func startCompression(_ s: Stream, choice: CompressionChoice, response head: inout HTTPHead) {
        let comp = compressionConfig(s)
        let framing = s.http.exchange.responseBody.framing
        let contentLength: Int?
        if case .contentLength(let n) = framing { contentLength = n } else { contentLength = nil }
        let chunked = framing == .chunked
        let eligible = CompressionNegotiation.responseEligible(
            status: head.status, contentEncoding: head.value(of: "Content-Encoding"),
            cacheControl: head.values(of: "Cache-Control").map { String(decoding: $0, as: UTF8.self) },
            contentType: head.value(of: "Content-Type"), contentLength: contentLength, types: comp.types,
            requestMethod: String(decoding: s.http.exchange.method, as: UTF8.self), chunked: chunked,
            etags: head.values(of: "ETag").map { String(decoding: $0, as: UTF8.self) },
            requestIsHTTP11: s.http.request.version == .http11, responseIsHTTP11: head.version == .http11)
        guard eligible, framing != .none else { return }
        apply(CompressionHeaderEdits.response(algorithm: choice.algorithm, chunked: chunked, etag: head.value(of: "ETag")),
              to: &head)
        if let c = s.http.compressor { c.reset(algorithm: choice.algorithm) }
        else { s.http.compressor = try? ResponseCompressor(algorithm: choice.algorithm) }
        s.http.compressing = s.http.compressor != nil
        if s.http.compressing { countCompression(s, .compressedResponses, 1) }
    }

    /// comp_rsp, comp_in, comp_out on the frontend and the backend.
    private func countCompression(_ s: Stream, _ c: SharedTable.Counter, _ n: Int) {
        table.frontendCounter(worker: slot, frontend: s.frontend, c).bump(by: UInt64(n))
        if s.backend >= 0 { table.backendCounter(worker: slot, backend: s.backend, c).bump(by: UInt64(n)) }
    }

    /// Takes the body's payload (de-chunked) and sends it compressed, chunked.
    func compressBody(_ s: Stream) -> Bool {
        guard let c = s.http.compressor else { return false }
        // Compressed chunks are built in the engine's reused scratch; a body
        // framed by length or close is compressed straight from the read buffer.
        chunkScratch.removeAll(keepingCapacity: true)
        s.http.plain.removeAll(keepingCapacity: true)
        guard case .success(let move) = s.http.exchange.forwardResponseBody(s.http.fromServer.readable, payload: &s.http.plain)
        else { return false }
        let input = move.passThrough > 0 ? move.passThrough : s.http.plain.count
        countCompression(s, .compressedIn, input)
        table.globalRate(.compressInRate).count(second: UInt64(now / 1000), by: UInt64(input))
        if move.passThrough > 0 {
            c.compress(UnsafeRawBufferPointer(rebasing: s.http.fromServer.readable[0..<move.passThrough]), into: &chunkScratch)
        } else {
            s.http.plain.withUnsafeBytes { c.compress($0, into: &chunkScratch) }
        }
        s.http.fromServer.consume(move.consumed)
        if s.http.exchange.responseBody.isDone { c.finish(into: &chunkScratch) }
        s.response.buffer.append(chunkScratch, pool: buffers)
        s.record.responseBytes += chunkScratch.count
        countCompression(s, .compressedOut, chunkScratch.count)
        table.globalRate(.compressOutRate).count(second: UInt64(now / 1000), by: UInt64(chunkScratch.count))
        return true
    }
}
