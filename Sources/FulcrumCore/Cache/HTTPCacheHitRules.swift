import FulcrumHTTP

/// `http-response` rules on an answer the cache gave: as in HAProxy, the
/// cache's response goes through the proxies' response rules like a
/// server's (backend's, then frontend's), `cache-store` excepted. The
/// bytes are parsed into a head, edited, written again before the body;
/// only when such rules exist, so a plain hit pays nothing.
public enum HTTPCacheHitRules {
    public enum Result {
        case bytes([UInt8])
        /// A rule answered instead (deny).
        case respond([UInt8], close: Bool)
    }

    public static func apply(_ ruleSets: [HTTPCompiledRules], to bytes: [UInt8], context: inout HTTPRuleContext) -> Result {
        var head = HTTPHead(kind: .response)
        let limits = HTTPLimits(maxHeadSize: max(bytes.count * 2, 16384), maxFields: 1000, acceptInvalid: true)
        let parsed = bytes.withUnsafeBytes { HTTPParser.parseResponse($0, limits: limits, into: &head) }
        guard case .complete(let length) = parsed else { return .bytes(bytes) }
        context.response = head
        context.cache.fromCache = true
        for rules in ruleSets where rules.hasResponseRules {
            if case .respond(let page, let close) = HTTPRequestProcessing.response(rules, context: &context) {
                return .respond(page, close: close)
            }
        }
        guard let edited = context.response, !edited.isUnmodified else { return .bytes(bytes) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 256)
        edited.serialize(into: &out)
        out.append(contentsOf: bytes[length...])
        return .bytes(out)
    }
}
