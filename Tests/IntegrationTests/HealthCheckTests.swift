import Glibc
import XCTest

/// Health checks through the real binary: the checker process marks servers
/// DOWN and UP (TCP, HTTP and tcp-check probes, timeouts, rise and fall),
/// workers stop and resume sending traffic accordingly, `observe layer4`
/// acts on live traffic, slowstart ramps a returning server, and the state
/// lives in the shared table so a respawned checker carries on.
final class HealthCheckTests: XCTestCase {
    // MARK: rise and fall

    /// fall 3 at inter 200 ms: a refusing server is DOWN after three failed
    /// checks (0.4 to 0.8 s after it stops, plus scheduling slack), then gets
    /// no traffic; once it listens again, two passed checks (rise 2) bring it
    /// back and it shares the traffic again.
    func testStoppedServerGoesDownAfterFallChecksAndReturnsAfterRiseChecks() throws {
        let s1 = try startBackend(.identify("s1"))
        let s2 = try startBackend(.identify("s2"))
        let (fulcrum, port) = try startChecked(workers: 2, backend: [
            "server s1 127.0.0.1:\(s1.port) check inter 200ms fall 3 rise 2",
            "server s2 127.0.0.1:\(s2.port) check inter 200ms fall 3 rise 2",
        ])
        // Two check connections: at least one passed, so the counter is full
        // and the next failures count down from the top.
        XCTAssertTrue(s1.waitForAccepted(atLeast: 2, timeout: 5), "s1 checked \(s1.acceptedCount) times")
        let before = tally(try (0..<20).map { _ in try identify(port: port) })
        XCTAssertEqual(before.values.reduce(0, +), 20, "\(before)")
        XCTAssertEqual(Double(before["s1", default: 0]), 10, accuracy: 3, "both servers UP: \(before)")

        s1.stopListening()
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5),
                                 "no DOWN line within 5 s; stderr:\n\(fulcrum.stderrTail())")
        XCTAssertGreaterThanOrEqual(down.seconds, 0.35, "fall 3 needs three failed checks 200 ms apart: \(down.line)")
        XCTAssertLessThanOrEqual(down.seconds, 1.3, "fall 3 x inter 200ms + one inter + slack")
        XCTAssertTrue(down.line.contains(
            "Server be_app/s1 is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: "),
            down.line)
        XCTAssertTrue(down.line.contains("ms. 1 active and 0 backup servers left."), down.line)

        XCTAssertEqual(tally(try (0..<20).map { _ in try identify(port: port) }), ["s2": 20],
                       "a DOWN server takes no new connections")

        s1.resetCounters()
        try s1.startListening()
        let up = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is UP", timeout: 5),
                               "no UP line within 5 s; stderr:\n\(fulcrum.stderrTail())")
        XCTAssertEqual(s1.acceptedCount, 2, "rise 2: UP on the second passed check")
        XCTAssertGreaterThanOrEqual(up.seconds, 0.15, "rise 2 needs two checks 200 ms apart")
        XCTAssertLessThanOrEqual(up.seconds, 1.2)
        XCTAssertTrue(up.line.contains("Server be_app/s1 is UP, reason: Layer4 check passed, check duration: "), up.line)
        XCTAssertTrue(up.line.contains("ms. 2 active and 0 backup servers online."), up.line)
        XCTAssertEqual(logLines(fulcrum, "has no server available").count, 0)

        let shares = tally(try (0..<20).map { _ in try identify(port: port) })
        XCTAssertEqual(shares.values.reduce(0, +), 20, "\(shares)")
        XCTAssertEqual(Double(shares["s1", default: 0]), 10, accuracy: 3, "s1 takes traffic again: \(shares)")
    }

    /// The last usable server going DOWN logs HAProxy's alert.
    func testLastServerDownLogsNoServerAvailable() throws {
        let refused = try FreePort.next()
        let (fulcrum, port) = try startChecked(workers: 1, backend: [
            "server s1 127.0.0.1:\(refused) check inter 200ms",
        ])
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5), fulcrum.stderrTail())
        XCTAssertTrue(down.line.contains("0 active and 0 backup servers left."), down.line)
        XCTAssertNotNil(waitForLog(fulcrum, "backend be_app has no server available!", timeout: 2), fulcrum.stderrTail())
        let start = Deadline.nowNanoseconds()
        let answer = try identify(port: port)
        XCTAssertTrue(["<closed>", "<reset>"].contains(answer), answer)
        XCTAssertLessThan(seconds(since: start), 2, "a backend without servers closes the client at once")
    }

    // MARK: HTTP checks

    /// `option httpchk GET /health`, default expect (2xx/3xx): a 500 answer
    /// is DOWN with HAProxy's "Layer7 wrong status, code: 500", a 200 answer
    /// stays UP and takes all the traffic.
    func testHTTPCheckMarksWrongStatusDown() throws {
        let failing = try startBackend(.http(status: 500, body: "from s1"))
        let passing = try startBackend(.http(status: 200, body: "from s2"))
        let (fulcrum, port) = try startChecked(workers: 2, backend: [
            "option httpchk GET /health",
            "server s1 127.0.0.1:\(failing.port) check inter 200ms",
            "server s2 127.0.0.1:\(passing.port) check inter 200ms",
        ])
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5), fulcrum.stderrTail())
        XCTAssertTrue(down.line.contains(
            "reason: Layer7 wrong status, code: 500, info: \"Internal Server Error\", check duration: "), down.line)
        XCTAssertTrue(passing.waitForAccepted(atLeast: 4, timeout: 5), "s2 checked \(passing.acceptedCount) times")
        XCTAssertEqual(logLines(fulcrum, "be_app/s2 is DOWN"), [])

        let head = try XCTUnwrap(passing.requests.first)
        XCTAssertTrue(head.hasPrefix("GET /health HTTP/1.0\r\n"), "check request: \(head.debugDescription)")
        let bodies = try (0..<6).map { _ in try httpBody(port: port) }
        XCTAssertEqual(bodies, Array(repeating: "from s2", count: 6))
    }

    /// `http-check expect status 204`: 204 passes, 200 (a success by default)
    /// is a wrong status now.
    func testHTTPCheckExpectStatus() throws {
        try checkHTTPExpectation(["http-check expect status 204"],
                                 passing: .http(status: 204, body: ""),
                                 failing: .http(status: 200, body: "ok"),
                                 reason: "reason: Layer7 wrong status, code: 200, info: \"OK\"")
    }

    /// `http-check expect string ok`: the body must contain "ok". A content
    /// mismatch is L7RSP, logged without a code (as haproxy 2.6.12 does).
    func testHTTPCheckExpectString() throws {
        try checkHTTPExpectation(["http-check expect string ok"],
                                 passing: .http(status: 200, body: "all ok here"),
                                 failing: .http(status: 200, body: "degraded"),
                                 reason: "reason: Layer7 invalid response, info: \"HTTP content check did not match\"")
    }

    /// `http-check expect ! string maintenance`: a body holding the word fails.
    func testHTTPCheckNegatedExpectString() throws {
        try checkHTTPExpectation(["http-check expect ! string maintenance"],
                                 passing: .http(status: 200, body: "serving"),
                                 failing: .http(status: 200, body: "in maintenance"),
                                 reason: "reason: Layer7 invalid response, info: \"HTTP check matched unwanted content\"")
    }

    /// `http-check expect ! status 503`: only 503 fails, even 500 passes.
    func testHTTPCheckNegatedExpectStatus() throws {
        try checkHTTPExpectation(["http-check expect ! status 503"],
                                 passing: .http(status: 500, body: ""),
                                 failing: .http(status: 503, body: ""),
                                 reason: "reason: Layer7 wrong status, code: 503, info: \"Service Unavailable\"")
    }

    // MARK: tcp-check

    /// `tcp-check expect string +OK` against a greeting: "+OK ready" passes,
    /// "-ERR" fails with HAProxy's step message.
    func testTCPCheckExpectsBanner() throws {
        let passing = try startBackend(.banner("+OK ready\r\n"))
        let failing = try startBackend(.banner("-ERR\r\n"))
        let (fulcrum, _) = try startChecked(workers: 1, backend: [
            "option tcp-check",
            "tcp-check expect string +OK",
            "server s1 127.0.0.1:\(failing.port) check inter 200ms",
            "server s2 127.0.0.1:\(passing.port) check inter 200ms",
        ])
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5), fulcrum.stderrTail())
        XCTAssertTrue(down.line.contains(
            "reason: Layer7 invalid response, info: \"TCPCHK did not match content '+OK' at step 1\""), down.line)
        XCTAssertTrue(passing.waitForAccepted(atLeast: 4, timeout: 5), "s2 checked \(passing.acceptedCount) times")
        XCTAssertEqual(logLines(fulcrum, "be_app/s2 is"), [])
    }

    /// `tcp-check send PING\r\n` then `expect string PONG`: the server that
    /// answers PONG stays UP, the one answering something else (and closing)
    /// goes DOWN.
    func testTCPCheckSendsAndExpectsReply() throws {
        let passing = try startBackend(.lineReplies(["PING": "+PONG\r\n"]))
        let failing = try startBackend(.banner("-ERR unknown command\r\n"))
        let (fulcrum, _) = try startChecked(workers: 1, backend: [
            "option tcp-check",
            "tcp-check send PING\\r\\n",
            "tcp-check expect string PONG",
            "server s1 127.0.0.1:\(failing.port) check inter 200ms",
            "server s2 127.0.0.1:\(passing.port) check inter 200ms",
        ])
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5), fulcrum.stderrTail())
        XCTAssertTrue(down.line.contains("info: \"TCPCHK did not match content 'PONG' at step 2\""), down.line)
        XCTAssertTrue(passing.waitForAccepted(atLeast: 4, timeout: 5), "s2 checked \(passing.acceptedCount) times")
        XCTAssertEqual(logLines(fulcrum, "be_app/s2 is"), [])
        let lines = passing.requests
        XCTAssertGreaterThanOrEqual(lines.count, 3)
        XCTAssertEqual(Set(lines), ["PING"], "the check sends PING\\r\\n and nothing else")
    }

    /// A server that answers nothing while the connection stays open: the
    /// expect rule waits, then times out with HAProxy's context, whose info
    /// starts with a space (haproxy 2.6.12: `info: " at step 1 of tcp-check
    /// (expect string '+OK')"`).
    func testTCPCheckTimeoutNamesTheWaitingStep() throws {
        let silent = try startBackend(.hold)
        let (fulcrum, _) = try startChecked(workers: 1, defaults: ["timeout check 500ms"], backend: [
            "option tcp-check",
            "tcp-check expect string +OK",
            "server s1 127.0.0.1:\(silent.port) check inter 200ms",
        ])
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 8), fulcrum.stderrTail())
        XCTAssertTrue(down.line.contains(
            "reason: Layer7 timeout, info: \" at step 1 of tcp-check (expect string '+OK')\", check duration: "), down.line)
    }

    // MARK: one checker for all workers

    /// With 4 workers the server still gets one check per interval: about 10
    /// in 2 s at inter 200ms, not 40.
    func testFourWorkersShareOneCheckerSoTheServerSeesOneCheckPerInterval() throws {
        let target = try startBackend(.echo)
        let (fulcrum, _) = try startChecked(workers: 4, backend: [
            "server s1 127.0.0.1:\(target.port) check inter 200ms",
        ])
        XCTAssertEqual(fulcrum.childPids(role: "worker").count, 4)
        XCTAssertEqual(fulcrum.childPids(role: "checker").count, 1)
        XCTAssertTrue(target.waitForAccepted(atLeast: 1, timeout: 5))
        target.resetCounters()
        let start = Deadline.nowNanoseconds()
        sleepSeconds(2)
        let checks = target.acceptedCount
        let elapsed = seconds(since: start)
        let expected = elapsed / 0.2
        XCTAssertGreaterThanOrEqual(checks, 7, "\(checks) checks in \(elapsed) s (expected about \(expected))")
        XCTAssertLessThanOrEqual(checks, 13, "\(checks) checks in \(elapsed) s: one checker per worker?")
    }

    // MARK: slowstart

    /// slowstart 3s with default weights (1): HAProxy ramps the effective
    /// weight in 1/16 steps, so right after coming back the server gets about
    /// 1/17 of new connections, and half once the 3 s are over.
    func testSlowstartRampsAReturningServerWithDefaultWeights() throws {
        try checkSlowstart(weight: nil)
    }

    /// The same with weight 100 on both servers (7/100 at first).
    func testSlowstartRampsAReturningServerWithWeight100() throws {
        try checkSlowstart(weight: 100)
    }

    // MARK: observe layer4

    /// `observe layer4 error-limit 3 on-error mark-down`: three failed client
    /// connects take the server DOWN long before its next check (inter 10s;
    /// `init-state fully-up` so its first failed check did not), as HAProxy
    /// does, then all traffic goes to s2. Clients are paced (250 ms) so the
    /// checker's 100 ms poll sees each error: exactly 3 clients fail.
    func testObservedConnectErrorsMarkServerDownWithoutWaitingForACheck() throws {
        let refused = try FreePort.next()
        let s2 = try startBackend(.identify("s2"))
        let (fulcrum, port) = try startChecked(workers: 1, defaults: ["retries 0"], backend: [
            "balance roundrobin",
            "server s1 127.0.0.1:\(refused) check inter 10s init-state fully-up observe layer4 error-limit 3 on-error mark-down",
            "server s2 127.0.0.1:\(s2.port)",
        ])
        sleepSeconds(0.5) // s1's first check runs (and fails) at start
        XCTAssertEqual(logLines(fulcrum, "be_app/s1 is"), [], "fully-up: one failed check is not enough")

        let start = Deadline.nowNanoseconds()
        var answers: [String] = []
        for _ in 0..<16 {
            answers.append(try identify(port: port))
            if !logLines(fulcrum, "Server be_app/s1 is DOWN").isEmpty { break }
            sleepSeconds(0.25)
        }
        let elapsed = seconds(since: start)
        let line = try XCTUnwrap(logLines(fulcrum, "Server be_app/s1 is DOWN").first,
                                 "no DOWN from traffic after \(answers); stderr:\n\(fulcrum.stderrTail())")
        XCTAssertLessThan(elapsed, 6, "marked down from traffic, not by the check due at 10 s")
        XCTAssertEqual(answers.filter { $0 != "s2" }.count, 3, "error-limit 3: \(answers)")
        XCTAssertTrue(line.contains("Server be_app/s1 is DOWN, reason: Health analyze, info: \"Detected 3 consecutive "
                                    + "errors, last one was: L4 unsuccessful connection\". 1 active and 0 backup servers left."),
                      line)
        XCTAssertFalse(line.contains("check duration"), "an observe verdict has no check duration: \(line)")
        XCTAssertEqual(tally(try (0..<10).map { _ in try identify(port: port) }), ["s2": 10])
    }

    // MARK: checker respawn

    /// SIGKILL to the checker: the master starts a new one, which carries on
    /// from the shared table. A DOWN server (failing checks on its check
    /// port, while its traffic port would answer) stays DOWN and gets no
    /// traffic, an UP one stays UP, and no state change is logged.
    func testKilledCheckerIsRespawnedWithoutChangingServerStates() throws {
        let checkRefused = try FreePort.next()
        let s1 = try startBackend(.identify("s1"))
        let s2 = try startBackend(.identify("s2"))
        let (fulcrum, port) = try startChecked(workers: 2, backend: [
            "server s1 127.0.0.1:\(s1.port) check port \(checkRefused) inter 200ms",
            "server s2 127.0.0.1:\(s2.port) check inter 200ms",
        ])
        XCTAssertNotNil(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5), fulcrum.stderrTail())
        let before = try fulcrum.waitForChildren(count: 1, role: "checker")
        let linesBefore = stateLines(fulcrum)
        XCTAssertEqual(linesBefore.count, 1, "\(linesBefore)")

        XCTAssertEqual(kill(before[0], SIGKILL), 0)
        var after: [pid_t] = []
        XCTAssertTrue(waitUntil(timeout: 10) {
            after = fulcrum.childPids(role: "checker")
            return after.count == 1 && after != before
        }, "no new checker after SIGKILL to \(before): \(after); stderr:\n\(fulcrum.stderrTail())")
        s2.resetCounters()
        XCTAssertTrue(s2.waitForAccepted(atLeast: 3, timeout: 5), "the new checker checks s2")
        sleepSeconds(0.5)
        XCTAssertEqual(stateLines(fulcrum), linesBefore, "no state change after the checker restarted")
        XCTAssertEqual(tally(try (0..<12).map { _ in try identify(port: port) }), ["s2": 12],
                       "s1 is still DOWN for the workers")
        XCTAssertEqual(fulcrum.childPids(role: "worker").count, 2)
    }

    /// The health counter lives in the shared table: with rise 3 at inter 1s,
    /// a server that passed one check before the checker was killed comes UP
    /// on the third passed check overall, not the third after the restart.
    func testRespawnedCheckerKeepsTheHealthCounter() throws {
        let target = try startBackend(.echo)
        target.stopListening()
        let (fulcrum, _) = try startChecked(workers: 1, backend: [
            "server s1 127.0.0.1:\(target.port) check inter 1s rise 3",
        ])
        XCTAssertNotNil(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5), fulcrum.stderrTail())
        try target.startListening()
        XCTAssertTrue(target.waitForAccepted(atLeast: 1, timeout: 5), "first passed check")
        sleepSeconds(0.15) // let the result reach the table, well before the next check
        let before = try fulcrum.waitForChildren(count: 1, role: "checker")
        XCTAssertEqual(kill(before[0], SIGKILL), 0)
        XCTAssertTrue(waitUntil(timeout: 10) {
            let now = fulcrum.childPids(role: "checker")
            return now.count == 1 && now != before
        }, "no new checker; stderr:\n\(fulcrum.stderrTail())")
        XCTAssertNotNil(waitForLog(fulcrum, "Server be_app/s1 is UP", timeout: 6), fulcrum.stderrTail())
        // The third check's connection is complete once the checker sees it,
        // which can be before the backend's thread counts its accept.
        XCTAssertTrue(target.waitForAccepted(atLeast: 3, timeout: 0.9), "accepted \(target.acceptedCount)")
        XCTAssertEqual(target.acceptedCount, 3, "UP after the third passed check (one before the kill, two after)")
    }

    // MARK: timeouts

    /// "check duration: 503ms" → 503.
    private func checkDuration(_ line: String) -> Int? {
        guard let r = line.range(of: "check duration: ") else { return nil }
        return Int(line[r.upperBound...].prefix { $0.isNumber })
    }

    /// `timeout check 500ms` bounds the wait for the answer once connected
    /// (HAProxy: "an additional read timeout"); a long `timeout connect` must
    /// not stretch it. A server that accepts and never answers an HTTP check
    /// is DOWN with "Layer7 timeout" (HAProxy 2.6.12 reports about 1 s here).
    func testTimeoutCheckBoundsASilentServer() throws {
        let silent = try startBackend(.hold)
        let (fulcrum, _) = try startChecked(workers: 1, defaults: ["timeout connect 5s", "timeout check 500ms"], backend: [
            "option httpchk GET /health",
            "server s1 127.0.0.1:\(silent.port) check inter 10s",
        ])
        XCTAssertTrue(silent.waitForAccepted(atLeast: 1, timeout: 5))
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 8), fulcrum.stderrTail())
        XCTAssertTrue(down.line.contains("reason: Layer7 timeout, check duration: "), down.line)
        // The checker's own measurement: the test notices the accept late.
        let ms = try XCTUnwrap(checkDuration(down.line), down.line)
        XCTAssertGreaterThanOrEqual(ms, 450, "not before timeout check")
        XCTAssertLessThanOrEqual(ms, 1500, "timeout check 500ms, not timeout connect 5s: \(down.line)")
    }

    /// Without `timeout check` HAProxy bounds the whole check by `inter`
    /// ("If 'timeout check' is not set haproxy uses 'inter' for complete check
    /// timeout"): inter 1s with timeout connect 5s is DOWN after about 1 s.
    func testWithoutTimeoutCheckInterBoundsTheCheck() throws {
        let silent = try startBackend(.hold)
        let (fulcrum, _) = try startChecked(workers: 1, defaults: ["timeout connect 5s"], backend: [
            "option httpchk GET /health",
            "server s1 127.0.0.1:\(silent.port) check inter 1s",
        ])
        XCTAssertTrue(silent.waitForAccepted(atLeast: 1, timeout: 5))
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 8), fulcrum.stderrTail())
        XCTAssertTrue(down.line.contains("reason: Layer7 timeout, check duration: "), down.line)
        let ms = try XCTUnwrap(checkDuration(down.line), down.line)
        XCTAssertGreaterThanOrEqual(ms, 950, "not before inter")
        XCTAssertLessThanOrEqual(ms, 2000, "inter 1s, not timeout connect 5s: \(down.line)")
    }

    // MARK: init-state

    /// `init-state down`: no traffic until the first passed check, which
    /// brings the server UP at once (not after rise 2). The check (an HTTP
    /// check on its own port) takes 3 s to answer, which leaves a window wide
    /// enough for a loaded machine.
    func testInitStateDownWaitsForTheFirstPassedCheck() throws {
        let s1 = try startBackend(.identify("s1"))
        let s2 = try startBackend(.identify("s2"))
        let slowHealth = try startBackend(.http(status: 200, body: "ok"), responseDelay: 3.0)
        let (fulcrum, port) = try startChecked(workers: 2, backend: [
            "option httpchk GET /health",
            "server s1 127.0.0.1:\(s1.port) check port \(slowHealth.port) inter 5s init-state down",
            "server s2 127.0.0.1:\(s2.port)",
        ])
        XCTAssertEqual(tally(try (0..<10).map { _ in try identify(port: port) }), ["s2": 10], "s1 starts DOWN")
        XCTAssertEqual(s1.acceptedCount, 0)
        XCTAssertEqual(logLines(fulcrum, "be_app/s1 is"), [], "the first check has not answered yet")

        XCTAssertNotNil(waitForLog(fulcrum, "Server be_app/s1 is UP", timeout: 10), fulcrum.stderrTail())
        XCTAssertEqual(slowHealth.requests.count, 1, "UP on the first passed check")
        let shares = tally(try (0..<20).map { _ in try identify(port: port) })
        XCTAssertGreaterThanOrEqual(shares["s1", default: 0], 6, "s1 takes traffic once UP: \(shares)")
    }

    // MARK: check port

    /// `check port P` probes P, not the traffic port: s1's traffic port
    /// answers but its check port refuses, so it is DOWN; s2's checks land on
    /// its check port only, its traffic port sees nothing but client traffic.
    func testCheckPortProbesAnotherPortThanTraffic() throws {
        let checkRefused = try FreePort.next()
        let s1 = try startBackend(.identify("s1"))
        let s2 = try startBackend(.identify("s2"))
        let s2Health = try startBackend(.echo)
        let (fulcrum, port) = try startChecked(workers: 2, backend: [
            "server s1 127.0.0.1:\(s1.port) check port \(checkRefused) inter 200ms",
            "server s2 127.0.0.1:\(s2.port) check addr 127.0.0.1 port \(s2Health.port) inter 200ms",
        ])
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5), fulcrum.stderrTail())
        XCTAssertTrue(down.line.contains("Layer4 connection problem, info: \"Connection refused\""), down.line)
        XCTAssertTrue(s2Health.waitForAccepted(atLeast: 4, timeout: 5), "s2 checked on its check port")
        XCTAssertEqual(s1.acceptedCount, 0, "no check reached s1's traffic port")
        XCTAssertEqual(s2.acceptedCount, 0, "no check reached s2's traffic port")
        XCTAssertEqual(tally(try (0..<10).map { _ in try identify(port: port) }), ["s2": 10])
        XCTAssertEqual(s1.acceptedCount, 0)
    }

    // MARK: helpers

    /// Two servers behind `option httpchk GET /health` plus `rules`: the
    /// failing one must go DOWN with `reason`, the passing one stay UP.
    private func checkHTTPExpectation(_ rules: [String], passing: TestBackend.Mode, failing: TestBackend.Mode,
                                      reason: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let good = try startBackend(passing)
        let bad = try startBackend(failing)
        let (fulcrum, _) = try startChecked(workers: 1, backend: ["option httpchk GET /health"] + rules + [
            "server s1 127.0.0.1:\(bad.port) check inter 200ms",
            "server s2 127.0.0.1:\(good.port) check inter 200ms",
        ])
        let down = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s1 is DOWN", timeout: 5), fulcrum.stderrTail(),
                                 file: file, line: line)
        XCTAssertTrue(down.line.contains("Server be_app/s1 is DOWN, " + reason + ", check duration: "), down.line,
                      file: file, line: line)
        XCTAssertTrue(good.waitForAccepted(atLeast: 4, timeout: 5), "s2 checked \(good.acceptedCount) times",
                      file: file, line: line)
        XCTAssertEqual(logLines(fulcrum, "be_app/s2 is"), [], file: file, line: line)
    }

    /// s2 goes DOWN and comes back with slowstart 3s (roundrobin, one worker):
    /// its share of the first connections is small, then half after 3 s.
    private func checkSlowstart(weight: Int?, file: StaticString = #filePath, line: UInt = #line) throws {
        let s1 = try startBackend(.identify("s1"))
        let s2 = try startBackend(.identify("s2"))
        let weights = weight.map { " weight \($0)" } ?? ""
        let (fulcrum, port) = try startChecked(workers: 1, backend: [
            "balance roundrobin",
            "server s1 127.0.0.1:\(s1.port)\(weights)",
            "server s2 127.0.0.1:\(s2.port)\(weights) check inter 200ms fall 1 rise 1 slowstart 3s",
        ])
        XCTAssertEqual(tally(try (0..<10).map { _ in try identify(port: port) }), ["s1": 5, "s2": 5],
                       "no slowstart at startup", file: file, line: line)
        s2.stopListening()
        XCTAssertNotNil(waitForLog(fulcrum, "Server be_app/s2 is DOWN", timeout: 5), file: file, line: line)
        try s2.startListening()
        let up = try XCTUnwrap(waitForLog(fulcrum, "Server be_app/s2 is UP", timeout: 5), file: file, line: line)

        let rampStart = Deadline.nowNanoseconds()
        var early: [String] = []
        while early.count < 40 && seconds(since: rampStart) < 0.5 {
            early.append(try identify(port: port))
        }
        let earlyS2 = early.filter { $0 == "s2" }.count
        XCTAssertGreaterThanOrEqual(early.count, 10, "too few connections in 0.5 s to judge", file: file, line: line)
        XCTAssertLessThan(Double(earlyS2), 0.25 * Double(early.count),
                          "\(earlyS2) of \(early.count) connections went to s2 in the 0.5 s after: \(up.line)",
                          file: file, line: line)

        let remaining = 3.3 - seconds(since: rampStart)
        if remaining > 0 { sleepSeconds(remaining) }
        let late = tally(try (0..<40).map { _ in try identify(port: port) })
        XCTAssertEqual(Double(late["s2", default: 0]), 20, accuracy: 4, "after slowstart: \(late)", file: file, line: line)
    }

    private struct LogHit {
        var line: String
        /// Seconds from the call that waited until the line appeared.
        var seconds: Double
    }

    /// Waits until stderr has more than `skipping` lines containing `text`;
    /// returns the next one and how long the wait took (nil on timeout).
    private func waitForLog(_ fulcrum: FulcrumProcess, _ text: String, skipping: Int = 0,
                            timeout: Double) -> LogHit? {
        let start = Deadline.nowNanoseconds()
        var hit: String?
        waitUntil(timeout: timeout, interval: 0.01) {
            let lines = logLines(fulcrum, text)
            if lines.count > skipping { hit = lines[skipping] }
            return hit != nil
        }
        return hit.map { LogHit(line: $0, seconds: seconds(since: start)) }
    }

    private func logLines(_ fulcrum: FulcrumProcess, _ text: String) -> [String] {
        fulcrum.stderrText.split(separator: "\n").filter { $0.contains(text) }.map(String.init)
    }

    /// Every server state change logged so far.
    private func stateLines(_ fulcrum: FulcrumProcess) -> [String] {
        logLines(fulcrum, "Server be_app/").filter { $0.contains(" is UP") || $0.contains(" is DOWN") }
    }

    private func seconds(since start: UInt64) -> Double {
        Double(Deadline.nowNanoseconds() - start) / 1e9
    }

    /// Starts fulcrum with one frontend feeding `be_app` (the given lines),
    /// waits for every worker's listener and the checker; returns the daemon
    /// and the frontend port.
    private func startChecked(workers: Int, global: [String] = [], defaults: [String] = [],
                              backend: [String]) throws -> (FulcrumProcess, UInt16) {
        let port = try FreePort.next()
        var text = "global\n    workers \(workers)\n"
        for line in global { text += "    \(line)\n" }
        text += """
            defaults
                mode tcp
                timeout client 30s
                timeout server 30s

            """
        if !defaults.contains(where: { $0.hasPrefix("timeout connect") }) { text += "    timeout connect 2s\n" }
        for line in defaults { text += "    \(line)\n" }
        text += """
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be_app
            backend be_app

            """
        for line in backend { text += "    \(line)\n" }
        let fulcrum = try startFulcrum(config: text)
        try fulcrum.waitUntilListening(port: port, sockets: workers)
        try fulcrum.waitForChildren(count: 1, role: "checker")
        return (fulcrum, port)
    }

    /// Connects, reads the identify line, closes: which server was picked
    /// ("<closed>" when the proxy closed without an answer).
    /// "<reset>" when the proxy reset the connection before the client saw
    /// it established.
    private func identify(port: UInt16) throws -> String {
        let client: TCPClient
        do {
            client = try TCPClient.connect(port: port)
        } catch HarnessError.system(_, ECONNRESET) {
            return "<reset>"
        }
        defer { client.close() }
        return try client.readLine() ?? "<closed>"
    }

    /// One HTTP/1.0 request through the (TCP) proxy; the response body.
    private func httpBody(port: UInt16) throws -> String {
        let client = try TCPClient.connect(port: port)
        defer { client.close() }
        try client.send("GET / HTTP/1.0\r\n\r\n")
        let response = try client.receiveUntilEOF(timeout: 5).text
        guard let split = response.range(of: "\r\n\r\n") else { return "<no response: \(response.debugDescription)>" }
        return String(response[split.upperBound...])
    }

    private func tally(_ names: [String]) -> [String: Int] {
        names.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
