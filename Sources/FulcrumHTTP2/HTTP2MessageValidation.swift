import FulcrumBytes

/// Why a decoded field section is a malformed HTTP/2 message (RFC 9113
/// §8.1.1): the stream is reset with PROTOCOL_ERROR, the connection goes on.
public enum HTTP2MessageError: Error, Equatable, Sendable {
    /// A name with a byte §8.2.1 forbids (controls, space, uppercase, 0x7F
    /// and above, a colon past the first byte), or an empty name.
    case invalidFieldName(field: Int)
    /// A value with NUL, CR or LF, or starting or ending with SP or HTAB (§8.2.1).
    case invalidFieldValue(field: Int)
    /// connection, proxy-connection, keep-alive, transfer-encoding or
    /// upgrade, or a TE other than "trailers" (§8.2.2).
    case connectionSpecificField(field: Int)
    /// A pseudo-header after a regular field (§8.3).
    case pseudoHeaderAfterRegularField(field: Int)
    /// A pseudo-header this message kind does not define, or one in trailers (§8.3).
    case undefinedPseudoHeader(field: Int)
    case duplicatePseudoHeader(field: Int)
    /// :method, :scheme or :path missing (§8.3.1), :authority for CONNECT
    /// (§8.5), :status for a response (§8.3.2).
    case missingPseudoHeader
    /// CONNECT with :scheme or :path (§8.5).
    case connectWithSchemeOrPath
    /// An empty :path for http or https (§8.3.1).
    case emptyPath
    /// A Host that names another authority than :authority (§8.3.1).
    case hostDiffersFromAuthority
    /// A :status that is not three digits.
    case invalidStatus

    /// The stream error a malformed message becomes (§8.1.1).
    public var http2ErrorCode: HTTP2ErrorCode { .protocolError }
}

/// A request's pseudo-header fields, as ranges into its list's bytes.
public struct HTTP2RequestPseudoHeaders: Equatable, Sendable {
    public var method: Range<Int>
    public var scheme: Range<Int>?
    public var authority: Range<Int>?
    public var path: Range<Int>?
}

/// The checks RFC 9113 §8 makes of a decoded field section before it is an
/// HTTP message, over the list's bytes without copying them. What they
/// refuse, an HTTP/1.1 parser would have refused too or could be misled by
/// once the fields are forwarded (a CR or LF in a value, a
/// Transfer-Encoding next to HTTP/2's own framing).
public enum HTTP2MessageValidation {
    /// A request's header section; its pseudo-header fields.
    public static func request(_ list: HPACKHeaderList) -> Result<HTTP2RequestPseudoHeaders, HTTP2MessageError> {
        var method: Range<Int>?, scheme: Range<Int>?, authority: Range<Int>?, path: Range<Int>?, host: Range<Int>?
        var regularSeen = false
        let bytes = list.bytes
        // Index loops over concrete types (see HTTP2FieldBytes): every request runs this.
        var i = 0
        while i < list.fields.count {
            defer { i += 1 }
            if let error = checkField(list, i) { return .failure(error) }
            let field = list.fields[i]
            guard bytes[field.name.lowerBound] == colon else {
                regularSeen = true
                if HTTP2FieldBytes.equals(bytes, field.name, "host") { host = field.value }
                continue
            }
            guard !regularSeen else { return .failure(.pseudoHeaderAfterRegularField(field: i)) }
            let fresh: Bool
            if HTTP2FieldBytes.equals(bytes, field.name, ":method") {
                fresh = fill(&method, field.value)
            } else if HTTP2FieldBytes.equals(bytes, field.name, ":scheme") {
                fresh = fill(&scheme, field.value)
            } else if HTTP2FieldBytes.equals(bytes, field.name, ":authority") {
                fresh = fill(&authority, field.value)
            } else if HTTP2FieldBytes.equals(bytes, field.name, ":path") {
                fresh = fill(&path, field.value)
            } else {
                return .failure(.undefinedPseudoHeader(field: i))
            }
            guard fresh else { return .failure(.duplicatePseudoHeader(field: i)) }
        }
        guard let method else { return .failure(.missingPseudoHeader) }
        if HTTP2FieldBytes.equals(bytes, method, "CONNECT") {
            guard authority != nil else { return .failure(.missingPseudoHeader) }
            guard scheme == nil && path == nil else { return .failure(.connectWithSchemeOrPath) }
        } else {
            guard let scheme, let path else { return .failure(.missingPseudoHeader) }
            if path.isEmpty && (HTTP2FieldBytes.equals(bytes, scheme, "http") || HTTP2FieldBytes.equals(bytes, scheme, "https")) {
                return .failure(.emptyPath)
            }
        }
        if let host, let authority, !HTTP2FieldBytes.equalsIgnoringCase(bytes, host, authority) {
            return .failure(.hostDiffersFromAuthority)
        }
        return .success(HTTP2RequestPseudoHeaders(method: method, scheme: scheme, authority: authority, path: path))
    }

