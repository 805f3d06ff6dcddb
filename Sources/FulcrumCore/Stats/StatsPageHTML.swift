import FulcrumConfig

/// HAProxy 2.6's HTML statistics page rendered from a snapshot: the process
/// header (unless `stats hide-version`), then one table per proxy with the
/// same column groups, rows and state classes. Cells are read from the
/// `show stat` rows by field name, so a counter added to the rows shows up
/// here without a change.
struct StatsPageHTML {
    let snapshot: RuntimeSnapshot
    let page: StatsPage
    let request: StatsPageRequest
    /// The request may change servers (a `stats admin` rule matched).
    let admin: Bool
    /// What the h2 and `show-node` name: the node (global `node`, else the host name).
    let node: String
    /// The global `description`, for `show-desc` without text.
    let globalDescription: String?

    func render() -> String {
        var out = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"\n\"http://www.w3.org/TR/html4/loose.dtd\">\n"
        out += "<html><head><title>Statistics Report for \(Self.escape(snapshot.info.name)) on \(Self.escape(node))</title>\n"
        out += "<link rel=\"icon\" href=\"data:,\">\n<meta http-equiv=\"content-type\" content=\"text/html; charset=iso-8859-1\">\n"
        out += "<style type=\"text/css\"><!--\n" + StatsPageStyle.css + "-->\n</style></head>\n<body>"
        header(&out)
        if let status = request.status, status != .ok {
            out += "<p><div class=\(status.cssClass)><a class=lfsb href=\"\(Self.escape(page.uri))\" title=\"Remove this message\">[X]</a> \(status.message)</div>\n"
        }
        out += "<p>\n"
        let rows = RuntimeStatRows.rows(snapshot, filter: nil, visibility: request.visibility)
        for proxy in snapshot.proxies {
            proxyTables(proxy, rows.filter { $0.iid == proxy.iid }, &out)
        }
        out += "</body></html>\n"
        return out
    }

    // MARK: header

    private func header(_ out: inout String) {
        let info = snapshot.info
        if !page.hideVersion {
            out += "<h1><a href=\"http://www.haproxy.org/\" style=\"text-decoration: none;\">\(Self.escape(info.name)) version \(Self.escape(info.version)), released \(Self.escape(info.releaseDate))</a></h1>\n"
            out += "<h2>Statistics Report for pid \(snapshot.pid)\(page.node != nil ? " on " + Self.escape(nodeName) : "")</h2>\n"
        } else {
            out += "<h1><a href=\"http://www.haproxy.org/\" style=\"text-decoration: none;\">\(Self.escape(info.name))</a></h1>\n"
            out += "<h2>Statistics Report\(page.node != nil ? " for " + Self.escape(nodeName) : "")</h2>\n"
        }
        out += "<hr width=\"100%\" class=\"hr\">\n<h3>&gt; General process information</h3>\n"
        out += "<table border=0><tr><td align=\"left\" nowrap width=\"1%\">\n<p>"
        if !page.hideVersion {
            out += "<b>pid = </b> \(snapshot.pid) (process #\(snapshot.processNumber), nbproc = 1, nbthread = \(info.threads))<br>\n"
            out += "<b>uptime = </b> \(RuntimeFormat.infoUptime(info.uptimeSeconds))<br>\n"
            out += "<b>system limits:</b> memmax = unlimited; ulimit-n = \(info.ulimitN)<br>\n"
            out += "<b>maxsock = </b> \(info.maxsock); <b>maxconn = </b> \(info.maxconn); <b>maxpipes = </b> \(info.maxpipes)<br>\n"
            out += "current conns = \(info.currentConnections); current pipes = \(info.pipesUsed)/\(info.pipesUsed + info.pipesFree); conn rate = \(info.connectionRate)/sec<br>\n"
        }
        if page.node != nil { out += "<b>node = </b> \(Self.escape(nodeName))<br>\n" }
        if let d = page.description, !(d.isEmpty && globalDescription == nil) {
            out += "<b>description = </b> \(Self.escape(d.isEmpty ? globalDescription ?? "" : d))<br>\n"
        }
        out += "</td><td align=\"center\" nowrap>\n" + StatsPageStyle.legend
        out += "</td><td align=\"left\" valign=\"top\" nowrap width=\"1%\"><b>Display option:</b><ul style=\"margin-top: 0.25em;\">"
        out += "<li><form method=\"GET\">Scope : <input value=\"\(Self.escape(request.scope ?? ""))\" name=\"scope\" size=\"8\" maxlength=\"20\" tabindex=\"1\"/></form>\n"
        let uri = Self.escape(page.uri)
        out += request.hideDown ? "<li><a href=\"\(uri)\">Show all servers</a><br>\n" : "<li><a href=\"\(uri);up\">Hide 'DOWN' servers</a><br>\n"
        if page.refreshSeconds > 0 {
            out += request.noRefresh ? "<li><a href=\"\(uri)\">Enable refresh</a><br>\n" : "<li><a href=\"\(uri);norefresh\">Disable refresh</a><br>\n"
        }
        out += "<li><a href=\"\(uri)\">Refresh now</a><br>\n"
        out += "<li><a href=\"\(uri);csv;norefresh\">CSV export</a><br>\n"
        out += "<li><a href=\"\(uri);json;norefresh\">JSON export</a><br>\n"
        out += "</ul></td></tr></table>\n"
    }

