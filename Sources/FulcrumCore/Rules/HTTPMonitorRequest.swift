import FulcrumConfig
import FulcrumHTTP

/// `monitor-uri` / `monitor fail` as HAProxy 2.6's http_wait_for_request()
/// applies them, before any http-request rule: a request for the monitor URI
/// is answered by the proxy (200, or 503 when a `monitor fail` condition
/// holds) with the proxy's page for that status, never reaches a backend,
/// counts as intercepted and is not logged.
public enum HTTPMonitorRequest {
    /// HAProxy compares a monitor URI starting with "/" with the request's
    /// path (query included; the part after the authority of an absolute
    /// URI), else with the whole URI; bytes compared exactly.
    public static func matches(_ monitorURI: [UInt8], target: ArraySlice<UInt8>) -> Bool {
        if monitorURI.first == UInt8(ascii: "/"), path(of: target).elementsEqual(monitorURI) { return true }
        return target.elementsEqual(monitorURI)
    }

    /// http_parse_path(): an origin-form target is all path; an absolute one
    /// has its path from the first "/" after "scheme://authority" (empty
    /// when there is none); anything else has no path.
    static func path(of target: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let first = target.first else { return target }
        if first == UInt8(ascii: "/") { return target }
        let slash = UInt8(ascii: "/")
        var i = target.startIndex
        while i + 2 < target.endIndex {
            if target[i] == UInt8(ascii: ":") && target[i + 1] == slash && target[i + 2] == slash {
                let authority = i + 3
                let pathStart = target[authority...].firstIndex(of: slash) ?? target.endIndex
                return target[pathStart...]
            }
            i += 1
        }
        return target[target.endIndex...]
    }

    /// The answer to a request for the monitor URI of `rules`' proxy, or nil
    /// when it has none or this request is not for it.
    public static func answer(_ rules: HTTPCompiledRules, context: HTTPRuleContext) -> (bytes: [UInt8], close: Bool)? {
        guard let uri = rules.monitorURI, matches(uri, target: context.request.target) else { return nil }
        let failing = rules.monitorFail.contains { HTTPConditions.evaluate($0, acls: rules.acls, context: context) }
        var page = rules.page(failing ? 503 : 200, request: context.request)
        if context.request.method.elementsEqual("HEAD".utf8) { page.bytes = headOnly(page.bytes) }
        return page
    }

    /// A HEAD request gets the head of the answer (its content-length kept).
    static func headOnly(_ bytes: [UInt8]) -> [UInt8] {
        var i = 0
        while i + 4 <= bytes.count {
            if bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 { return Array(bytes[..<(i + 4)]) }
            i += 1
        }
        return bytes
    }
}
