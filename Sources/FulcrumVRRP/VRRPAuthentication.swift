/// VRRPv2 authentication as keepalived 2.2.7 serves it: type 0 (none), type 1 (simple password,
/// 8 bytes carried in clear after the address list) and type 2 (IPsec AH: an Authentication
/// Header between the IP header and the VRRP message, `VRRPAuthenticationHeader`, keyed with
/// the same 8 password bytes; the message's own 8 authentication bytes stay zero).
public enum VRRPAuthentication: Equatable, Sendable {
    case none
    case password(VRRPPassword)
    case ipsecAH(VRRPPassword)

    /// The Auth Type byte of a v2 advertisement.
    public var typeCode: UInt8 {
        switch self {
        case .none: return 0
        case .password: return 1
        case .ipsecAH: return 2
        }
    }
}

/// The 8 bytes of a simple-password advertisement. keepalived truncates a longer auth_pass to
/// 8 characters and zero-pads a shorter one, so "secret123" and "secret12" are the same password.
public struct VRRPPassword: Equatable, Sendable {
    public static let length = 8

    /// Always exactly 8 bytes.
    public let bytes: [UInt8]

    public init(_ text: String) { self.init(bytes: Array(text.utf8)) }

    public init(bytes source: [UInt8]) {
        var padded = [UInt8](repeating: 0, count: VRRPPassword.length)
        for index in 0..<min(source.count, VRRPPassword.length) { padded[index] = source[index] }
        bytes = padded
    }
}
