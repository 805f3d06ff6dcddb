/// The runtime API's certificate commands routed to the store: HAProxy 2.6's
/// `show/new/set/commit/abort/del ssl cert`, `show/add/del ssl crt-list` and
/// `show/set/commit/abort ssl ca-file`.
extension CertificateStore {
    /// The reply for `words` (with the payload of `<<`), or nil when the
    /// command is not one of these. `show ssl cert|ca-file` need the operator
    /// level (below it HAProxy 2.6 answers "Can't allocate memory!"), the
    /// others the admin level.
    public mutating func run(_ words: [String], payload: String?, level: RuntimeLevel) -> Reply? {
        guard words.count >= 3, words[1] == "ssl" else { return nil }
        let verb = words[0], object = words[2]
        let known: Set<String> = ["show cert", "new cert", "set cert", "commit cert", "abort cert", "del cert",
                                  "show crt-list", "add crt-list", "del crt-list",
                                  "show ca-file", "set ca-file", "commit ca-file", "abort ca-file"]
        guard known.contains(verb + " " + object) else { return nil }
        if verb == "show" && object != "crt-list" {
            guard level >= .operator_ else { return Reply("Can't allocate memory!\n") }
        } else if level < .admin {
            return Reply("Permission denied\n")
        }
        let arg = words.count > 3 ? words[3] : nil
        let arg2 = words.count > 4 ? words[4] : nil
        switch (verb, object) {
        case ("show", "cert"): return Reply(showCertificate(arg))
        case ("new", "cert"): return newCertificate(arg)
        case ("set", "cert"): return setCertificate(arg, payload: payload)
        case ("commit", "cert"): return commitCertificate(arg)
        case ("abort", "cert"): return abortCertificate(arg)
        case ("del", "cert"): return deleteCertificate(arg)
        case ("show", "crt-list"):
            let numbered = arg == "-n"
            return Reply(showCrtList(numbered ? arg2 : arg, numbered: numbered))
        case ("add", "crt-list"): return addCrtList(arg, certificate: arg2, payload: payload)
        case ("show", "ca-file"): return Reply(showCAFile(arg))
        case ("set", "ca-file"): return setCAFile(arg, payload: payload)
        case ("commit", "ca-file"): return commitCAFile(arg)
        case ("abort", "ca-file"): return abortCAFile(arg)
        default: return deleteCrtList(arg, entry: arg2)
        }
    }
}
