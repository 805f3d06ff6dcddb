import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// HTTP Basic authentication against a `userlist`: `Authorization: Basic
/// base64(user:password)`; `insecure-password` compared as is, `password`
/// through crypt(3) (a callback: FulcrumCore does no system calls).
public enum HTTPBasicAuth {
    /// The user and password the request carries, if any.
    public static func credentials(_ head: HTTPHead) -> (user: String, password: String)? {
        guard let value = head.value(of: "authorization") else { return nil }
        let v = value.drop { $0 == " " }
        guard v.count > 6, v.prefix(6).lowercased() == "basic " else { return nil }
        guard let decoded = base64Decode(v.dropFirst(6).trimmingBlanks()) else { return nil }
        guard let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return (String(decoding: decoded[..<colon], as: UTF8.self), String(decoding: decoded[(colon + 1)...], as: UTF8.self))
    }

    /// The authenticated user, or nil (no/invalid credentials, unknown user, wrong password).
    public static func authenticate(_ head: HTTPHead, userlist: Userlist,
                                    crypt: (String, String) -> String?) -> UserlistUser? {
        guard let (name, password) = credentials(head) else { return nil }
        return check(user: name, password: password, userlist: userlist, crypt: crypt)
    }

    public static func check(user name: String, password: String, userlist: Userlist,
                             crypt: (String, String) -> String?) -> UserlistUser? {
        guard let user = userlist.users.first(where: { $0.name == name }) else { return nil }
        if user.insecure { return user.password == password ? user : nil }
        guard let hashed = crypt(password, user.password), !user.password.isEmpty else { return nil }
        return hashed == user.password ? user : nil
    }

    /// Groups of a user: its own `groups` plus the `group G users ...` lines.
    public static func groups(of user: UserlistUser, in list: Userlist) -> [String] {
        var out = user.groups
        for (g, members) in list.groups.sorted(by: { $0.key < $1.key }) where members.contains(user.name) && !out.contains(g) {
            out.append(g)
        }
        return out
    }

    /// Standard base64 (padding optional); nil on any invalid character.
    public static func base64Decode<S: StringProtocol>(_ s: S) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0, bits = 0
        for c in s.utf8 {
            let v: UInt32
            switch c {
            case 65...90: v = UInt32(c - 65)
            case 97...122: v = UInt32(c - 71)
            case 48...57: v = UInt32(c + 4)
            case 43: v = 62
            case 47: v = 63
            case 61: continue
            default: return nil
            }
            acc = (acc << 6) | v; bits += 6
            if bits >= 8 { bits -= 8; out.append(UInt8((acc >> UInt32(bits)) & 0xff)) }
        }
        return out
    }
}
