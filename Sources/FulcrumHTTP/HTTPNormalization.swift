/// Edits HAProxy 2.6 makes to an accepted request head before forwarding it
/// (observed on the server side), so that Fulcrum's server sees the same:
/// - Transfer-Encoding with Content-Length: every Content-Length is dropped
///   (RFC 9112 §6.3: chunked wins);
/// - duplicate Content-Length fields (all equal, or the parser refused them):
///   only the first is kept, and a list value ("5, 5") becomes the number;
///   a single value is forwarded as received ("005" stays);
/// - duplicate Host fields (equal ignoring case): only the first is kept.
public enum HTTPNormalization {
    public static func apply(_ head: inout HTTPHead) {
        guard case .success(let l) = HTTPFraming.lengthFields(head) else { return }
        var seenCL = false, seenHost = false
        var rewriteCL = false
        for i in head.fields.indices where !head.fields[i].removed {
            let f = head.fields[i]
            if HTTPBytes.equalsLowercase(head.raw, f.name, "content-length") {
                if l.transferEncoding || seenCL {
                    head.fields[i].removed = true
                } else {
                    seenCL = true
                    if head.raw[f.value].contains(0x2C) {
                        head.fields[i].removed = true
                        rewriteCL = true
                    }
                }
            } else if HTTPBytes.equalsLowercase(head.raw, f.name, "host") {
                if seenHost { head.fields[i].removed = true }
                seenHost = true
            }
        }
        if rewriteCL, let n = l.contentLength { head.add("content-length", String(n)) }
    }
}
