import Glibc
import FulcrumCore
import FulcrumPosix

/// The master CLI's side of the master: commands forwarded to a child and
/// their answers, timeouts and failures; `show proc`.
extension Master {
    /// A command forwarded to a child, waiting for its answer.
    struct Forward {
        var server: Int
        var ticket: CLIServer.Ticket
        var generation: Int
        var child: Int
        var deadline: Int64
        var text = ""
        /// Part `part` of gather `gather` (`show sess` over every worker), not a whole answer.
        var gather: (id: Int, part: Int)? = nil
        /// A change sent to several workers: the children still to answer,
        /// and the master's own answer, given once they all did.
        /// child → answers still due (one per message it was sent).
        var waiting: [Int: Int] = [:]
        var answer: String? = nil
    }

    /// One command's answers from several workers, joined in worker order.
    struct Gather {
        var server: Int
        var ticket: CLIServer.Ticket
        var parts: [String?]
        /// Makes the answer of the parts (nil: joined in worker order).
        var combine: (([String]) -> String)? = nil
    }

    /// A forwarded command's answer arrived (or failed with `text`): to its
    /// client, or into its gather, which answers once every part is in.
    func finish(_ f: Forward, _ text: String) {
        guard let (id, part) = f.gather else {
            cliServers[f.server].complete(f.ticket, text, runner: self)
            return
        }
        guard var g = gathers[id] else { return }
        // Each worker ends its part with the CLI's end of answer; the whole gets one.
        g.parts[part] = text.hasSuffix(RuntimeCLI.endOfAnswer) ? String(text.dropLast(RuntimeCLI.endOfAnswer.count)) : text
        if g.parts.contains(where: { $0 == nil }) {
            gathers[id] = g
            return
        }
        gathers[id] = nil
        let parts = g.parts.map { $0! }
        cliServers[g.server].complete(g.ticket, (g.combine?(parts) ?? parts.joined()) + RuntimeCLI.endOfAnswer, runner: self)
    }

    /// `show sess` goes to every worker of `g` and `shutdown session ID` to
    /// the one its id names; nil for any other command. The outer nil of the
    /// answer means "answered later".
    func routeSessionCommand(_ command: String, level: Int, in g: Generation, server: Int, ticket: CLIServer.Ticket) -> String?? {
        let words = RuntimeCommandLine.words(command)
        guard case .success(let parsed) = RuntimeCommand.parse(words: words, level: RuntimeLevel(rawValue: level) ?? .user, master: false)
        else { return nil }
        let workers = g.children.indices.filter { if case .worker = g.roles[$0] { return g.children[$0] != nil } else { return false } }
        // The child holding the worker slot an id names.
        func holder(_ id: String) -> Int? {
            guard let sid = RuntimeSessionID(text: id) else { return nil }
            return workers.first { if case .worker(let slot) = g.roles[$0] { return slot == sid.worker } else { return false } }
        }
        switch parsed {
        case .shutdownSession(let id?):
            guard let i = holder(id) else { return .some("No such session (use 'show sess').\n" + RuntimeCLI.endOfAnswer) }
            return .some(forward(command, to: g, child: i, server: server, ticket: ticket, level: level))
        case .showErrors(let args):
            // Every worker's snapshots, the latest per proxy and direction, as one HAProxy process lists them.
            let c = g.loaded.configuration
            guard let filter = ErrorSnapshotFormat.filter(args, in: c) else { return .some("No such proxy.\n" + RuntimeCLI.endOfAnswer) }
            let table = g.table
            return .some(gatherFromWorkers(ErrorSnapshotFormat.recordsRequest, workers: workers, in: g, server: server, ticket: ticket,
                                           level: level) { parts in
                ErrorSnapshotFormat.text(parts.flatMap(ErrorSnapshotFormat.records), filter: filter, total: table.errorEvents,
                                         nowMicros: Int64(WallClock.nowMicroseconds()), utcOffset: Int(WallClock.utcOffsetSeconds()))
            })
        case .showActivity, .showPools:
            // Each worker is one of HAProxy's threads here.
            let pools = parsed == .showPools
            return .some(gatherFromWorkers(RuntimeActivityFormat.recordRequest, workers: workers, in: g, server: server, ticket: ticket,
                                           level: level) { parts in
                let records = RuntimeActivityFormat.records(parts)
                return pools ? RuntimeActivityFormat.pools(records)
                    : RuntimeActivityFormat.activity(records, nowMicros: Int64(WallClock.nowMicroseconds()))
            })
        case .showSessions(let id) where id == nil || id == "all":
            return .some(gatherFromWorkers(command, workers: workers, in: g, server: server, ticket: ticket, level: level, combine: nil))
        case .showSessions(let id?):
            // One stream: the worker its id names answers.
            guard let i = holder(id) else { return .some("Session not found.\n" + RuntimeCLI.endOfAnswer) }
            return .some(forward(command, to: g, child: i, server: server, ticket: ticket, level: level))
        case .shutdownSession(nil):
            return .some("Session pointer expected (use 'show sess').\n" + RuntimeCLI.endOfAnswer)
        default:
            return nil
        }
    }

