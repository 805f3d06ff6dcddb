/// The protocol version an instance speaks: 2 (RFC 3768, seconds and optional simple password)
/// or 3 (RFC 5798, centisecond intervals, no authentication). An instance accepts only its own.
public enum VRRPVersion: UInt8, Sendable {
    case v2 = 2
    case v3 = 3
}
