/// The parts of a request line the log shows (`%HM`, `%HU`, `%HP`, `%HPO`,
/// `%HQ`, `%HV`), cut as HAProxy 2.6 cuts its stored copy of the line: by
/// spaces and tabs, "<BADREQ>" where the line is missing or has no space,
/// "HTTP/0.9" when the version is missing.
enum LogRequestLine {
    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == ASCIIByte.space || c == ASCIIByte.tab }

    static func part(_ variable: LogVariable, of line: ArraySlice<UInt8>?) -> ArraySlice<UInt8> {
        guard let line else {
            // %HQ of a missing line is "<BADREQ>" too, as is everything else.
            return LogLineFormat.badRequest[...]
        }
        let end = line.endIndex
        var i = line.startIndex
        switch variable {
        case .requestLine:
            return line
        case .httpMethod:
            while i < end, !isBlank(line[i]) { i += 1 }
            return i == end ? LogLineFormat.badRequest[...] : line[line.startIndex..<i]
        case .httpQuery:
            while i < end, line[i] != ASCIIByte.question { i += 1 }
            let start = i
            while i < end, !isBlank(line[i]) { i += 1 }
            return line[start..<i]
        default:
            break
        }
        // Past the method and the blanks after it.
        while i < end, !isBlank(line[i]) { i += 1 }
        var blanks = 0
        while i < end, isBlank(line[i]) { i += 1; blanks += 1 }
        guard blanks > 0 else { return LogLineFormat.badRequest[...] }
        let uriStart = i
        switch variable {
        case .httpURI:
            while i < end, !isBlank(line[i]) { i += 1 }
            return line[uriStart..<i]
        case .httpPath:
            while i < end, line[i] != ASCIIByte.question, !isBlank(line[i]) { i += 1 }
            return line[uriStart..<i]
        case .httpPathOnly:
            while i < end, !isBlank(line[i]) { i += 1 }
            return pathOnly(line[uriStart..<i])
        case .httpVersion:
            while i < end, !isBlank(line[i]) { i += 1 }
            while i < end, isBlank(line[i]) { i += 1 }
            return i == end ? LogLineFormat.http09[...] : line[i..<end]
        default:
            return line
        }
    }

    /// The path of a URI without scheme, authority or query: "/a" of
    /// "http://h/a?q" and of "/a?q"; an authority alone ("h:443") has none.
    static func pathOnly(_ uri: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = uri.startIndex
        let end = uri.endIndex
        if start < end, uri[start] != ASCIIByte.slash, uri[start] != 0x2A {
            // absolute-form: scheme "://" authority, then the path.
            var i = start
            while i < end, uri[i] != ASCIIByte.colon { i += 1 }
            if i + 2 < end, uri[i + 1] == ASCIIByte.slash, uri[i + 2] == ASCIIByte.slash {
                i += 3
                while i < end, uri[i] != ASCIIByte.slash { i += 1 }
                start = i
            } else {
                return uri[end..<end]
            }
        }
        var stop = start
        while stop < end, uri[stop] != ASCIIByte.question { stop += 1 }
        return uri[start..<stop]
    }
}
