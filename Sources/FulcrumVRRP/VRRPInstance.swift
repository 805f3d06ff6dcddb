import FulcrumBytes

/// One VRRP instance's election: a pure state machine, driven by the caller's monotonic clock
/// (microseconds, passed in; nothing here reads a clock or does I/O).
///
/// Each input appends the actions to carry out to a caller-owned array (reuse it: clear it,
/// keeping capacity, before each input). After every input the caller should wake at
/// `nextDeadline` (if any) and call `tick(now:)`.
///
/// The rules are keepalived 2.2.7's (vrrp.c, vrrp_scheduler.c), which refine RFC 3768/5798:
///
/// - Start (vrrp_init_state): leftover VIPs are removed. Not faulted: the address owner
///   configured `state MASTER` becomes MASTER at once; another `state MASTER` instance waits as
///   BACKUP for one advert interval plus the skew of priority 255 (Master_Adver_Interval/256)
///   and becomes MASTER unless an advert it accepts arrives; `state BACKUP` waits
///   Master_Down_Interval. Faulted: FAULT.
/// - BACKUP, advert received: priority 0 sets the down timer to Skew_Time. An advert of equal
///   or higher priority, or any advert under nopreempt, or a lower one while preempt_delay has
///   not yet run out, restarts Master_Down_Interval (v3 learns Master_Adver_Interval from it; a
///   lower one starts the preempt_delay clock). A lower-priority advert otherwise is ignored and
///   the down timer keeps running, so preemption happens when it expires. Equal priority never
///   makes a BACKUP preempt; addresses only break ties between two MASTERs.
/// - BACKUP, down timer expires: MASTER (advert, add VIPs, gratuitous ARPs, notify), a second
///   ARP burst after garp_master_delay.
/// - MASTER, advert received: priority 0 makes it advertise at once. Lower priority, or equal
///   from a lower primary address: it advertises at once (forcing the other one back). Higher,
///   or equal from a higher address: BACKUP (VIPs removed, notify). Another owner (255) makes
///   an owner lower its own priority to 254, as keepalived does.
/// - Priority changes (track weights) take effect in the next advert; in BACKUP the pending down
///   timer moves by the change in Master_Down_Interval.
/// - Fault: MASTER sends priority 0 and removes its VIPs; any state goes to FAULT and ignores
///   adverts. Fault cleared: BACKUP with a full Master_Down_Interval.
/// - Shutdown: MASTER sends priority 0 and removes its VIPs; every instance notifies STOP.
public struct VRRPInstance: Sendable {
    /// The configuration as keepalived runs it (`VRRPInstanceParameters.normalized`).
    public let parameters: VRRPInstanceParameters
    public private(set) var state: VRRPState = .initial
    /// The configured priority, unless an owner conflict lowered it to 254.
    public private(set) var basePriority: UInt8
    /// The sum of the tracked objects' weights currently applied.
    public private(set) var priorityAdjustment = 0
    /// The priority advertised and compared.
    public private(set) var effectivePriority: UInt8
    public private(set) var isFaulted = false
    /// The interval the master advertises (v3 learns it; v2 and a MASTER use their own).
    public private(set) var masterAdvertIntervalCentiseconds: UInt16
    /// The last master whose advert this BACKUP accepted.
    public private(set) var masterAddress: IPv4Address?
    public private(set) var masterPriority: UInt8?
    /// keepalived's become_master / release_master counters.
    public private(set) var becameMasterCount = 0
    public private(set) var releasedMasterCount = 0
    /// `auth_type AH`: the sequence number sent and checked (the caller draws from it for each
    /// advert and passes it to `VRRPPacket.decode`).
    public var ahSequence = VRRPAHSequence()

    /// keepalived's ms_down_timer: what the BACKUP deadline was last set from.
    private var downTimer: Int64 = 0
    /// BACKUP: the master-down deadline. MASTER: the next advert.
    private var instanceDeadline: Int64?
    private var garpDeadline: Int64?
    private var garpRefreshDeadline: Int64?
    /// When preempt_delay runs out, once a lower-priority advert started it.
    private var preemptTime: Int64?

