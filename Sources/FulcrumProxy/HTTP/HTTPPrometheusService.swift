import FulcrumConfig
import FulcrumCore
import FulcrumHTTP

/// `http-request use-service prometheus-exporter`: the scrape is answered by
/// the worker that accepted it, from every worker's counters in the shared
/// table, as HAProxy's promex answers it (chunked, keep-alive as usual).
extension StreamEngine {
    func runService(_ s: Stream, _ service: HTTPRequestService) {
        switch service {
        case .prometheusExporter: servePrometheus(s)
        }
    }

    private func servePrometheus(_ s: Stream) {
        s.http.requestReady = true
        table.frontendCounter(worker: slot, frontend: s.frontend, .intercepted).bump()
        let head = s.http.request
        let target = head.raw[head.part2]
        let query = target.firstIndex(of: UInt8(ascii: "?")).map { target[target.index(after: $0)...] } ?? []
        guard let parsed = PrometheusExporter.Query(query: Substring(decoding: query, as: UTF8.self)),
              let snapshot = services.snapshot?() else {
            s.record.terminate(.proxy, .request)
            respondHTTP(s, status: 400, close: true)
            return
        }
        s.record.terminate(.local, .request)
        let connection = HTTPGeneratedResponse.connection(for: head, mode: frontends[s.frontend].config.http.connectionMode)
        var head200 = PrometheusExporter.responseHead
        // The mux's `connection` field for clients that close (HTTP/1.0, "close").
        if let field = connection.field { head200 = String(head200.dropLast(2)) + "connection: \(field)\r\n\r\n" }
        var bytes = Array(head200.utf8)
        if !head.raw[head.part1].elementsEqual("HEAD".utf8) {
            let body = PrometheusExporter.render(snapshot, query: parsed)
            if !body.isEmpty { bytes += Array((String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n").utf8) }
            bytes += Array("0\r\n\r\n".utf8)
        }
        respondHTTP(s, bytes: bytes, close: connection.close)
    }
}