    /// Sends `command` to every worker; the answer (nil: later) comes once
    /// all replied, `combine`d (else joined in worker order).
    private func gatherFromWorkers(_ command: String, workers: [Int], in g: Generation, server: Int, ticket: CLIServer.Ticket,
                                   level: Int, combine: (([String]) -> String)?) -> String? {
        guard !workers.isEmpty else { return (combine?([]) ?? "") + RuntimeCLI.endOfAnswer }
        let gather = nextGather
        nextGather &+= 1
        gathers[gather] = Gather(server: server, ticket: ticket, parts: Array(repeating: nil, count: workers.count), combine: combine)
        for (part, i) in workers.enumerated() {
            if let failure = forward(command, to: g, child: i, server: server, ticket: ticket, level: level, gather: (gather, part)) {
                finish(Forward(server: server, ticket: ticket, generation: g.number, child: i, deadline: 0, gather: (gather, part)), failure)
            }
        }
        return nil
    }

    func forward(_ command: String, to g: Generation, child i: Int, server: Int, ticket: CLIServer.Ticket,
                         level: Int = 2, gather: (id: Int, part: Int)? = nil) -> String? {
        guard let c = g.children[i] else { return "Can't find the target process.\n" }
        let id = nextRequest
        nextRequest &+= 1
        guard UnixSocket.sendMessage(c.control, ControlMessage.cliRequest(id: id, level: level, command: command).encode()) else {
            return "Can't send the command to the \(c.role.name).\n"
        }
        forwards[id] = Forward(server: server, ticket: ticket, generation: g.number, child: i,
                               deadline: loop.now + 5000, gather: gather)
        return nil
    }

    func expireForwards(now: Int64) {
        for (id, f) in forwards where f.deadline <= now {
            forwards[id] = nil
            // A change the master made stands; a worker that did not confirm it in time is logged.
            if let answer = f.answer {
                Log.warning("workers \(f.waiting.keys.sorted()) did not confirm a map/acl change in time")
                cliServers[f.server].complete(f.ticket, answer, runner: self)
                continue
            }
            finish(f, "Timeout waiting for the process to answer.\n")
        }
    }

    func failForwards(generation: Int, child i: Int) {
        for (id, var f) in forwards where f.generation == generation {
            if let answer = f.answer {
                guard f.waiting.removeValue(forKey: i) != nil else { continue }
                if f.waiting.isEmpty {
                    forwards[id] = nil
                    cliServers[f.server].complete(f.ticket, answer, runner: self)
                } else {
                    forwards[id] = f
                }
                continue
            }
            guard f.child == i else { continue }
            forwards[id] = nil
            finish(f, "The process exited before answering.\n")
        }
    }

    /// A worker's answer to forwarded request `id` (the last part when `final`).
    func forwardAnswered(_ id: UInt32, child i: Int, final: Bool, text: String) {
        guard var f = forwards[id] else { return }
        if let answer = f.answer {
            guard final, let due = f.waiting[i] else { return }
            f.waiting[i] = due > 1 ? due - 1 : nil
            if f.waiting.isEmpty {
                forwards[id] = nil
                cliServers[f.server].complete(f.ticket, answer, runner: self)
            } else {
                forwards[id] = f
            }
            return
        }
        f.text += text
        if final {
            forwards[id] = nil
            finish(f, f.text)
        } else {
            forwards[id] = f
        }
    }

