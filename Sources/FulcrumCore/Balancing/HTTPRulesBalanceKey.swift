import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// Hash keys of `balance uri`, `balance url_param` and `balance hdr(name)`,
/// computed over the same bytes as HAProxy's get_server_uh / get_server_ph /
/// get_server_hh. nil: no key (HAProxy then falls back to round robin).
public enum HTTPBalanceKey {
    public static func key(_ source: BalanceProperties.RequestKey, hashType: HashType, head: HTTPHead) -> UInt32? {
        guard let bytes = keyBytes(source, head: head) else { return nil }
        return bytes.withUnsafeBytes { LBHash.hash($0, function: hashType.function, avalanche: hashType.avalanche) }
    }

    /// The hashed bytes: exposed for tests and diagnostics.
    public static func keyBytes(_ source: BalanceProperties.RequestKey, head: HTTPHead) -> ArraySlice<UInt8>? {
        switch source {
        case .uri(let whole, let length, let depth):
            // The whole request target; `len` caps it, `depth` stops at the
            // depth+1-th slash, and without `whole` at the "?".
            var uri = head.target
            if length > 0 && uri.count > length { uri = uri.prefix(length) }
            var slashes = 0
            var end = uri.startIndex
            while end < uri.endIndex {
                let c = uri[end]
                if c == UInt8(ascii: "/") {
                    slashes += 1
                    if depth > 0 && slashes == depth + 1 { break }
                } else if c == UInt8(ascii: "?") && !whole {
                    break
                }
                end += 1
            }
            return uri[uri.startIndex..<end]
        case .urlParam(let name):
            // First "name=" in the query; the value runs to the next "&".
            let t = head.target
            guard let q = t.firstIndex(of: UInt8(ascii: "?")) else { return nil }
            let n = name.utf8 // a view of the configured name: nothing allocated per request
            var p = q + 1
            while t.endIndex - p > n.count {
                if t[p + n.count] == UInt8(ascii: "="), t[p..<(p + n.count)].elementsEqual(n) {
                    let start = p + n.count + 1
                    let end = t[start...].firstIndex(of: UInt8(ascii: "&")) ?? t.endIndex
                    return t[start..<end]
                }
                guard let amp = t[p...].firstIndex(of: UInt8(ascii: "&")) else { return nil }
                p = amp + 1
            }
            return nil
        case .header(let name):
            // The first comma-separated value of the first occurrence.
            for line in head.fieldValues(named: name) { return line.listElements().first { _ in true } }
            return nil
        }
    }
}