    private var nodeName: String { page.node.flatMap { $0.isEmpty ? nil : $0 } ?? node }

    // MARK: proxies

    private func proxyTables(_ proxy: RuntimeSnapshot.Proxy, _ rows: [RuntimeStatRows.Row], _ out: inout String) {
        let name = Self.escape(proxy.name)
        let form = admin && proxy.backend != nil
        if form { out += "<form method=\"post\">" }
        out += "<table class=\"tbl\" width=\"100%\">\n<tr class=\"titre\"><th class=\"pxname\" width=\"10%\"><a name=\"\(name)\"></a>"
        if page.showLegends {
            let cap = [proxy.frontend != nil ? "frontend" : nil, proxy.backend != nil ? "backend" : nil].compactMap { $0 }.joined(separator: ", ")
            out += "<u><a class=px href=\"#\(name)\">\(name)</a><div class=tips>cap: \(cap), mode: \(proxy.mode), id: \(proxy.iid)</div></u>"
        } else {
            out += "<a class=px href=\"#\(name)\">\(name)</a>"
        }
        out += "</th><th class=\"empty\" width=\"90%\"></th></tr>\n</table>\n<table class=\"tbl\" width=\"100%\">\n"
        out += StatsPageStyle.columnHeads(admin: form, proxy: name, modules: page.showModules) + "\n"
        for row in rows {
            let cells = Cells(row: row)
            switch row.kind {
            case .frontend: frontendRow(cells, name, &out)
            case .listener: listenerRow(cells, name, &out)
            case .server: serverRow(cells, name, form: form, &out)
            case .backend: backendRow(cells, name, &out)
            }
        }
        out += "</table>"
        if form {
            out += StatsPageStyle.actions
            out += "<input type=\"hidden\" name=\"b\" value=\"#\(proxy.iid)\">&nbsp;<input type=\"submit\" value=\"Apply\"></form>"
        }
        out += "<p>\n"
    }

    private func nameCell(_ proxy: String, _ label: String, tips: String?) -> String {
        let anchor = "<a name=\"\(proxy)/\(label)\"></a><a class=lfsb href=\"#\(proxy)/\(label)\">\(label)</a>"
        if let tips, page.showLegends { return "<td class=ac><u>" + anchor + "<div class=tips>\(tips)</div></u></td>" }
        return "<td class=ac>" + anchor + "</td>"
    }

    private func frontendRow(_ c: Cells, _ proxy: String, _ out: inout String) {
        out += "<tr class=\"frontend\"><td></td>" + nameCell(proxy, "Frontend", tips: nil) + "<td colspan=3></td>"
        out += td(c.number("rate")) + td(c.number("rate_max")) + td(c.limit("rate_lim"))
        out += td(c.number("scur")) + td(c.number("smax")) + td(c.limit("slim")) + td(c.number("stot")) + "<td></td><td></td>"
        out += td(c.number("bin")) + td(c.number("bout")) + td(c.number("dreq")) + td(c.number("dresp"))
        out += td(c.number("ereq")) + "<td></td><td></td><td></td><td></td>"
        out += "<td class=ac>\(Self.escape(c.text("status") ?? ""))</td><td class=ac colspan=8></td>" + modulesCell(c) + "</tr>\n"
    }

