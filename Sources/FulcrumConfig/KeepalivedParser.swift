/// Reads keepalived.conf syntax into drafts. One parser lives for a whole
/// `ConfigParser.parse` call so blocks from several sources (whole keepalived
/// files or blocks inside Fulcrum files) merge into one configuration;
/// `resolve` (VRRPValidation.swift) then applies keepalived's rules. Each
/// top-level block's keywords are read in a file of its own
/// (KeepalivedGlobalDefs, KeepalivedScriptBlock, KeepalivedInstanceBlock,
/// KeepalivedSyncGroupBlock), with the readers they share in KeepalivedArguments.
///
/// `include` is refused: the daemon hands every file to the parser itself,
/// so list each file with its own `-f` instead.
public struct KeepalivedParser {
    var globalDefinitions = VRRPGlobalDefinitions()
    var scripts: [VRRPScript] = []
    var trackedProcesses: [VRRPTrackedProcess] = []
    var instances: [VRRPInstanceDraft] = []
    var syncGroups: [VRRPSyncGroup] = []
    var statics = VRRPStaticSettings()
    var bgpDefinitions = BGPDefinitions()
    var bgpInstances: [BGPInstanceConfig] = []
    /// keepalived's config id (`-i`): lines `@ID ...` apply when it is ID,
    /// lines `@^ID ...` when it is not. nil: no id, so only `@^` lines apply.
    var configID: String?
    /// Finds and reads the files of an `include` line (KeepalivedInclude.swift).
    var includeResolver: KeepalivedIncludeResolver?
    /// vrrp_script blocks dropped for having no `script` (a track_script naming
    /// one is ignored with keepalived's warning, not refused as a typo).
    var removedScripts: Set<String> = []
    /// The environment variable the daemon carries `-i` in, to every process.
    public static let configIDVariable = "FULCRUM_KEEPALIVED_CONFIG_ID"
    var diagnostics: [Diagnostic] = []
    /// keepalived gives a rule written without a preference the next one down from 16384.
    var nextRulePriority: UInt32 = 16384