    public init(_ parameters: VRRPInstanceParameters) {
        let normalized = parameters.normalized
        precondition(normalized.priority >= 1, "priority is 1...255")
        self.parameters = normalized
        basePriority = normalized.priority
        effectivePriority = normalized.priority
        masterAdvertIntervalCentiseconds = normalized.advertIntervalCentiseconds
    }

    // MARK: Queries

    /// When the caller must call `tick(now:)` next; nil when nothing is pending.
    public var nextDeadline: Int64? {
        func earlier(_ a: Int64?, _ b: Int64?) -> Int64? {
            guard let a else { return b }
            guard let b else { return a }
            return min(a, b)
        }
        return earlier(instanceDeadline, earlier(garpDeadline, garpRefreshDeadline))
    }

    /// The advert to send for a `.sendAdvertisement(priority:)` action.
    public func advertisement(priority: UInt8) -> VRRPAdvertisement {
        VRRPAdvertisement(version: parameters.version, vrid: parameters.vrid, priority: priority,
                          intervalCentiseconds: parameters.advertIntervalCentiseconds,
                          addresses: parameters.virtualAddresses, authentication: parameters.authentication)
    }

    /// What received packets are checked against for this instance.
    public var receiveRules: VRRPReceiveRules {
        var rules = VRRPReceiveRules(version: parameters.version, vrid: parameters.vrid,
                                     intervalCentiseconds: parameters.advertIntervalCentiseconds,
                                     authentication: parameters.authentication, addresses: parameters.virtualAddresses,
                                     unicast: parameters.unicast)
        if parameters.skipCheckAdvertAddresses { rules.addressCheckExemptSource = masterAddress }
        rules.allowedSources = parameters.acceptedSources
        return rules
    }

    /// Skew_Time at the current effective priority and master interval.
    public var skewTime: Int64 {
        VRRPTiming.skewTime(version: parameters.version, priority: effectivePriority,
                            masterAdvertIntervalCentiseconds: masterAdvertIntervalCentiseconds)
    }

    /// Master_Down_Interval at the current effective priority and master interval.
    public var masterDownInterval: Int64 {
        VRRPTiming.masterDownInterval(version: parameters.version, priority: effectivePriority,
                                      masterAdvertIntervalCentiseconds: masterAdvertIntervalCentiseconds,
                                      downTimerAdverts: parameters.downTimerAdverts)
    }

    private var advertInterval: Int64 {
        Int64(parameters.advertIntervalCentiseconds) * VRRPTiming.microsecondsPerCentisecond
    }

    // MARK: Inputs

    /// Starts the instance as keepalived does at start-up (see the type's documentation).
    public mutating func start(now: Int64, actions: inout [VRRPAction]) {
        precondition(state == .initial, "start is called once")
        masterAdvertIntervalCentiseconds = parameters.advertIntervalCentiseconds
        actions.append(.removeVirtualAddresses)
        if isFaulted {
            state = .fault
            actions.append(.notify(.fault))
            return
        }
        if parameters.initialState == .master && basePriority == VRRPPriority.owner {
            becomeMaster(now: now, actions: &actions)
            return
        }
        state = .backup
        if parameters.initialState == .master {
            // keepalived: "allow one adver_int to pass to ensure there is no other master".
            downTimer = advertInterval + VRRPTiming.skew(version: parameters.version, priorityValue: 1,
                                                         masterAdvertIntervalCentiseconds: masterAdvertIntervalCentiseconds)
        } else {
            downTimer = masterDownInterval
        }
        instanceDeadline = now + downTimer
        actions.append(.notify(.backup))
    }

    /// Starts straight in MASTER, for a VRRP process restarted while it was MASTER: the VIPs
    /// stay (re-added, which is harmless), an advert goes out at once and ARP caches are
    /// refreshed. No notify: nothing changed for the outside world. A faulted instance starts
    /// as `start` would.
    public mutating func resumeAsMaster(now: Int64, actions: inout [VRRPAction]) {
        precondition(state == .initial, "start is called once")
        guard !isFaulted else {
            start(now: now, actions: &actions)
            return
        }
        masterAdvertIntervalCentiseconds = parameters.advertIntervalCentiseconds
        enterMaster(now: now, actions: &actions, notify: false)
    }

