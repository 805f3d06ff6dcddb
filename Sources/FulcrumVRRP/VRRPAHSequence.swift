/// keepalived's `ipsecah_counter` for `auth_type AH`: ONE sequence number per instance, used
/// both to send and to check what arrives, so the routers of a VRID keep it in step. Each advert
/// sent carries the counter plus one; an authenticated advert is accepted only if its number is
/// greater than the counter, which then takes that number. It starts at 0 (a restarted router
/// starts again at 1, and is accepted by peers only once its numbers pass what they saw; a
/// peer's adverts bring it up to date at once).
///
/// Past 0xFFFFFFFD keepalived stops counting and marks the counter cycled; becoming MASTER
/// then starts it again from 0 (at one advert a second that is 136 years away).
public struct VRRPAHSequence: Equatable, Sendable {
    public private(set) var number: UInt32
    public private(set) var cycled = false

    public init(number: UInt32 = 0) { self.number = number }

    /// The number the next advert carries.
    public mutating func next() -> UInt32 {
        if number > 0xFFFF_FFFD { cycled = true } else { number += 1 }
        return number
    }

    /// Accepts a received (authenticated) number if it is newer, as vrrp_in_chk_ipsecah does.
    public mutating func accept(_ received: UInt32) -> Bool {
        guard received > number else { return false }
        number = received
        return true
    }

    /// On becoming MASTER: a cycled counter starts again.
    public mutating func resetIfCycled() {
        if cycled {
            cycled = false
            number = 0
        }
    }
}
