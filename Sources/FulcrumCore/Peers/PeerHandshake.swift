/// The peers protocol's opening (peers.c): the connecting side sends
///
///     HAProxyS 2.1\n<remote peer name>\n<local peer name> <pid> <relative pid>\n
///
/// and the accepting side answers one status line: 200 (accepted), 300
/// (try again later), 501 (protocol error), 502 (bad version), 503 (not
/// my name), 504 (unknown peer).
public enum PeerHandshake {
    public static let protocolName = "HAProxyS"
    public static let majorVersion = 2
    public static let minorVersion = 1

    public enum Status: Int, Sendable, Error {
        case connecting = 100, connected = 110, success = 200, tryAgain = 300
        case protocolError = 501, badVersion = 502, badHost = 503, unknownPeer = 504

        /// `show peers`' last_status word.
        public var word: String {
            switch self {
            case .connecting: return "CONN"
            case .connected: return "HSHK"
            case .success: return "ESTA"
            case .tryAgain: return "RETR"
            case .protocolError: return "PROT"
            case .badVersion: return "VERS"
            case .badHost: return "NAME"
            case .unknownPeer: return "UNKN"
            }
        }
    }

    /// The connecting side's hello to peer `remote`.
    public static func hello(remote: String, local: String, pid: Int32) -> [UInt8] {
        Array("\(protocolName) \(majorVersion).\(minorVersion)\n\(remote)\n\(local) \(pid) 1\n".utf8)
    }

    public static func status(_ s: Status) -> [UInt8] { Array("\(s.rawValue)\n".utf8) }

    /// One line at the start of `bytes` (ending in LF, an optional CR
    /// before it dropped): its text and the bytes it took; nil when no LF
    /// came yet. Lines longer than `limit` are an error (`.failure`).
    public static func line(_ bytes: ArraySlice<UInt8>, limit: Int = 1024) -> Result<(String, Int), Status>? {
        guard let lf = bytes.firstIndex(of: 0x0A) else {
            return bytes.count > limit ? .failure(.protocolError) : nil
        }
        var stop = lf
        if stop > bytes.startIndex && bytes[stop - 1] == 0x0D { stop -= 1 }
        return .success((String(decoding: bytes[bytes.startIndex..<stop], as: UTF8.self), lf - bytes.startIndex + 1))
    }

    /// What the accepting side decides from the three hello lines.
    public enum Verdict: Equatable, Sendable {
        case accepted(peer: String)
        case refused(Status)
    }

    /// HAProxy's checks, in its order: protocol name, version, our name,
    /// then a known peer.
    public static func judge(version: String, host: String, peerLine: String, localName: String,
                             knownPeers: [String]) -> Verdict {
        let prefix = protocolName + " "
        guard version.hasPrefix(prefix) else { return .refused(.protocolError) }
        let v = version.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard v.count == 2, let major = Int(v[0]), let minor = Int(v[1]), v[0].allSatisfy(\.isNumber), v[1].allSatisfy(\.isNumber),
              major == majorVersion, minor <= minorVersion else { return .refused(.badVersion) }
        guard host == localName else { return .refused(.badHost) }
        guard let space = peerLine.firstIndex(of: " ") else { return .refused(.protocolError) }
        let name = String(peerLine[..<space])
        guard knownPeers.contains(name) else { return .refused(.unknownPeer) }
        return .accepted(peer: name)
    }
}