    /// `show proc`, in the shape of HAProxy's master CLI; old workers (draining
    /// generations) with the sessions they still hold.
    func showProc() -> String {
        let now = WallClock.nowSeconds()
        func up(_ since: Int64) -> Int { Int(max(0, now - since)) }
        var processes = [RuntimeFormat.Process(pid: getpid(), kind: .master, reloads: reloads,
                                               uptimeSeconds: up(startedWall), version: FulcrumVersion.string)]
        processes[0].failedReloads = failedReloads
        for g in generations where g.state != .starting {
            let leaving = g.state == .draining
            for (i, child) in g.children.enumerated() {
                guard let c = child else { continue }
                let kind: RuntimeFormat.Process.Kind = g.roles[i] == .checker ? .checker
                    : g.roles[i] == .peers ? .program(name: "fulcrum-peers") : .worker
                var p = RuntimeFormat.Process(pid: c.pid, kind: kind, reloads: reloads - (g.number - 1),
                                              uptimeSeconds: up(c.startedWall), version: FulcrumVersion.string,
                                              leaving: leaving)
                if leaving, case .worker(let slot) = g.roles[i] { p.remainingSessions = g.remainingSessions(slot: slot) }
                processes.append(p)
            }
        }
        if let v = vrrp {
            processes.append(.init(pid: v.pid, kind: .program(name: "vrrp"), reloads: 0,
                                   uptimeSeconds: up(v.startedWall), version: FulcrumVersion.string))
        }
        for (i, pid) in programPids.enumerated() {
            guard let pid else { continue }
            processes.append(.init(pid: pid, kind: .program(name: programNames[i]), reloads: 0,
                                   uptimeSeconds: up(startedWall), version: "-"))
        }
        var text = RuntimeFormat.showProc(processes)
        if let err = lastReloadError {
            text += "# last reload failed:\n" + err.split(separator: "\n").map { "#   " + $0 }.joined(separator: "\n") + "\n"
        }
        return text
    }
}

extension Master: CLICommandRunner {
    /// The master CLI routes `@N cmd` (worker N of the current generation,
    /// 1-based; `@0`/`@master` is the master) and `@!PID cmd` to that process,
    /// as HAProxy's master CLI does; anything else runs here over the current
    /// generation's counters. A stats socket runs everything here at its level.
    func run(_ command: String, payload: String?, from server: CLIServer, ticket: CLIServer.Ticket, level: Int) -> String? {
        let serverIndex = cliServers.firstIndex { $0 === server } ?? 0
        guard let cur = current ?? generations.last else { return "Not ready.\n" }
        if !server.isMasterCLI, let answer = cur.runtime.tableCommand(RuntimeCommandLine.words(command), level: level) {
            return answer
        }
        if let answer = peersCommand(command, level: level, in: cur, server: serverIndex, ticket: ticket, master: server.isMasterCLI) {
            return answer
        }
        guard server.isMasterCLI else {
            if let routed = routeSessionCommand(command, level: level, in: cur, server: serverIndex, ticket: ticket) { return routed }
            if let answer = patternCommand(command, payload: payload, in: cur, server: serverIndex, ticket: ticket, level: level) { return answer }
            return resolverCommand(command, level: level, in: cur)
                ?? certificateCommand(command, payload: payload, level: level, in: cur)
                ?? cur.runtime.execute(command, level: level)
        }
        if command.hasPrefix("@") {
            let parts = command.split(separator: " ", maxSplits: 1)
            let target = String(parts[0].dropFirst())
            let rest = parts.count > 1 ? String(parts[1]) : ""
            // The workers share one certificate store, the master's.
            if let answer = certificateCommand(rest, payload: payload, level: level, in: cur) { return answer }
            // A map or ACL change goes to every worker; reading one asks that process.
            if GenerationPatterns.isChange(rest) || target == "0" || target == "master",
               let answer = patternCommand(rest, payload: payload, in: cur, server: serverIndex, ticket: ticket, level: level) { return answer }
            if target == "0" || target == "master" {
                return runMasterCommand(rest, payload: payload, serverIndex: serverIndex, ticket: ticket, level: level)
            }
            var found: (Generation, Int)? = nil
            if target.hasPrefix("!"), let pid = pid_t(target.dropFirst()) {
                for g in generations { if let i = g.children.firstIndex(where: { $0?.pid == pid }) { found = (g, i) } }
            } else if let n = Int(target), n >= 1, n <= cur.slots {
                found = (cur, n - 1)
            }
            guard let (g, i) = found, g.children[i] != nil else { return "Can't find the target process '\(target)'.\n" }
            if rest.isEmpty { return "Missing command after '@\(target)'.\n" }
            return forward(rest, to: g, child: i, server: serverIndex, ticket: ticket)
        }
        return runMasterCommand(command, payload: payload, serverIndex: serverIndex, ticket: ticket, level: level)
    }

