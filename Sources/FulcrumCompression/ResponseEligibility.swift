import FulcrumBytes

/// Why a response is sent as is although the request negotiated an algorithm.
public enum CompressionRefusal: String, Equatable, Sendable {
    case notHTTP11 = "HTTP version below 1.1"
    case headRequest = "HEAD request"
    case status = "status not 200, 201, 202 or 203"
    case noTransferLength = "neither Content-Length nor chunked"
    case emptyBody = "Content-Length: 0"
    case alreadyEncoded = "Content-Encoding present"
    case noTransform = "Cache-Control: no-transform"
    case invalidETag = "invalid ETag"
    case multipleETags = "several ETag fields"
    case multipart = "multipart content type"
    case typeNotListed = "content type not in compression type"
}

extension CompressionNegotiation {
    /// Whether a response may be compressed, HAProxy 2.6's select_compression_response_header.
    /// Header arguments are the raw field values as received:
    /// - `contentEncoding`: the first Content-Encoding value, nil only when the field is
    ///   absent (any value, even "identity", means already encoded);
    /// - `cacheControl`: every Cache-Control value (refused when an element is no-transform);
    /// - `contentType`: the first Content-Type value;
    /// - `contentLength`: nil when absent; `chunked`: Transfer-Encoding ends in chunked
    ///   (a response with neither has no transfer length and is never compressed);
    /// - `types`: `compression type` list; empty means any type; otherwise a case-insensitive
    ///   prefix of the Content-Type value must match, and a missing Content-Type refuses;
    /// - `etags`: every ETag value (refused when malformed or more than one);
    /// - versions: both request and response must be HTTP/1.1 or later.
    public static func responseEligible(status: Int, contentEncoding: String?, cacheControl: [String],
                                        contentType: String?, contentLength: Int?, types: [String],
                                        requestMethod: String, chunked: Bool, etags: [String],
                                        requestIsHTTP11: Bool, responseIsHTTP11: Bool) -> Bool {
        responseRefusal(status: status, contentEncoding: contentEncoding, cacheControl: cacheControl,
                        contentType: contentType, contentLength: contentLength, types: types,
                        requestMethod: requestMethod, chunked: chunked, etags: etags,
                        requestIsHTTP11: requestIsHTTP11, responseIsHTTP11: responseIsHTTP11) == nil
    }

    /// The first rule (in HAProxy's order) that keeps the response uncompressed, or nil.
    public static func responseRefusal(status: Int, contentEncoding: String?, cacheControl: [String],
                                       contentType: String?, contentLength: Int?, types: [String],
                                       requestMethod: String, chunked: Bool, etags: [String],
                                       requestIsHTTP11: Bool, responseIsHTTP11: Bool) -> CompressionRefusal? {
        if !requestIsHTTP11 || !responseIsHTTP11 { return .notHTTP11 }
        // HTTP methods are case-sensitive; HAProxy only recognises "HEAD".
        if requestMethod == "HEAD" { return .headRequest }
        if !(200...203).contains(status) { return .status }
        if !chunked {
            guard let length = contentLength else { return .noTransferLength }
            if length == 0 { return .emptyBody }
        }
        if contentEncoding != nil { return .alreadyEncoded }
        for value in cacheControl {
            if Array(value.utf8)[...].listElements().contains(where: { ASCII.equalsIgnoringCase($0, "no-transform".utf8) }) {
                return .noTransform
            }
        }
        if let first = etags.first, ETag.kind(first) == .invalid { return .invalidETag }
        if etags.count > 1 { return .multipleETags }
        if let type = contentType {
            if ASCII.hasPrefixIgnoringCase(type.utf8, "multipart".utf8) { return .multipart }
            if !types.isEmpty, !types.contains(where: { ASCII.hasPrefixIgnoringCase(type.utf8, $0.utf8) }) {
                return .typeNotListed
            }
        } else if !types.isEmpty {
            return .typeNotListed
        }
        return nil
    }
}

/// HAProxy's http_get_etag_type, used both to refuse malformed ETags and to weaken strong ones.
enum ETag {
    enum Kind { case strong, weak, invalid }
    static func kind(_ value: String) -> Kind {
        let v = Array(value.utf8)
        guard v.count >= 2, v[v.count - 1] == UInt8(ascii: "\"") else { return .invalid }
        if v[0] == UInt8(ascii: "\"") { return .strong }
        if v.count >= 3, v[0..<3].elementsEqual("W/\"".utf8) { return .weak }
        return .invalid
    }
}
