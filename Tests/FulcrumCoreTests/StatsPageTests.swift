import XCTest
import FulcrumConfig
@testable import FulcrumCore

final class StatsPageTests: XCTestCase {
    private func snapshot() -> RuntimeSnapshot {
        var fe = RuntimeSnapshot.Proxy(name: "web", iid: 1, frontend: RuntimeSnapshot.Frontend())
        fe.mode = "http"
        let be = RuntimeSnapshot.Proxy(name: "app", iid: 2, backend: RuntimeSnapshot.Backend())
        var up = RuntimeSnapshot.Server(name: "s1", backendName: "app", iid: 2, sid: 1, address: "10.0.0.1", port: 80)
        up.check = RuntimeSnapshot.Check(); up.health = 4; up.check?.status = .layer4OK
        var maint = RuntimeSnapshot.Server(name: "s2", backendName: "app", iid: 2, sid: 2, address: "10.0.0.2", port: 80)
        maint.admin = .forcedMaintenance; maint.operational = .down
        var backup = RuntimeSnapshot.Server(name: "s3", backendName: "app", iid: 2, sid: 3, address: "10.0.0.3", port: 80)
        backup.backup = true
        backup.counters.sessionsTotal = 1234567
        return RuntimeSnapshot(proxies: [fe, be], servers: [up, maint, backup], pid: 42)
    }

    func testRowsCarryHAProxysStateClasses() {
        let html = StatsPageHTML(snapshot: snapshot(), page: StatsPage(location: .init(file: "t", line: 1)),
                                 request: StatsPageRequest(), admin: false, node: "n", globalDescription: nil).render()
        XCTAssertTrue(html.contains("<tr class=\"active_up\">"))
        XCTAssertTrue(html.contains("<tr class=\"maintain\">"))
        XCTAssertTrue(html.contains("<tr class=\"backup_no_check\">"))
        XCTAssertTrue(html.contains("<td><span class=\"rls\">1</span><span class=\"rls\">234</span>567</td>"))
        XCTAssertTrue(html.contains("<th colspan=3>Queue</th><th colspan=3>Session rate</th><th colspan=6>Sessions</th>"))
        XCTAssertFalse(html.contains("<form method=\"post\">"), "no admin form without stats admin")
        XCTAssertEqual(StatsPageHTML.rowClass(status: "UP 1/3", backup: false), "active_going_down")
        XCTAssertEqual(StatsPageHTML.rowClass(status: "DOWN 1/2", backup: true), "backup_going_up")
        XCTAssertEqual(StatsPageHTML.rowClass(status: "DRAIN", backup: false), "active_draining")
        XCTAssertEqual(StatsPageHTML.rowClass(status: "NOLB", backup: false), "active_nolb")
    }

    /// `stats show-modules`: a last column with each row's module fields (ssl, h2, h1).
    func testShowModulesAddsTheModulesColumn() {
        var page = StatsPage(location: .init(file: "t", line: 1))
        let plain = StatsPageHTML(snapshot: snapshot(), page: page, request: StatsPageRequest(), admin: false, node: "n",
                                  globalDescription: nil).render()
        XCTAssertFalse(plain.contains("Extra modules"))
        XCTAssertFalse(plain.contains("ssl_sess: 0"))
        page.showModules = true
        let html = StatsPageHTML(snapshot: snapshot(), page: page, request: StatsPageRequest(), admin: false, node: "n",
                                 globalDescription: nil).render()
        XCTAssertTrue(html.contains("<th rowspan=2>Extra modules</th>"))
        XCTAssertTrue(html.contains("<div class=tips>ssl_sess: 0<br>ssl_reused_sess: 0<br>ssl_failed_handshake: 0"))
        XCTAssertTrue(html.contains("h1_open_connections: 0"), "the frontend's h1 fields")
    }

    func testAdminFormAndHiddenServers() {
        var request = StatsPageRequest(tail: ";up;st=DONE")
        XCTAssertEqual(request.status, .done)
        XCTAssertEqual(request.visibility, .upOnly)
        request.hideDown = false
        let html = StatsPageHTML(snapshot: snapshot(), page: StatsPage(location: .init(file: "t", line: 1)),
                                 request: request, admin: true, node: "n", globalDescription: nil).render()
        XCTAssertTrue(html.contains("<form method=\"post\">"))
        XCTAssertTrue(html.contains("<input type=\"hidden\" name=\"b\" value=\"#2\">"))
        XCTAssertTrue(html.contains("Action processed successfully."))
    }

    func testCSVAndJSONAreShowStat() {
        let s = snapshot()
        var page = StatsPage(location: .init(file: "t", line: 1))
        let csv = String(decoding: StatsPageAnswer.page(s, page: page, request: StatsPageRequest(tail: ";csv"), admin: false,
                                                       proxyName: "x", node: "n", globalDescription: nil, connection: nil, bodyless: false), as: UTF8.self)
        XCTAssertTrue(csv.hasSuffix("\r\n\r\n" + RuntimeFormat.showStat(s, format: .csv)))
        let json = String(decoding: StatsPageAnswer.page(s, page: page, request: StatsPageRequest(tail: ";json"), admin: false,
                                                        proxyName: "x", node: "n", globalDescription: nil, connection: nil, bodyless: false), as: UTF8.self)
        XCTAssertTrue(json.contains("content-type: application/json\r\n"))
        XCTAssertTrue(json.hasSuffix(RuntimeFormat.showStat(s, format: .json)))
        page.scopes = ["app"]
        let scoped = StatsPageAnswer.scoped(s, page: page, request: StatsPageRequest(), proxyName: "x")
        XCTAssertEqual(scoped.proxies.map(\.name), ["app"])
        XCTAssertEqual(StatsPageAnswer.scoped(s, page: StatsPage(location: .init(file: "t", line: 1)),
                                              request: StatsPageRequest(tail: ";scope=WE"), proxyName: "x").proxies.map(\.name), ["web"])
    }

    func testPostedFormBecomesServerChanges() {
        let s = snapshot()
        let form = StatsPageAdminForm(body: Array("s=s1&s=s3&action=maint&b=%232".utf8))
        let (changes, status) = form.changes(in: s)
        XCTAssertEqual(status, .done)
        XCTAssertEqual(changes.map(\.server), ["s1", "s3"])
        XCTAssertTrue(changes.allSatisfy { $0.admin.inMaintenance })
        XCTAssertEqual(StatsPageAdminForm(body: Array("s=s1&s=zz&action=ready&b=app".utf8)).changes(in: s).status, .partial)
        XCTAssertEqual(StatsPageAdminForm(body: Array("s=zz&action=maint&b=%232".utf8)).changes(in: s).status, .invalidParameters)
        XCTAssertEqual(StatsPageAdminForm(body: Array("action=maint&b=%232".utf8)).changes(in: s).status, .none)
        XCTAssertEqual(StatsPageAdminForm(body: Array("s=s1&action=bogus&b=%232".utf8)).changes(in: s).status, .invalidParameters)
        // Health actions need a check.
        XCTAssertEqual(StatsPageAdminForm(body: Array("s=s3&action=dhlth&b=%232".utf8)).changes(in: s).status, .invalidParameters)
        let redirect = String(decoding: StatsPageAnswer.redirect(page: StatsPage(location: .init(file: "t", line: 1)), status: .done, connection: nil), as: UTF8.self)
        XCTAssertTrue(redirect.hasPrefix("HTTP/1.1 303 See Other\r\n"))
        XCTAssertTrue(redirect.contains("location: /haproxy?stats;st=DONE\r\n"))
    }
}