    private func runMasterCommand(_ command: String, payload: String?, serverIndex: Int, ticket: CLIServer.Ticket, level: Int) -> String? {
        switch command.split(separator: " ").map(String.init) {
        case ["show", "proc"]: return showProc()
        case ["show", "vrrp"]: return showVRRP()
        case ["show", "bgp"]: return showBGP()
        case ["help"]: return RuntimeFormat.help(master: true) + RuntimeCLI.endOfAnswer
        case ["reload"]:
            // Answered when the new generation serves or the reload failed.
            reload(waiter: (serverIndex, ticket))
            return nil
        default:
            guard let cur = current ?? generations.last else { return "Not ready.\n" }
            if let answer = patternCommand(command, payload: payload, in: cur, server: serverIndex, ticket: ticket, level: level) { return answer }
            return resolverCommand(command, level: level, in: cur)
                ?? certificateCommand(command, payload: payload, level: level, in: cur)
                ?? cur.runtime.execute(command, level: level)
        }
    }
}

extension Master {
    /// A runtime certificate command, answered from the serving generation's
    /// store; what it commits goes to every one of its workers at once.
    func certificateCommand(_ command: String, payload: String?, level: Int, in g: Generation) -> String? {
        g.certificates.run(RuntimeCommandLine.words(command), payload: payload, level: level) { messages in
            for (i, child) in g.children.enumerated() {
                guard let child, case .worker = g.roles[i] else { continue }
                for m in messages where !UnixSocket.sendMessage(child.control, m.encode()) {
                    Log.warning("cannot send a committed certificate to worker pid \(child.pid)")
                }
            }
        }
    }
}

extension Master {
    /// A map or ACL command (nil when `command` is none): answered from the
    /// serving generation's store; a change is sent to every one of its
    /// workers and answered once each has applied it, so a request sent
    /// after the answer meets the change in whichever worker takes it.
    /// `.some(nil)`: answered later.
    func patternCommand(_ command: String, payload: String?, in g: Generation, server: Int,
                        ticket: CLIServer.Ticket, level: Int) -> String?? {
        guard let outcome = g.patterns.run(command, payload: payload, level: level) else { return nil }
        guard !outcome.forWorkers.isEmpty else { return .some(outcome.text) }
        passPatternChanges(outcome.forWorkers, from: g)
        let id = nextRequest
        nextRequest &+= 1
        var waiting: [Int: Int] = [:]
        for (i, child) in g.children.enumerated() {
            guard let child, case .worker = g.roles[i] else { continue }
            var sent = true
            for text in outcome.forWorkers where !UnixSocket.sendMessage(child.control, ControlMessage.cliRequest(id: id, level: 2, command: text).encode()) {
                sent = false
            }
            if sent { waiting[i] = outcome.forWorkers.count } else { Log.warning("cannot send a map/acl change to worker pid \(child.pid)") }
        }
        guard !waiting.isEmpty else { return .some(outcome.text) }
        // One answer per message from each worker: wait for the last one's.
        forwards[id] = Forward(server: server, ticket: ticket, generation: g.number, child: -1,
                               deadline: loop.now + 5000, waiting: waiting, answer: outcome.text)
        return .some(nil)
    }

    /// Map/acl changes made in generation `g` made in the newer ones too,
    /// to the files their reload carried (`GenerationPatterns.follow`), so
    /// none made while a reload starts or a generation drains is lost.
    func passPatternChanges(_ texts: [String], from g: Generation) {
        for n in generations where n.number > g.number {
            for text in n.patterns.follow(texts) {
                n.tellWorkers(.cliRequest(id: ControlMessage.unansweredRequest, level: 2, command: text))
            }
        }
    }
}
