/// An instance as read, before keepalived's end-of-configuration rules
/// (defaults from the state, global_defs fallbacks, clearing) are applied.
struct VRRPInstanceDraft {
    var instance: VRRPInstanceConfig
    var state: VRRPConfiguredState?
    var priority: Int?
    var advertMicroseconds: Int?
    var advertLocation: SourceLocation?
    var version: Int?
    var authType: KeepalivedToken?
    var authPass: String?
    var authLocation: SourceLocation?
    var garpMasterDelay: Int?
    var garpMasterRepeat: Int?
    var garpMasterRefresh: Int?
    var garpMasterRefreshRepeat: Int?
    var garpLowerPriorityRepeat: Int?
    var garpLowerPriorityRepeatLocation: SourceLocation?
    var garpLowerPriorityDelay: Int?
    var garpLowerPriorityDelayLocation: SourceLocation?
    var stateLocation: SourceLocation?
    var strict: Bool?
    var skipCheckAdvertAddresses: Bool?
    var checkUnicastSourceLocation: SourceLocation?
    var nopreemptLocation: SourceLocation?
    var preemptDelayLocation: SourceLocation?
    var smtpAlert: Bool?
    /// `use_vmac` was written (its name, if any, is in the instance).
    var useVMAC = false
}
