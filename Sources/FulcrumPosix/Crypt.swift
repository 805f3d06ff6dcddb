import CFulcrum
import Glibc

/// crypt(3) for userlist passwords (`password HASH`). libcrypt is not
/// thread-safe, which is fine: every Fulcrum process is single-threaded.
public enum Crypt {
    public static func hash(_ key: String, salt: String) -> String? {
        guard let p = cf_crypt(key, salt) else { return nil }
        let s = String(cString: p)
        return s.hasPrefix("*") ? nil : s
    }
}
