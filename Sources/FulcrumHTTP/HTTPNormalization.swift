import FulcrumBytes

/// Edits HAProxy 2.6 makes to an accepted head before forwarding it
/// (observed on the receiving side), so that the next hop sees the same.
///
/// Request (`apply`):
/// - Transfer-Encoding with Content-Length (only under
///   accept-invalid-http-request: Fulcrum refuses it otherwise): every
///   Content-Length is dropped (RFC 9112 §6.3: chunked wins);
/// - duplicate Content-Length fields (all equal, or the parser refused them):
///   only the first is kept, and a list value ("5, 5") becomes the number;
///   a single value is forwarded as received ("005" stays);
/// - duplicate Host fields (equal ignoring case): only the first is kept.
///
/// Response (`applyToResponse`): every Content-Length beside a
/// Transfer-Encoding is dropped, so the client frames the body by chunked
/// as Fulcrum does.
public enum HTTPNormalization {
    public static func apply(_ head: inout HTTPHead) {
        guard case .success(let l) = HTTPFraming.lengthFields(head) else { return }
        var seenCL = false, seenHost = false
        var rewriteCL = false
        for i in head.fields.indices where !head.fields[i].removed {
            let f = head.fields[i]
            if ASCII.equalsLowercase(head.raw, f.name, "content-length") {
                if l.transferEncoding || seenCL {
                    head.fields[i].removed = true
                } else {
                    seenCL = true
                    if head.raw[f.value].contains(0x2C) {
                        head.fields[i].removed = true
                        rewriteCL = true
                    }
                }
            } else if ASCII.equalsLowercase(head.raw, f.name, "host") {
                if seenHost { head.fields[i].removed = true }
                seenHost = true
            }
        }
        if rewriteCL, let n = l.contentLength { head.add("content-length", String(n)) }
    }

    /// Drops every Content-Length of a response that also has a
    /// Transfer-Encoding. Returns true when it did: the server framed its
    /// response two ways, so its connection must not carry another request
    /// (see `HTTPPersistence`). One pass over the names; nothing is written
    /// (nor allocated) unless both fields are there.
    @discardableResult
    public static func applyToResponse(_ head: inout HTTPHead) -> Bool {
        var transferEncoding = false, contentLength = false
        for f in head.fields where !f.removed {
            if ASCII.equalsLowercase(head.raw, f.name, "transfer-encoding") { transferEncoding = true }
            else if ASCII.equalsLowercase(head.raw, f.name, "content-length") { contentLength = true }
        }
        guard transferEncoding && contentLength else { return false }
        for i in head.fields.indices where !head.fields[i].removed
            && ASCII.equalsLowercase(head.raw, head.fields[i].name, "content-length") {
            head.fields[i].removed = true
        }
        return true
    }
}
