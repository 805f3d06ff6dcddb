import FulcrumConfig

/// A compiled `set-map|del-map|add-acl|del-acl(FILE)` action: its key and
/// value formats, and the pattern store of the process that runs it (the
/// one the rules were compiled with, whose references the maps and ACLs
/// read). Running it expands the formats and changes the store, which
/// reports the change for the other processes (`PatternStore.onRuleChange`).
struct CompiledPatternFileAction {
    let kind: PatternFileAction.Kind
    let file: String
    let key: CompiledLogFormat
    let value: CompiledLogFormat?
    let store: PatternStore?

    init(_ a: PatternFileAction) throws {
        kind = a.kind
        file = a.file
        key = try CompiledLogFormat(a.key)
        value = try a.value.map { try CompiledLogFormat($0) }
        store = PatternStore.compiling
    }

    func run(context: HTTPRuleContext, acls: ACLSet?) {
        guard let store else { return }
        let k = key.string(context: context, acls: acls)
        // HAProxy's action stops on an empty key (the sample failed).
        guard !k.isEmpty else { return }
        store.ruleChange(PatternFileChange(kind: kind, file: file, key: k, value: value?.string(context: context, acls: acls)))
    }
}