    /// An advert that passed `VRRPPacket.decode` with this instance's `receiveRules`.
    public mutating func receive(_ advert: VRRPReceivedAdvertisement, now: Int64, actions: inout [VRRPAction]) {
        advertReceived(from: advert.source, priority: advert.advertisement.priority,
                       intervalCentiseconds: advert.advertisement.intervalCentiseconds, now: now, actions: &actions)
    }

    /// An accepted advert from `source` (its primary address) with `priority` and, for v3, the
    /// master's interval. Ignored unless BACKUP or MASTER.
    public mutating func advertReceived(from source: IPv4Address, priority: UInt8, intervalCentiseconds: UInt16,
                                        now: Int64, actions: inout [VRRPAction]) {
        switch state {
        case .backup:
            backupReceived(from: source, priority: priority, intervalCentiseconds: intervalCentiseconds, now: now)
        case .master:
            masterReceived(from: source, priority: priority, intervalCentiseconds: intervalCentiseconds,
                           now: now, actions: &actions)
        case .initial, .fault, .stop:
            return
        }
    }

    /// Processes every deadline at or before `now`.
    public mutating func tick(now: Int64, actions: inout [VRRPAction]) {
        if let deadline = instanceDeadline, deadline <= now {
            switch state {
            case .backup:
                becomeMaster(now: now, actions: &actions)
            case .master:
                actions.append(.sendAdvertisement(priority: effectivePriority))
                instanceDeadline = now + advertInterval
            case .initial, .fault, .stop:
                instanceDeadline = nil
            }
        }
        if let deadline = garpDeadline, deadline <= now {
            garpDeadline = nil
            if state == .master { actions.append(.sendGratuitousARP(rounds: parameters.garpMasterRepeat)) }
        }
        if let deadline = garpRefreshDeadline, deadline <= now {
            if state == .master {
                actions.append(.sendGratuitousARP(rounds: parameters.garpMasterRefreshRepeat))
                garpRefreshDeadline = now + parameters.garpMasterRefresh
            } else {
                garpRefreshDeadline = nil
            }
        }
    }

    /// Sets the sum of the tracked objects' weights (each failing script's negative weight or
    /// succeeding script's positive weight, as keepalived applies them). The effective priority
    /// is the configured one plus this, clamped to 1...254; the owner stays at 255.
    public mutating func setPriorityAdjustment(_ adjustment: Int) {
        priorityAdjustment = adjustment
        updateEffectivePriority()
    }

    /// Interface down or a tracked object in fault (true), or all clear again (false).
    public mutating func setFault(_ faulted: Bool, now: Int64, actions: inout [VRRPAction]) {
        guard faulted != isFaulted else { return }
        isFaulted = faulted
        switch state {
        case .initial, .stop:
            return
        case .backup, .master:
            guard faulted else { return }
            if state == .master { leaveMaster(sendingPriorityZero: true, actions: &actions) }
            state = .fault
            instanceDeadline = nil
            preemptTime = nil
            masterAdvertIntervalCentiseconds = parameters.advertIntervalCentiseconds
            actions.append(.notify(.fault))
        case .fault:
            guard !faulted else { return }
            state = .backup
            preemptTime = nil
            masterAdvertIntervalCentiseconds = parameters.advertIntervalCentiseconds
            downTimer = masterDownInterval
            instanceDeadline = now + downTimer
            actions.append(.notify(.backup))
        }
    }

    /// Graceful stop: a MASTER hands over with a priority 0 advert (the BACKUP takes over after
    /// its skew time) and removes its VIPs.
    public mutating func shutdown(now: Int64, actions: inout [VRRPAction]) {
        guard state != .stop else { return }
        if state == .master { leaveMaster(sendingPriorityZero: true, actions: &actions) }
        state = .stop
        instanceDeadline = nil
        actions.append(.notify(.stop))
    }

    // MARK: Transitions

