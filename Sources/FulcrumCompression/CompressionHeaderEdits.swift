import FulcrumBytes

/// One change to an HTTP head, in terms any head representation can apply.
public enum HeaderEdit: Equatable, Sendable {
    /// Remove every field with this name.
    case remove(name: String)
    /// Append a new field (even if one with the same name exists: HAProxy adds a
    /// second Vary line rather than merging).
    case add(name: String, value: String)
    /// Replace every field with this name by a single one (HAProxy rewrites the value in place).
    case set(name: String, value: String)
}

/// The head changes HAProxy 2.6 makes around compression (flt_http_comp.c).
public enum CompressionHeaderEdits {
    /// Request side. `compression offload` removes every Accept-Encoding field so the
    /// server sends plain content, but only when Accept-Encoding itself selected the
    /// algorithm (not for the implicit identity fallback, not when nothing was chosen).
    public static func request(choice: CompressionChoice?, offload: Bool) -> [HeaderEdit] {
        guard offload, let choice, choice.fromAcceptEncoding else { return [] }
        return [.remove(name: "Accept-Encoding")]
    }

    /// Response side, for a response `responseEligible` accepted. In the order haproxy
    /// 2.6.12 emits them: Content-Length goes (the body length changes), Transfer-Encoding:
    /// chunked is added unless already chunked, a strong ETag becomes weak (the bytes
    /// differ, the semantics do not), Vary: Accept-Encoding is added, then Content-Encoding
    /// (none for identity, which still re-chunks the body).
    /// - Parameter etag: the response's ETag value, nil when absent.
    public static func response(algorithm: CompressionAlgorithm, chunked: Bool, etag: String?) -> [HeaderEdit] {
        var edits: [HeaderEdit] = [.remove(name: "Content-Length")]
        if !chunked { edits.append(.add(name: "Transfer-Encoding", value: "chunked")) }
        if let etag, let weak = weakETag(etag) { edits.append(.set(name: "ETag", value: weak)) }
        edits.append(.add(name: "Vary", value: "Accept-Encoding"))
        if let coding = algorithm.contentEncoding { edits.append(.add(name: "Content-Encoding", value: coding)) }
        return edits
    }

    /// `W/"x"` for a strong `"x"`; nil when the ETag is already weak (or not strong).
    public static func weakETag(_ etag: String) -> String? {
        etag.utf8.first == UInt8(ascii: "\"") ? "W/" + etag : nil
    }

    /// Applies edits to a plain field list (reference semantics for other head types;
    /// names compare case-insensitively, `set` keeps the first field's position).
    public static func apply(_ edits: [HeaderEdit], to fields: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var out = fields
        for edit in edits {
            switch edit {
            case .remove(let name):
                out.removeAll { ASCII.equalsIgnoringCase($0.name.utf8, name.utf8) }
            case .add(let name, let value):
                out.append((name, value))
            case .set(let name, let value):
                if let i = out.firstIndex(where: { ASCII.equalsIgnoringCase($0.name.utf8, name.utf8) }) {
                    out[i].value = value
                    var j = out.count - 1
                    while j > i {
                        if ASCII.equalsIgnoringCase(out[j].name.utf8, name.utf8) { out.remove(at: j) }
                        j -= 1
                    }
                } else {
                    out.append((name, value))
                }
            }
        }
        return out
    }
}
