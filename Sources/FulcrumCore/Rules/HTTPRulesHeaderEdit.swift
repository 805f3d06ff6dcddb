import FulcrumBytes
import FulcrumHTTP

/// Edits of existing field values (replace-header, replace-value, cookie
/// rewriting). HTTPHead cannot change a value in place, so when any
/// occurrence of the name changes, all occurrences are removed and re-added
/// in their original order: fields of that name keep their relative order
/// (what HTTP gives meaning to) but move after the other fields.
enum HTTPHeaderEdit {
    /// `transform` receives each value; it returns the new value, or nil to
    /// drop that field. Returns true when something changed.
    @discardableResult
    static func rewrite(_ head: inout HTTPHead, name: String, _ transform: (String) -> String?) -> Bool {
        let old = head.values(of: name).map { String(decoding: $0, as: UTF8.self) }
        guard !old.isEmpty else { return false }
        var new: [String] = []
        var changed = false
        for v in old {
            if let t = transform(v) {
                if t != v { changed = true }
                new.append(t)
            } else {
                changed = true
            }
        }
        guard changed else { return false }
        // Keep the name's spelling from the first occurrence.
        let spelling = head.fields.first { !$0.removed && head.fieldNameEquals($0, name) }
            .map { String(decoding: head.raw[$0.name], as: UTF8.self) } ?? name
        head.remove(name)
        for v in new { head.add(spelling, v) }
        return true
    }

    /// HAProxy's exp_replace: the whole value becomes `replacement` with `\N`
    /// replaced by capture group N (`\\` is a backslash).
    static func substitute(_ replacement: String, match: Regex<AnyRegexOutput>.Match) -> String {
        var out = ""
        var it = replacement.makeIterator()
        while let c = it.next() {
            guard c == "\\" else { out.append(c); continue }
            guard let n = it.next() else { out.append(c); break }
            if let d = n.wholeNumberValue, n.isASCII {
                if d < match.output.count, let s = match.output[d].substring { out += s }
            } else if n == "\\" {
                out.append("\\")
            } else {
                out.append(c); out.append(n)
            }
        }
        return out
    }

    /// replace-header: each whole value matching `regex` is replaced.
    static func replaceHeader(_ head: inout HTTPHead, name: String, regex: Regex<AnyRegexOutput>, replacement: String) {
        rewrite(&head, name: name) { v in
            guard let m = try? regex.firstMatch(in: v) else { return v }
            return substitute(replacement, match: m)
        }
    }

    /// replace-value: each comma-separated value is matched on its own; a
    /// replaced value loses the blanks that preceded it (as HAProxy's does).
    static func replaceValue(_ head: inout HTTPHead, name: String, regex: Regex<AnyRegexOutput>, replacement: String) {
        rewrite(&head, name: name) { line in
            let bytes = Array(line.utf8)
            var segments: [String] = []
            var changed = false
            var start = 0, quoted = false, i = 0
            func flush(_ end: Int) {
                let raw = bytes[start..<end]
                let value = raw.trimmingBlanks()
                let text = String(decoding: value, as: UTF8.self)
                if let m = try? regex.firstMatch(in: text) {
                    segments.append(substitute(replacement, match: m)); changed = true
                } else {
                    segments.append(String(decoding: raw, as: UTF8.self))
                }
            }
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { quoted.toggle() } else if c == UInt8(ascii: ","), !quoted { flush(i); start = i + 1 }
                i += 1
            }
            flush(bytes.count)
            return changed ? segments.joined(separator: ",") : line
        }
    }
}