    private mutating func backupReceived(from source: IPv4Address, priority: UInt8, intervalCentiseconds: UInt16,
                                         now: Int64) {
        if priority == VRRPPriority.stop {
            downTimer = skewTime
            instanceDeadline = now + downTimer
            return
        }
        let delaying = parameters.preemptDelay > 0 && (preemptTime.map { $0 > now } ?? true)
        guard !parameters.preempt || priority >= effectivePriority || delaying else {
            // A lower priority while preempting: ignored, the down timer keeps running.
            return
        }
        if parameters.version == .v3 { masterAdvertIntervalCentiseconds = intervalCentiseconds }
        downTimer = masterDownInterval
        instanceDeadline = now + downTimer
        masterAddress = source
        masterPriority = priority
        if parameters.preemptDelay > 0 {
            if priority >= effectivePriority {
                preemptTime = nil
            } else if preemptTime == nil {
                preemptTime = now + parameters.preemptDelay
            }
        }
    }

    private mutating func masterReceived(from source: IPv4Address, priority: UInt8, intervalCentiseconds: UInt16,
                                         now: Int64, actions: inout [VRRPAction]) {
        if priority == VRRPPriority.stop {
            advertiseNow(now: now, actions: &actions)
            return
        }
        if priority == effectivePriority {
            // Our own address at our priority: keepalived only warns.
            if source == parameters.primaryAddress { return }
            if effectivePriority == VRRPPriority.owner {
                // Two address owners: a configuration error; keepalived lowers its own priority.
                basePriority = VRRPPriority.owner - 1
                updateEffectivePriority()
            }
        }
        if priority < effectivePriority || (priority == effectivePriority && source < parameters.primaryAddress) {
            advertiseNow(now: now, actions: &actions)
            return
        }
        if parameters.version == .v3 { masterAdvertIntervalCentiseconds = intervalCentiseconds }
        masterAddress = source
        masterPriority = priority
        leaveMaster(sendingPriorityZero: false, actions: &actions)
        state = .backup
        preemptTime = nil
        downTimer = masterDownInterval
        instanceDeadline = now + downTimer
        actions.append(.notify(.backup))
    }

    private mutating func advertiseNow(now: Int64, actions: inout [VRRPAction]) {
        actions.append(.sendAdvertisement(priority: effectivePriority))
        instanceDeadline = now + advertInterval
    }

    private mutating func becomeMaster(now: Int64, actions: inout [VRRPAction]) {
        enterMaster(now: now, actions: &actions, notify: true)
    }

    /// Sends the advert first so that the old master drops the VIPs before our ARPs go out.
    private mutating func enterMaster(now: Int64, actions: inout [VRRPAction], notify: Bool) {
        state = .master
        ahSequence.resetIfCycled()
        becameMasterCount += 1
        actions.append(.sendAdvertisement(priority: effectivePriority))
        actions.append(.addVirtualAddresses)
        actions.append(.sendGratuitousARP(rounds: parameters.garpMasterRepeat))
        if notify { actions.append(.notify(.master)) }
        instanceDeadline = now + advertInterval
        garpDeadline = parameters.garpMasterDelay > 0 ? now + parameters.garpMasterDelay : nil
        garpRefreshDeadline = parameters.garpMasterRefresh > 0 ? now + parameters.garpMasterRefresh : nil
    }

    /// Leaving MASTER on fault or shutdown sends priority 0 first, so a BACKUP takes over after
    /// its skew time (keepalived sends it twice on fault; once is enough). Yielding to a better
    /// master sends nothing.
    private mutating func leaveMaster(sendingPriorityZero: Bool, actions: inout [VRRPAction]) {
        if sendingPriorityZero { actions.append(.sendAdvertisement(priority: VRRPPriority.stop)) }
        actions.append(.removeVirtualAddresses)
        releasedMasterCount += 1
        garpDeadline = nil
        garpRefreshDeadline = nil
    }

    private mutating func updateEffectivePriority() {
        let priority = VRRPPriority.effective(base: basePriority, adjustment: priorityAdjustment)
        guard priority != effectivePriority else { return }
        let oldDownTimer = downTimer
        effectivePriority = priority
        downTimer = masterDownInterval
        if state == .backup, let deadline = instanceDeadline {
            instanceDeadline = deadline + (downTimer - oldDownTimer)
        }
    }
}