    mutating func alert(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.alert, at, message)) }
    mutating func warning(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.warning, at, message)) }
    mutating func notice(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.notice, at, message)) }

    /// True when the first keyword of the text (comments and blank lines
    /// skipped) opens a keepalived top-level block: the whole source is then
    /// read as keepalived.conf.
    static func isKeepalivedSource(_ text: String) -> Bool {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var (words, _) = KeepalivedTokenizer.split(line, file: "", line: 0)
            // A conditional line (`@ID keyword ...`) is judged by its keyword.
            if words.first?.text.hasPrefix("@") == true { words.removeFirst() }
            guard let first = words.first else { continue }
            // HAProxy has no `include`: a file opening with one is keepalived's.
            return KeepalivedKeywords.topLevelBlocks.contains(first.text) || first.text == "include"
        }
        return false
    }

    /// Reads keepalived text; `firstLine` is the line number of its first line
    /// in `file` (blocks inside a Fulcrum file keep their own line numbers).
    mutating func read(_ text: String, file: String, firstLine: Int = 1) {
        let (read, tokenDiagnostics) = KeepalivedTokenizer.tokenize(text, file: file, firstLine: firstLine, configID: configID)
        diagnostics += tokenDiagnostics
        let tokens = expandIncludes(read)
        let (nodes, treeDiagnostics) = KeepalivedTreeBuilder.build(tokens)
        diagnostics += treeDiagnostics
        for node in nodes { topLevel(node) }
    }

    // MARK: Top level

    private mutating func topLevel(_ node: KeepalivedNode) {
        let word = node.keyword.text
        switch word {
        case "global_defs":
            guard let block = needsBlock(node) else { return }
            if globalDefinitions.location == nil { globalDefinitions.location = node.keyword.location }
            for item in block { globalKeyword(item) }
        case "vrrp_script":
            guard let name = blockName(node), let block = needsBlock(nodeWithoutName(node)) else { return }
            if let first = scripts.first(where: { $0.name == name.text }) {
                alert(name.location, "vrrp_script \(name.text) already defined at \(first.location)")
                return
            }
            var script = VRRPScript(name: name.text, location: node.keyword.location)
            for item in block { scriptKeyword(item, &script) }
            guard script.command != nil else {
                // As keepalived: the script is dropped, and instances tracking it ignore it.
                warning(node.keyword.location, "No script set for vrrp_script \(name.text) - removing")
                removedScripts.insert(name.text)
                return
            }
            scripts.append(script)
        case "vrrp_track_process":
            guard let name = blockName(node), let block = needsBlock(nodeWithoutName(node)) else { return }
            if let first = trackedProcesses.first(where: { $0.name == name.text }) {
                alert(name.location, "vrrp_track_process \(name.text) already defined at \(first.location)")
                return
            }
            var p = VRRPTrackedProcess(name: name.text, location: node.keyword.location)
            for item in block { trackProcessKeyword(item, &p) }
            guard p.process != nil else {
                alert(node.keyword.location, "(\(name.text)) vrrp_track_process has no 'process'")
                return
            }
            if p.quorumMax < p.quorum {
                alert(node.keyword.location, "(\(name.text)) quorum_max \(p.quorumMax) is below quorum \(p.quorum)")
                return
            }
            trackedProcesses.append(p)
        case "vrrp_instance":
            guard let name = blockName(node), let block = needsBlock(nodeWithoutName(node)) else { return }
            if let first = instances.first(where: { $0.instance.name == name.text }) {
                alert(name.location, "vrrp instance \(name.text) already defined at \(first.instance.location)")
                return
            }
            var draft = VRRPInstanceDraft(instance: VRRPInstanceConfig(name: name.text, location: node.keyword.location))
            for item in block { instanceKeyword(item, &draft) }
            instances.append(draft)
        case "vrrp_sync_group":
            guard let name = blockName(node), let block = needsBlock(nodeWithoutName(node)) else { return }
            if let first = syncGroups.first(where: { $0.name == name.text }) {
                alert(name.location, "vrrp sync group \(name.text) already defined at \(first.location)")
                return
            }
            var group = VRRPSyncGroup(name: name.text, location: node.keyword.location)
            for item in block { syncGroupKeyword(item, &group) }
            syncGroups.append(group)
        case "bgp_defs", "bgp_instance":
            bgpBlock(node)
        case "static_ipaddress":
            guard let block = needsBlock(node) else { return }
            for line in block {
                guard let a = virtualAddress(line, instance: "static_ipaddress") else { continue }
                if a.address.isIPv4 { statics.addresses.append(a) } else {
                    alert(a.location, "IPv6 static address '\(line.keyword.text)' is not supported: Fulcrum adds IPv4 addresses only")
                }
            }
        case "static_routes":
            guard let block = needsBlock(node) else { return }
            for line in block { if let r = route(line) { statics.routes.append(r) } }
        case "static_rules":
            guard let block = needsBlock(node) else { return }
            for line in block { if let r = rule(line) { statics.rules.append(r) } }
        default:
            if KeepalivedKeywords.unservedTopLevel.contains(word) {
                alert(node.keyword.location, "keepalived keyword '\(word)' is not supported")
            } else {
                let all = KeepalivedKeywords.servedBlocks
                let hint = Suggestion.didYouMean(word, among: all)
                alert(node.keyword.location, "unknown keyword '\(word)' at the top level of a keepalived configuration\(hint)")
            }
        }
    }

    mutating func blockName(_ node: KeepalivedNode) -> KeepalivedToken? {
        guard let name = node.arguments.first else {
            alert(node.keyword.location, "\(node.keyword.text) must have a name")
            return nil
        }
        return name
    }

    func nodeWithoutName(_ node: KeepalivedNode) -> KeepalivedNode {
        var n = node
        n.arguments = Array(node.arguments.dropFirst())
        return n
    }
}
