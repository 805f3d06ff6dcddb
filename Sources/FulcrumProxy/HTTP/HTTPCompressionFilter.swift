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
        let contentLength: Int?
        if case .contentLength(let n) = s.http.responseFraming { contentLength = n } else { contentLength = nil }
        let chunked = s.http.responseFraming == .chunked
        let eligible = CompressionNegotiation.responseEligible(
            status: head.status, contentEncoding: head.value(of: "Content-Encoding"),
            cacheControl: head.values(of: "Cache-Control").map { String(decoding: $0, as: UTF8.self) },
            contentType: head.value(of: "Content-Type"), contentLength: contentLength, types: comp.types,
            requestMethod: String(decoding: s.http.requestMethod, as: UTF8.self), chunked: chunked,
            etags: head.values(of: "ETag").map { String(decoding: $0, as: UTF8.self) },
            requestIsHTTP11: s.http.request?.version == .http11, responseIsHTTP11: head.version == .http11)
        guard eligible, s.http.responseFraming != .none else { return }
        apply(CompressionHeaderEdits.response(algorithm: choice.algorithm, chunked: chunked, etag: head.value(of: "ETag")),
              to: &head)
        if let c = s.http.compressor { c.reset(algorithm: choice.algorithm) }
        else { s.http.compressor = try? ResponseCompressor(algorithm: choice.algorithm) }
        s.http.compressing = s.http.compressor != nil
    }

    /// Takes the body's payload (de-chunked) and sends it compressed, chunked.
    func compressBody(_ s: Stream) -> Bool {
        guard let c = s.http.compressor else { return false }
        // Compressed chunks are built in the engine's reused scratch; a body
        // framed by length or close is compressed straight from the read buffer.
        chunkScratch.removeAll(keepingCapacity: true)
        switch s.http.responseFraming {
        case .contentLength:
            let n = min(s.http.responseRemaining, s.http.fromServer.count)
            c.compress(UnsafeRawBufferPointer(rebasing: s.http.fromServer.readable[0..<n]), into: &chunkScratch)
            s.http.fromServer.consume(n)
            s.http.responseRemaining -= n
            if s.http.responseRemaining == 0 { s.http.responseDone = true }
        case .chunked:
            s.http.plain.removeAll(keepingCapacity: true)
            let step = s.http.fromServer.withReadable { s.http.responseChunks.decode($0, into: &s.http.plain) }
            switch step {
            case .consumed(let n): s.http.fromServer.consume(n)
            case .done(let n): s.http.fromServer.consume(n); s.http.responseDone = true
            case .invalid: return false
            }
            s.http.plain.withUnsafeBytes { c.compress($0, into: &chunkScratch) }
        case .untilClose:
            c.compress(s.http.fromServer.readable, into: &chunkScratch)
            s.http.fromServer.consume(s.http.fromServer.count)
        case .none:
            s.http.responseDone = true
        }
        if s.http.responseDone { c.finish(into: &chunkScratch) }
        s.response.buffer.append(chunkScratch, pool: buffers)
        return true
    }
}
