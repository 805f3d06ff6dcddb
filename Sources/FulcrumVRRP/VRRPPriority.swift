/// The priority an instance advertises. keepalived adds the weights of its tracked objects to
/// the configured priority and clamps the total to 1...254; the address owner (255) keeps 255
/// whatever it tracks.
public enum VRRPPriority {
    public static let owner: UInt8 = 255
    /// Sent by a master that stops being master (shutdown, fault).
    public static let stop: UInt8 = 0

    @inlinable
    public static func effective(base: UInt8, adjustment: Int) -> UInt8 {
        if base == owner { return owner }
        let total = Int(base) + adjustment
        return UInt8(min(max(total, 1), Int(owner) - 1))
    }
}