    /// A listener (`option socket-stats`): HAProxy's "socket" row, no rates.
    private func listenerRow(_ c: Cells, _ proxy: String, _ out: inout String) {
        let label = Self.escape(c.text("svname") ?? "")
        out += "<tr class=socket><td></td>" + nameCell(proxy, label, tips: c.text("addr").map(Self.escape))
        out += "<td colspan=3></td><td colspan=3></td>"
        out += td(c.number("scur")) + td(c.number("smax")) + td(c.limit("slim")) + td(c.number("stot")) + "<td></td><td></td>"
        out += td(c.number("bin")) + td(c.number("bout")) + td(c.number("dreq")) + td(c.number("dresp"))
        out += td(c.number("ereq")) + "<td></td><td></td><td></td><td></td>"
        out += "<td class=ac>\(Self.escape(c.text("status") ?? ""))</td><td class=ac colspan=8></td>" + modulesCell(c) + "</tr>\n"
    }

    private func serverRow(_ c: Cells, _ proxy: String, form: Bool, _ out: inout String) {
        let status = c.text("status") ?? ""
        let backup = (c.int("bck") ?? 0) > 0
        let svname = Self.escape(c.text("svname") ?? "")
        out += "<tr class=\"\(Self.rowClass(status: status, backup: backup))\">"
        out += form ? "<td><input class='\(proxy)-checkbox' type=\"checkbox\" name=\"s\" value=\"\(svname)\"></td>" : "<td></td>"
        out += nameCell(proxy, svname, tips: "\(c.text("addr").map(Self.escape) ?? ""), id: \(c.int("sid") ?? 0)")
        out += td(c.number("qcur")) + td(c.number("qmax")) + td(c.limit("qlimit"))
        out += td(c.number("rate")) + td(c.number("rate_max")) + "<td></td>"
        out += td(c.number("scur")) + td(c.number("smax")) + td(c.limit("slim")) + td(c.number("stot")) + td(c.number("lbtot"))
        out += td(Self.age(c.int("lastsess")))
        out += td(c.number("bin")) + td(c.number("bout")) + "<td></td>" + td(c.number("dresp"))
        out += "<td></td>" + td(c.number("econ")) + td(c.number("eresp")) + td(c.number("wretr")) + td(c.number("wredis"))
        let since = Self.duration(c.int("lastchg") ?? 0)
        out += "<td class=ac>" + (status == "no check" ? "no check" : "\(since) \(Self.escape(status))") + "</td>"
        if let check = c.text("check_status") {
            var last = " \(Self.escape(check))"
            if let code = c.int("check_code") { last += "/\(code)" }
            if let d = c.int("check_duration") { last += " in \(d)ms" }
            out += "<td class=ac><u>\(last)<div class=tips>\(Self.escape(c.text("check_desc") ?? ""))</div></u></td>"
        } else {
            out += "<td></td>"
        }
        out += "<td class=ac>\(c.int("weight") ?? 0)/\(c.int("uweight") ?? 0)</td>"
        out += "<td class=ac>\(backup ? "-" : "Y")</td><td class=ac>\(backup ? "Y" : "-")</td>"
        if c.text("check_status") != nil {
            out += "<td><u>\(c.number("chkfail"))<div class=tips>Failed Health Checks</div></u></td>"
            out += td(c.number("chkdown")) + td(Self.duration(c.int("downtime") ?? 0))
        } else {
            out += "<td colspan=3></td>"
        }
        out += "<td class=ac>-</td>" + modulesCell(c) + "</tr>\n"
    }

