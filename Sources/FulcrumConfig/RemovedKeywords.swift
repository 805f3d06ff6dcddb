/// Keywords HAProxy removed, with the message HAProxy 2.6 gives for each, so
/// that an old configuration is told what to write instead, not just that
/// the keyword is unknown.
enum RemovedKeywords {
    /// Proxy-section keywords.
    static let proxy: [String: String] = {
        var table: [String: String] = [
            "contimeout": "the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.",
            "clitimeout": "the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'.",
            "srvtimeout": "the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'.",
            "redispatch": "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.",
            "block": "The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.",
            "appsession": "'appsession' is not supported anymore since HAProxy 1.6.",
            "grace": "the 'grace' keyword is not supported any more since HAProxy version 2.5.",
        ]
        // The regex rewriting family (req*/rsp*), each pointing at its http-request/http-response successor.
        let rewrites: [(String, String?)] = [
            ("reqadd", "http-request add-header"), ("rspadd", "http-response add-header"),
            ("reqrep", "http-request replace-path', 'http-request replace-uri' or 'http-request replace-header"),
            ("reqirep", "http-request replace-header"),
            ("reqdel", "http-request del-header"), ("reqidel", "http-request del-header"),
            ("reqdeny", "http-request deny"), ("reqideny", "http-request deny"),
            ("reqpass", nil), ("reqipass", nil),
            ("reqallow", "http-request allow"), ("reqiallow", "http-request allow"),
            ("reqtarpit", "http-request tarpit"), ("reqitarpit", "http-request tarpit"),
            ("rsprep", "http-response replace-header"), ("rspirep", "http-response replace-header"),
            ("rspdel", "http-response del-header"), ("rspidel", "http-response del-header"),
            ("rspdeny", "http-response deny"), ("rspideny", "http-response deny"),
        ]
        for (keyword, successor) in rewrites {
            table[keyword] = "The '\(keyword)' directive is not supported anymore since HAProxy 2.1."
                + (successor.map { " Use '\($0)' instead." } ?? "")
        }
        return table
    }()

    /// `option` names.
    static let options: [String: String] = [
        "forceclose": "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed.",
        "http-tunnel": "option 'http-tunnel' is not supported any more since HAProxy 2.1, please just remove it, it shouldn't be needed.",
    ]

    /// Global keywords.
    static let global: [String: String] = [
        "nbproc": "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.",
    ]
}
