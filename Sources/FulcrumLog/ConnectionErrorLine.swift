/// The line HAProxy 2.6 logs for a connection that failed before it became
/// a stream (session_kill_embryonic: a bad PROXY header, a failed TLS
/// handshake): `CLIENT:PORT [ACCEPT_DATE] FRONTEND/LISTENER: MESSAGE`, the
/// listener being the bind's `name` or its number. Written into a reused
/// buffer, without the C library.
public enum ConnectionErrorLine {
    /// - client: the connection's own peer (a unix client: "unix" and the listener's id).
    /// - listener: the bind's name, else its id as text.
    public static func render(client: LogEndpoint, acceptDateMicros: Int64, utcOffsetSeconds: Int,
                              frontend: [UInt8], listener: [UInt8], message: String, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        switch client {
        case .none:
            out.append(contentsOf: Self.unknown)
        case .unix(let id):
            out.append(contentsOf: LogLineFormat.unixText)
            out.append(ASCIIByte.colon)
            LogNumber.appendDecimal(Int64(id), to: &out)
            out.append(ASCIIByte.space)
            out.append(ASCIIByte.openBracket)
        case .ip(let address, let port):
            address.withText { out.append(contentsOf: $0) }
            out.append(ASCIIByte.colon)
            LogNumber.appendDecimal(Int64(port), to: &out)
            out.append(ASCIIByte.space)
            out.append(ASCIIByte.openBracket)
        }
        var dates = LogDateCache()
        LogDate.appendWithMilliseconds(micros: acceptDateMicros, utcOffset: utcOffsetSeconds, dates: &dates, to: &out)
        out.append(ASCIIByte.closeBracket)
        out.append(ASCIIByte.space)
        out.append(contentsOf: frontend)
        out.append(ASCIIByte.slash)
        out.append(contentsOf: listener)
        out.append(ASCIIByte.colon)
        out.append(ASCIIByte.space)
        out.append(contentsOf: message.utf8)
    }

    static let unknown: [UInt8] = Array("unknown [".utf8)
}
