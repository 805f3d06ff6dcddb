import FulcrumConfig

/// The complete HTTP answers of the statistics page: the page itself (HTML,
/// `;csv` exactly as `show stat`, `;json` as `show stat json`) and the 303
/// redirect that follows an admin form, with HAProxy 2.6's header fields.
public enum StatsPageAnswer {
    /// The page for a GET or HEAD (`bodyless`: the fields only).
    /// - node: the global `node`, else the host name.
    public static func page(_ snapshot: RuntimeSnapshot, page: StatsPage, request: StatsPageRequest, admin: Bool,
                            proxyName: String, node: String, globalDescription: String?,
                            connection: String?, bodyless: Bool) -> [UInt8] {
        let shown = scoped(snapshot, page: page, request: request, proxyName: proxyName)
        let body: String
        let contentType: String
        switch request.format {
        case .csv:
            contentType = "text/plain"
            body = RuntimeFormat.showStat(shown, format: .csv, visibility: request.visibility)
        case .json:
            contentType = "application/json"
            body = RuntimeFormat.showStat(shown, format: .json, visibility: request.visibility)
        case .html:
            contentType = "text/html"
            body = StatsPageHTML(snapshot: shown, page: page, request: request, admin: admin, node: node,
                                 globalDescription: globalDescription).render()
        }
        var head = "HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: \(contentType)\r\n"
        if page.refreshSeconds > 0 && !request.noRefresh { head += "refresh: \(page.refreshSeconds)\r\n" }
        head += "content-length: \(body.utf8.count)\r\n"
        if let connection { head += "connection: \(connection)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (bodyless ? [] : Array(body.utf8))
    }

    /// After a POST: `303 See Other` to `<stats uri>;st=CODE`.
    public static func redirect(page: StatsPage, status: StatsPageStatus, connection: String?) -> [UInt8] {
        var head = "HTTP/1.1 303 See Other\r\ncache-control: no-cache\r\ncontent-type: text/plain\r\ncontent-length: 0\r\n"
        head += "location: \(page.uri);st=\(status.rawValue)\r\n"
        if let connection { head += "connection: \(connection)\r\n" }
        return Array((head + "\r\n").utf8)
    }

    /// The proxies the page shows: those `stats scope` names ("." is the
    /// serving proxy; all without scope), whose names contain the search
    /// box's text (case-insensitive).
    static func scoped(_ s: RuntimeSnapshot, page: StatsPage, request: StatsPageRequest, proxyName: String) -> RuntimeSnapshot {
        let allowed = Set(page.scopes.map { $0 == "." ? proxyName : $0 })
        var out = s
        out.proxies = s.proxies.filter { p in
            (allowed.isEmpty || allowed.contains(p.name))
                && (request.scope.map { p.name.lowercased().contains($0.lowercased()) } ?? true)
        }
        let names = Set(out.proxies.map(\.name))
        out.servers = s.servers.filter { names.contains($0.backendName) }
        return out
    }
}