    private func backendRow(_ c: Cells, _ proxy: String, _ out: inout String) {
        out += "<tr class=\"backend\"><td></td>" + nameCell(proxy, "Backend", tips: "balancing: \(Self.escape(c.text("algo") ?? ""))")
        out += td(c.number("qcur")) + td(c.number("qmax")) + "<td></td>"
        out += td(c.number("rate")) + td(c.number("rate_max")) + "<td></td>"
        out += td(c.number("scur")) + td(c.number("smax")) + td(c.limit("slim")) + td(c.number("stot")) + td(c.number("lbtot"))
        out += td(Self.age(c.int("lastsess")))
        out += td(c.number("bin")) + td(c.number("bout")) + td(c.number("dreq")) + td(c.number("dresp"))
        out += "<td></td>" + td(c.number("econ")) + td(c.number("eresp")) + td(c.number("wretr")) + td(c.number("wredis"))
        out += "<td class=ac>\(Self.duration(c.int("lastchg") ?? 0)) \(Self.escape(c.text("status") ?? ""))</td><td class=ac>&nbsp;</td>"
        out += "<td class=ac>\(c.int("weight") ?? 0)/\(c.int("uweight") ?? 0)</td>"
        out += "<td class=ac>\(c.int("act") ?? 0)</td><td class=ac>\(c.int("bck") ?? 0)</td><td class=ac>&nbsp;</td>"
        out += td(c.number("chkdown")) + td(c.int("downtime").map(Self.duration) ?? "&nbsp;") + "<td></td>" + modulesCell(c) + "</tr>\n"
    }

    private func td(_ s: String) -> String { "<td>\(s)</td>" }

    /// HAProxy's row class: active_/backup_ and the state, or `maintain`.
    static func rowClass(status: String, backup: Bool) -> String {
        if status.hasPrefix("MAINT") { return "maintain" }
        let state: String
        if status == "DOWN" || status == "DOWN (agent)" { state = "down" }
        else if status.hasPrefix("DOWN ") { state = "going_up" }
        else if status.hasPrefix("DRAIN") { state = "draining" }
        else if status.hasPrefix("NOLB ") || status.hasPrefix("UP ") { state = "going_down" }
        else if status == "NOLB" { state = "nolb" }
        else if status == "no check" { state = "no_check" }
        else { state = "up" }
        return (backup ? "backup_" : "active_") + state
    }

    // MARK: values

    /// The cells of one `show stat` row, by field name.
    /// `stats show-modules`: the row's module fields (ssl, h2, h1) in a tooltip.
    private func modulesCell(_ c: Cells) -> String {
        guard page.showModules else { return "" }
        let fields = RuntimeStatFields.all[RuntimeStatFields.standardCount...].compactMap { f -> String? in
            guard let v = c.value(f.name) else { return nil }
            switch v {
            case .int(let n): return "\(f.name): \(n)"
            case .string(let t): return "\(f.name): \(Self.escape(t))"
            }
        }
        guard !fields.isEmpty else { return "<td></td>" }
        return "<td class=ac><u>*<div class=tips>" + fields.joined(separator: "<br>") + "</div></u></td>"
    }

    struct Cells {
        let row: RuntimeStatRows.Row
        func value(_ name: String) -> RuntimeStatValue? {
            guard let i = RuntimeStatFields.index[name] else { return nil }
            return row.values[i]
        }
        func int(_ name: String) -> Int? { if case .int(let n)? = value(name) { return n } else { return nil } }
        func text(_ name: String) -> String? { if case .string(let t)? = value(name) { return t } else { return nil } }
        /// A counter as the page writes it (thousands spaced); empty when the row has none.
        func number(_ name: String) -> String { int(name).map(StatsPageHTML.grouped) ?? "" }
        /// A limit: "-" when there is none.
        func limit(_ name: String) -> String { int(name).flatMap { $0 > 0 ? StatsPageHTML.grouped($0) : nil } ?? "-" }
    }

    /// HAProxy's U2H: thousands groups set apart with `rls` spans.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        guard digits.count > 3 else { return (n < 0 ? "-" : "") + digits }
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (n < 0 ? "-" : "") + groups.dropLast().map { "<span class=\"rls\">\($0)</span>" }.joined() + groups.last!
    }

    /// HAProxy's human_time(): the two largest units, "3s", "1m05s", "2h10m", "3d4h".
    static func duration(_ seconds: Int) -> String {
        let s = max(0, seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(pad(s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(pad(s % 3600 / 60))m" }
        return "\(s / 86400)d\(pad(s % 86400 / 3600))h"
    }

    /// `lastsess`: "?" when there was never one.
    static func age(_ seconds: Int?) -> String {
        guard let seconds else { return "" }
        return seconds < 0 ? "?" : duration(seconds)
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
