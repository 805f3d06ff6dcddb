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
        guard let decoded = Base64.decode(v.dropFirst(6).trimmingBlanks()) else { return nil }
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
        // ConstantTime: how far a guess matched does not show in the answer's time.
        if user.insecure { return ConstantTime.equal(password.utf8, user.password.utf8) ? user : nil }
        guard let hashed = crypt(password, user.password), !user.password.isEmpty else { return nil }
        return ConstantTime.equal(hashed.utf8, user.password.utf8) ? user : nil
    }

    /// Groups of a user: its own `groups` plus the `group G users ...` lines.
    public static func groups(of user: UserlistUser, in list: Userlist) -> [String] {
        var out = user.groups
        for (g, members) in list.groups.sorted(by: { $0.key < $1.key }) where members.contains(user.name) && !out.contains(g) {
            out.append(g)
        }
        return out
    }
}
