/// The built-in Prometheus exporter (`http-request use-service
/// prometheus-exporter`), rendering what HAProxy 2.6's promex service
/// renders: the same metric names, `# HELP`/`# TYPE` lines, labels and value
/// rules, from the same data as `show info` and `show stat`. Values are read
/// from the stats rows by field name, so a counter the snapshot starts to
/// carry shows up here without a change; a field the row leaves empty prints
/// `NaN`, as promex prints an empty field.
///
/// Listener metrics come from listener rows (`option socket-stats`);
/// stick-table metrics need stick tables, which do not exist yet, so that
/// scope prints nothing.
public enum PrometheusExporter {
    /// The response head promex sends (the body is chunked).
    public static let responseHead =
        "HTTP/1.1 200 OK\r\ncache-control: no-cache\r\ncontent-type: text/plain; version=0.0.4\r\ntransfer-encoding: chunked\r\n\r\n"

    /// The whole scrape body for `query`.
    public static func render(_ snapshot: RuntimeSnapshot, query: Query) -> String {
        var out = PrometheusText()
        if query.scopes.contains(.global) { renderGlobal(snapshot, into: &out) }
        let wantsProxies = !query.scopes.isDisjoint(with: [.frontend, .listener, .backend, .server])
        if wantsProxies {
            let proxies = PrometheusProxyRows.build(snapshot)
            if query.scopes.contains(.frontend) { renderStats(.frontend, proxies, query, into: &out) }
            if query.scopes.contains(.listener) { renderStats(.listener, proxies, query, into: &out) }
            if query.scopes.contains(.backend) { renderStats(.backend, proxies, query, into: &out) }
            if query.scopes.contains(.server) { renderStats(.server, proxies, query, into: &out) }
        }
        return out.text
    }

    static func renderGlobal(_ s: RuntimeSnapshot, into out: inout PrometheusText) {
        var info: [String: RuntimeStatValue] = [:]
        for field in RuntimeFormat.infoFields(s) { info[field.name] = field.value }
        for metric in PrometheusMetrics.global {
            out.header(name: "haproxy_process_", metric.name, help: metric.help, type: metric.type)
            out.name("haproxy_process_", metric.name)
            if metric.infoField.isEmpty {
                out.labels([("version", s.info.version)])
                out.value(1)
            } else {
                out.value(info[metric.infoField])
            }
        }
    }

    /// One object section (frontend, backend or server): every metric in
    /// field order, each over every object, its header before its first line.
    static func renderStats(_ object: PrometheusMetrics.Object, _ proxies: [PrometheusProxyRows],
                            _ query: Query, into out: inout PrometheusText) {
        for metric in PrometheusMetrics.stats where metric.objects.contains(object) {
            // promex prints the http_responses_total header with the 1xx code only.
            var headerPending = !metric.field.hasPrefix("hrsp_") || metric.field == "hrsp_1xx"
            let emit = { (out: inout PrometheusText, labels: [(String, String)], value: PrometheusValue) in
                if headerPending {
                    out.header(name: object.prefix, metric.name, help: metric.help, type: metric.type)
                    headerPending = false
                }
                out.name(object.prefix, metric.name)
                out.labels(labels)
                out.value(value)
            }
            for proxy in proxies {
                switch object {
                case .frontend:
                    guard let row = proxy.frontend else { continue }
                    PrometheusValueRules.frontend(metric, proxy, row) { emit(&out, $0, $1) }
                case .backend:
                    guard let row = proxy.backend else { continue }
                    PrometheusValueRules.backend(metric, proxy, row) { emit(&out, $0, $1) }
                case .server:
                    guard proxy.backend != nil else { continue }
                    for (server, row) in proxy.servers {
                        if query.noMaintenance && server.admin.inMaintenance { continue }
                        // A rule that skips the proxy for this field (tcp mode) skips its servers.
                        if !PrometheusValueRules.server(metric, proxy, server, row, { emit(&out, $0, $1) }) { break }
                    }
                case .listener:
                    for (listener, row) in proxy.listeners {
                        PrometheusValueRules.listener(metric, proxy, listener, row) { emit(&out, $0, $1) }
                    }
                }
            }
        }
    }
}

/// One proxy's stats rows, built once per scrape.
struct PrometheusProxyRows {
    let proxy: RuntimeSnapshot.Proxy
    let frontend: RuntimeStatRows.Row?
    let backend: RuntimeStatRows.Row?
    let servers: [(RuntimeSnapshot.Server, RuntimeStatRows.Row)]
    let members: [RuntimeSnapshot.Server]
    /// `option socket-stats` listeners.
    let listeners: [(RuntimeSnapshot.Listener, RuntimeStatRows.Row)]

    var isHTTP: Bool { proxy.mode == "http" }

    static func build(_ s: RuntimeSnapshot) -> [PrometheusProxyRows] {
        s.proxies.map { proxy in
            let members = proxy.backend == nil ? [] : s.servers(of: proxy.name)
            return PrometheusProxyRows(
                proxy: proxy,
                frontend: proxy.frontend.map { RuntimeStatRows.frontendRow(proxy, $0, s) },
                backend: proxy.backend.map { RuntimeStatRows.backendRow(proxy, $0, members, s, visibility: .all) },
                servers: members.map { ($0, RuntimeStatRows.serverRow(proxy, $0, s)) },
                members: members,
                listeners: proxy.frontend.map { fe in fe.listeners.map { ($0, RuntimeStatRows.listenerRow(proxy, fe, $0, s)) } } ?? [])
        }
    }
}
