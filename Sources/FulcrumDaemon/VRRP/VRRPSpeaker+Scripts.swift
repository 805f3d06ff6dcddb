import FulcrumPosix

/// vrrp_script runs on their schedule with rise/fall counting, notify
/// scripts, timeouts, and what enable_script_security refuses to run.
extension VRRPSpeaker {
    /// Why a script may not run under enable_script_security, or nil.
    func insecurity(_ arguments: [String], user: String?) -> String? {
        guard configuration.vrrp.globalDefinitions.enableScriptSecurity else { return nil }
        return VRRPScriptSecurity.insecurity(of: arguments, user: user)
    }

    /// Starts a notify script (not tracked) unless script security refuses it.
    func runNotify(_ arguments: [String], now: Int64) {
        if let why = insecurity(arguments, user: scriptUser.user) {
            Log.alert("notify script '\(arguments.joined(separator: " "))' is insecure (\(why)); not run")
            return
        }
        _ = runner.start(arguments, user: scriptUser.user, group: scriptUser.group, timeout: nil, now: now)
    }

    /// Starts vrrp_script `k` if its run is due and the previous one ended.
    func runScript(_ k: Int, now: Int64) {
        if scripts[k].running == nil && scripts[k].nextRun <= now, let command = scripts[k].config.command {
            let s = scripts[k].config
            scripts[k].running = runner.start(command.arguments, user: s.user ?? scriptUser.user,
                                              group: s.user != nil ? s.group : scriptUser.group,
                                              timeout: Int64(s.effectiveTimeout) * 1000, now: now)
            scripts[k].nextRun = now + Int64(max(1, s.interval)) * 1000
            armScriptTimeouts()
        }
        armScript(k)
    }

    /// A script's timer: its next run, once the current one has ended.
    func armScript(_ k: Int) {
        guard !scripts[k].disabled, scripts[k].config.command != nil, scripts[k].running == nil else { return }
        scripts[k].timer.arm(scripts[k].nextRun, EventToken(kind: Kind.script.rawValue, index: k), in: loop)
    }

    func armScriptTimeouts() {
        scriptTimeouts.arm(runner.nextDeadline ?? 0, EventToken(kind: Kind.scriptTimeout.rawValue), in: loop)
    }

    func scriptsFinished(now: Int64) {
        var changed = false
        for (id, succeeded) in runner.reaped() {
            guard let k = scripts.firstIndex(where: { $0.running == id }) else { continue }
            scripts[k].running = nil
            armScript(k)
            let s = scripts[k].config
            // rise/fall: consecutive results needed to change state.
            if succeeded == scripts[k].ok { scripts[k].streak = 0; continue }
            scripts[k].streak += 1
            if scripts[k].streak >= (succeeded ? s.rise : s.fall) {
                scripts[k].ok = succeeded
                scripts[k].streak = 0
                changed = true
                Log.notice("VRRP_Script(\(s.name)) \(succeeded ? "succeeded" : "failed")")
            }
        }
        if changed { applyTracking(now: now, starting: false) }
    }
}