    /// Sets a pseudo-header's slot; false when it was set already.
    private static func fill(_ slot: inout Range<Int>?, _ value: Range<Int>) -> Bool {
        guard slot == nil else { return false }
        slot = value
        return true
    }

    /// A response's header section; the range of its :status.
    public static func response(_ list: HPACKHeaderList) -> Result<Range<Int>, HTTP2MessageError> {
        var status: Range<Int>?
        var regularSeen = false
        for (i, field) in list.fields.enumerated() {
            if let error = checkField(list, i) { return .failure(error) }
            let name = list.bytes[field.name]
            guard name.first == colon else {
                regularSeen = true
                continue
            }
            guard !regularSeen else { return .failure(.pseudoHeaderAfterRegularField(field: i)) }
            guard name.elementsEqual(":status".utf8) else { return .failure(.undefinedPseudoHeader(field: i)) }
            guard status == nil else { return .failure(.duplicatePseudoHeader(field: i)) }
            status = field.value
        }
        guard let status else { return .failure(.missingPseudoHeader) }
        let digits = list.bytes[status]
        guard digits.count == 3, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return .failure(.invalidStatus) }
        return .success(status)
    }

    /// A trailer section: regular fields only (§8.1, §8.3).
    public static func trailers(_ list: HPACKHeaderList) -> HTTP2MessageError? {
        for i in 0..<list.count {
            if let error = checkField(list, i) { return error }
            if list.bytes[list.fields[i].name].first == colon { return .undefinedPseudoHeader(field: i) }
        }
        return nil
    }

    private static let colon: UInt8 = 0x3A

    /// The name and value rules every field obeys (§8.2.1, §8.2.2).
    static func checkField(_ list: HPACKHeaderList, _ i: Int) -> HTTP2MessageError? {
        let field = list.fields[i]
        let bytes = list.bytes
        let name = field.name, value = field.value
        guard !name.isEmpty else { return .invalidFieldName(field: i) }
        let first = bytes[name.lowerBound]
        var k = name.lowerBound
        while k < name.upperBound {
            let b = bytes[k]
            if b <= 0x20 || (b >= 0x41 && b <= 0x5A) || b >= 0x7F || (b == colon && k != name.lowerBound) { return .invalidFieldName(field: i) }
            k += 1
        }
        if first == colon && name.count == 1 { return .invalidFieldName(field: i) }
        k = value.lowerBound
        while k < value.upperBound {
            let b = bytes[k]
            if b == 0x00 || b == 0x0A || b == 0x0D { return .invalidFieldValue(field: i) }
            k += 1
        }
        if !value.isEmpty {
            let f = bytes[value.lowerBound], l = bytes[value.upperBound - 1]
            if f == 0x20 || f == 0x09 || l == 0x20 || l == 0x09 { return .invalidFieldValue(field: i) }
        }
        if first != colon {
            switch name.count {
            case 2 where HTTP2FieldBytes.equals(bytes, name, "te"):
                if !HTTP2FieldBytes.equals(bytes, value, "trailers") { return .connectionSpecificField(field: i) }
            case 7 where HTTP2FieldBytes.equals(bytes, name, "upgrade"),
                 10 where HTTP2FieldBytes.equals(bytes, name, "connection") || HTTP2FieldBytes.equals(bytes, name, "keep-alive"),
                 16 where HTTP2FieldBytes.equals(bytes, name, "proxy-connection"),
                 17 where HTTP2FieldBytes.equals(bytes, name, "transfer-encoding"):
                return .connectionSpecificField(field: i)
            default: break
            }
        }
        return nil
    }
}
