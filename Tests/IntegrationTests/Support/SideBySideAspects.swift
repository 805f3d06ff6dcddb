/// The comparable summary of one `SideBySideObservation`: a flat map from an
/// aspect ("status", "response.vary", "request.1.target"...) to its value,
/// so two proxies compare as two maps and a mismatch names the aspect.
///
/// Normalisations, each for something that legitimately differs:
/// - header names are matched case-insensitively: HAProxy lower-cases every
///   field name it emits on HTTP/1 (request and response), Fulcrum keeps the
///   spelling it received or was configured with;
/// - only the listed headers are compared (so Date, Server, Content-Length
///   of error pages, etc. are left out unless a test asks), and fields of
///   different names are not ordered; repeated fields of one name keep their
///   order, joined by " | ";
/// - list-valued fields named in `tokenHeaders` (Connection, Vary,
///   Cache-Control) compare as lower-cased token sets;
/// - a gzip-encoded body compares by its inflated text (both use zlib,
///   but level and flush points may differ).
struct SideBySideAspects {
    var responseHeaders: [String] = []
    var requestHeaders: [String] = []
    var tokenHeaders: Set<String> = ["connection", "vary", "cache-control"]
    var compareBody = true
    var compareRequestBody = true
    /// Compares the request's position on its server connection (1 on a
    /// new connection, 2 on a reused one...): server-side keep-alive. Only
    /// meaningful when both proxies start from the same pool state.
    var compareServerSequence = false

    func of(_ observation: SideBySideObservation) throws -> [String: String] {
        var map: [String: String] = [:]
        if let response = observation.response {
            map["status"] = "\(response.status)"
            for name in responseHeaders {
                map["response.\(name.lowercased())"] = join(response.values(name), name)
            }
            if compareBody {
                if response.value("Content-Encoding")?.lowercased() == "gzip" {
                    map["body"] = try Gunzip.text(response.body) ?? "<corrupt gzip: \(response.body.count) bytes>"
                } else {
                    map["body"] = response.bodyText
                }
            }
        } else {
            map["status"] = "none (connection closed)"
        }
        if let closed = observation.closed { map["closed"] = "\(closed)" }
        map["forwarded"] = "\(observation.forwarded.count)"
        for (index, request) in observation.forwarded.enumerated() {
            let key = "request.\(index + 1)"
            map["\(key).server"] = request.backend
            map["\(key).method"] = request.method
            map["\(key).target"] = request.target
            map["\(key).version"] = request.version
            if compareServerSequence { map["\(key).sequence"] = "\(request.sequence)" }
            if compareRequestBody { map["\(key).body"] = String(decoding: request.body, as: UTF8.self) }
            for name in requestHeaders {
                map["\(key).\(name.lowercased())"] = join(request.values(name), name)
            }
        }
        return map
    }

    private func join(_ values: [String], _ name: String) -> String {
        if values.isEmpty { return "<absent>" }
        if tokenHeaders.contains(name.lowercased()) {
            return values.flatMap { $0.split(separator: ",") }
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.sorted().joined(separator: ",")
        }
        return values.joined(separator: " | ")
    }

    /// "aspect: fulcrum=… haproxy=…" for every aspect that differs.
    static func differences(fulcrum: [String: String], haproxy: [String: String]) -> [String] {
        Set(fulcrum.keys).union(haproxy.keys).sorted().compactMap { key in
            let f = fulcrum[key], h = haproxy[key]
            return f == h ? nil
                : "\(key): fulcrum=\((f ?? "<missing>").debugDescription) haproxy=\((h ?? "<missing>").debugDescription)"
        }
    }
}
