import FulcrumBytes
import FulcrumHTTP

/// Edits of existing field values (replace-header, replace-value, cookie
/// rewriting). HTTPHead cannot change a value in place, so when any
/// occurrence of the name changes, all occurrences are removed and re-added
/// in their original order: fields of that name keep their relative order
/// (what HTTP gives meaning to) but move after the other fields. Nothing is
/// allocated unless a value changes.
enum HTTPHeaderEdit {
    /// What becomes of one field value.
    enum Change { case keep, drop, replace([UInt8]) }

    /// `transform` (pure: it is asked twice when something changes) receives
    /// each value of `name`. Returns true when something changed.
    @discardableResult
    static func rewrite(_ head: inout HTTPHead, name: String, _ transform: (ArraySlice<UInt8>) -> Change) -> Bool {
        var changes = false
        for v in head.fieldValues(named: name) {
            if case .keep = transform(v) { continue }
            changes = true
            break
        }
        guard changes else { return false }
        var values: [[UInt8]] = []
        for v in head.fieldValues(named: name) {
            switch transform(v) {
            case .keep: values.append(Array(v))
            case .drop: break
            case .replace(let n): values.append(n)
            }
        }
        // Keep the name's spelling from the first occurrence.
        let spelling = head.fields.first { !$0.removed && head.fieldNameEquals($0, name) }
            .map { Array(head.raw[$0.name]) } ?? Array(name.utf8)
        head.remove(name)
        for v in values { head.add(name: spelling, value: v) }
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

    /// `.replace` only when the bytes differ.
    static func change(_ old: ArraySlice<UInt8>, to new: String) -> Change {
        old.elementsEqual(new.utf8) ? .keep : .replace(Array(new.utf8))
    }

    /// replace-header: each whole value matching `regex` is replaced.
    static func replaceHeader(_ head: inout HTTPHead, name: String, regex: Regex<AnyRegexOutput>, replacement: String) {
        rewrite(&head, name: name) { v in
            // Swift's Regex reads Strings: these two rules copy the values they test.
            guard let m = try? regex.firstMatch(in: String(decoding: v, as: UTF8.self)) else { return .keep }
            return change(v, to: substitute(replacement, match: m))
        }
    }

    /// replace-value: each comma-separated value is matched on its own; a
    /// replaced value loses the blanks that preceded it (as HAProxy's does).
    static func replaceValue(_ head: inout HTTPHead, name: String, regex: Regex<AnyRegexOutput>, replacement: String) {
        rewrite(&head, name: name) { line in
            var segments: [String] = []
            var changed = false
            for raw in ByteFields(line, separator: UInt8(ascii: ","), quotedStrings: true) {
                if let m = try? regex.firstMatch(in: String(decoding: raw.trimmingBlanks(), as: UTF8.self)) {
                    segments.append(substitute(replacement, match: m)); changed = true
                } else {
                    segments.append(String(decoding: raw, as: UTF8.self))
                }
            }
            return changed ? change(line, to: segments.joined(separator: ",")) : .keep
        }
    }
}
