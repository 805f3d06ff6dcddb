/// The state of one `ConfigParser.parse` call: reads every source line by
/// line (conditional blocks, section headers, keywords), accumulating
/// sections and diagnostics; `finish()` resolves and validates.
struct ParseSession {
    /// What `"${NAME}"` expands from; `setenv` and its kin change it.
    var environment: [String: String]
    var diagnostics: [Diagnostic] = []
    var global = GlobalSettings()
    var globalLocations: [String: SourceLocation] = [:]
    /// Every proxy-like section in declaration order, defaults included.
    var drafts: [ProxyDraft] = []
    /// The section lines currently go to.
    var current: CurrentSection = .none
    /// Index in `drafts` of the most recent defaults section.
    var lastDefaults: Int? = nil
    var programs: [Program] = []
    var userlists: [UserlistDraft] = []
    /// `ring` sections in declaration order.
    var rings: [RingSection] = []
    /// `http-errors` sections, for `errorfiles`.
    var httpErrors: [HTTPErrorsSection] = []
    /// `resolvers` sections (ResolversSectionParsing.swift).
    var resolvers: [ResolversSection] = []
    /// `cache` sections in declaration order.
    var caches: [CacheSection] = []
    /// `peers` sections in declaration order (PeersSectionKeywords.swift).
    var peers: [PeersSection] = []
    /// Per `peers` section, the form its lines took: "peer" or "bind" (server).
    var peersForm: [Int: String] = [:]
    /// `mailers` sections (MailersSectionKeywords.swift).
    var mailers: [MailersSection] = []
    /// keepalived.conf blocks from every source (whole files or blocks inside Fulcrum files).
    var keepalived = KeepalivedParser()
    /// Every TLS keyword read, where it was written; refused at the end
    /// per `tlsServing` (TLSRefusal.swift).
    var tlsUses: [TLSKeywordUse] = []
    /// ACL files, map files and ACL lines' inline patterns, numbered as HAProxy does.
    var patternReferences = PatternReferenceRegistry()
    /// Set while a `use_backend` name is read: HAProxy numbers its map files last.
    var deferPatternReferences = false
    /// Stick table converters read, checked once every table is known.
    var stickTableConverters: [(StickTableConverter, SourceLocation)] = []
    var tlsServing = TLSServing.none
    /// What `.if enabled(X)` answers true for (`-dV` adds SERVER-SSL-VERIFY-NONE).
    var enabledOptions = ConfigParser.enabledOptions

    enum CurrentSection {
        case none
        case global
        case proxy(Int)
        case program(Int)
        case userlist(Int)
        case ring(Int)
        case httpErrors(Int)
        case resolvers(Int)
        case cache(Int)
        case peers(Int)
        case mailers(Int)
        /// A section Fulcrum does not serve yet; its body is skipped.
        case skipped(String)
    }

    init(environment: [String: String]) {
        self.environment = environment
        keepalived.configID = environment[KeepalivedParser.configIDVariable]
    }

    // MARK: Diagnostics

    mutating func alert(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.alert, at, message)) }
    mutating func warning(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.warning, at, message)) }
    mutating func notice(_ at: SourceLocation?, _ message: String) { diagnostics.append(Diagnostic(.notice, at, message)) }

    // MARK: Reading sources

    /// One open `.if` level.
    struct ConditionFrame {
        var location: SourceLocation
        var parentActive: Bool
        var taken: Bool
        var active: Bool
        var sawElse: Bool
    }

    /// Lines of a keepalived block inside a Fulcrum file, gathered until its braces balance.
    struct KeepalivedBlock {
        var firstLine: Int
        var lines: [Substring] = []
        var depth = 0
        var opened = false

        /// Takes the line if it belongs to the block; false when the block ended before it.
        mutating func take(_ line: Substring, file: String, number: Int) -> Bool {
            let (words, _) = KeepalivedTokenizer.split(line, file: file, line: number)
            if !opened, !lines.isEmpty, let first = words.first, !first.isOpen { return false }
            lines.append(line)
            for w in words {
                if w.isOpen { depth += 1; opened = true } else if w.isClose { depth -= 1 }
            }
            return true
        }
        var isComplete: Bool { opened && depth <= 0 }
    }

    mutating func read(_ source: ConfigSource) {
        // As in HAProxy, a section does not continue into the next file.
        current = .none
        if KeepalivedParser.isKeepalivedSource(source.text) {
            keepalived.read(source.text, file: source.name)
            return
        }
        var frames: [ConditionFrame] = []
        var lineNumber = 0
        var block: KeepalivedBlock? = nil
        func flush(_ block: KeepalivedBlock, into parser: inout KeepalivedParser) {
            parser.read(block.lines.joined(separator: "\n"), file: source.name, firstLine: block.firstLine)
        }
        for rawLine in source.text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if var pending = block {
                if pending.take(rawLine, file: source.name, number: lineNumber) {
                    if pending.isComplete { flush(pending, into: &keepalived); block = nil } else { block = pending }
                    continue
                }
                flush(pending, into: &keepalived)
                block = nil
            }
            let active = frames.last?.active ?? true
            // A keepalived block keyword starts a block read with keepalived's
            // syntax; the HAProxy section in progress ends there.
            if active, let keyword = KeepalivedTokenizer.split(rawLine, file: source.name, line: lineNumber).0.first,
               !keyword.quoted, KeepalivedKeywords.topLevelBlocks.contains(keyword.text) {
                current = .none
                var pending = KeepalivedBlock(firstLine: lineNumber)
                _ = pending.take(rawLine, file: source.name, number: lineNumber)
                if pending.isComplete { flush(pending, into: &keepalived) } else { block = pending }
                continue
            }
            let tokenizer = LineTokenizer(environment: environment, pseudoVariables: [
                ".FILE": source.name, ".LINE": String(lineNumber), ".SECTION": currentSectionName,
            ])
            let (words, failure) = tokenizer.split(String(rawLine))
            if let failure {
                if active { alert(SourceLocation(file: source.name, line: lineNumber, column: failure.column), failure.message) }
                continue
            }
            guard let first = words.first else { continue }
            func at(_ w: Word) -> SourceLocation { SourceLocation(file: source.name, line: lineNumber, column: w.column) }
            if first.text.hasPrefix(".") {
                directive(words, active: active, frames: &frames, at: at)
                continue
            }
            guard active else { continue }
            statement(words, at: at)
        }
        if let block { flush(block, into: &keepalived) }
        if source.isFile, let last = source.text.split(separator: "\n", omittingEmptySubsequences: false).last, !last.isEmpty {
            let position = last.utf8.count + 1
            alert(SourceLocation(file: source.name, line: lineNumber, column: position),
                  "Missing LF on last line, file might have been truncated at position \(position).")
        }
        for frame in frames.reversed() {
            alert(frame.location, "'.if' block is not terminated: missing '.endif' before the end of the file")
        }
    }

    var currentSectionName: String {
        switch current {
        case .none: return ""
        case .global: return "global"
        case .proxy(let i): return drafts[i].name ?? drafts[i].kind.rawValue
        case .program(let i): return programs[i].name
        case .userlist(let i): return userlists[i].list.name
        case .ring(let i): return rings[i].name
        case .httpErrors(let i): return httpErrors[i].name
        case .resolvers(let i): return resolvers[i].name
        case .cache(let i): return caches[i].name
        case .peers(let i): return peers[i].name
        case .mailers(let i): return mailers[i].name
        case .skipped(let s): return s
        }
    }

    static let directives = [".if", ".elif", ".else", ".endif", ".diag", ".notice", ".warning", ".alert"]

    private mutating func directive(_ words: [Word], active: Bool, frames: inout [ConditionFrame],
                                    at: (Word) -> SourceLocation) {
        let name = words[0].text
        let loc = at(words[0])
        let conditionText = words.dropFirst().map(\.text).joined(separator: " ")
        let conditionLocation = words.count > 1 ? at(words[1]) : loc
        switch name {
        case ".if":
            var result = false
            if active { result = evaluate(conditionText, directive: name, at: conditionLocation) }
            frames.append(ConditionFrame(location: loc, parentActive: active, taken: result, active: active && result, sawElse: false))
        case ".elif":
            guard var frame = frames.popLast() else {
                if active { alert(loc, "'.elif' without a matching '.if'") }
                return
            }
            if frame.sawElse {
                alert(loc, "'.elif' after '.else' in the '.if' block opened at \(frame.location)")
            }
            if frame.parentActive && !frame.taken {
                let result = evaluate(conditionText, directive: name, at: conditionLocation)
                frame.active = result
                frame.taken = result
            } else {
                frame.active = false
            }
            frames.append(frame)
        case ".else", ".endif":
            if words.count > 1 { alert(at(words[1]), "'\(name)' takes no argument") }
            guard var frame = frames.popLast() else {
                if active { alert(loc, "'\(name)' without a matching '.if'") }
                return
            }
            if name == ".endif" { return }
            if frame.sawElse {
                alert(loc, "'.else' used twice in the '.if' block opened at \(frame.location)")
            }
            frame.sawElse = true
            frame.active = frame.parentActive && !frame.taken
            frame.taken = true
            frames.append(frame)
        case ".diag", ".notice", ".warning", ".alert":
            guard active else { return }
            guard words.count >= 2 else {
                alert(loc, "'\(name)' expects a message as its argument")
                return
            }
            if words.count > 2 {
                alert(at(words[2]), "unexpected argument '\(words[2].text)' for '\(name)'. Use quotes if the message should contain spaces.")
                return
            }
            // There is no diagnostic mode: `.diag` messages are emitted as notices.
            switch name {
            case ".alert": alert(loc, words[1].text)
            case ".warning": warning(loc, words[1].text)
            default: notice(loc, words[1].text)
            }
        default:
            guard active else { return }
            let hint = Suggestion.didYouMean(name, among: Self.directives)
            alert(loc, "unknown directive '\(name)'\(hint)")
        }
    }

    private mutating func evaluate(_ text: String, directive: String, at loc: SourceLocation) -> Bool {
        let evaluator = ConditionEvaluator(environment: environment, version: ConfigParser.compatibleVersion,
                                           features: ConfigParser.features,
                                           enabledOptions: enabledOptions,
                                           knownOptions: ConfigParser.knownEnabledOptions)
        switch evaluator.evaluate(text) {
        case .success(let v): return v
        case .failure(let f):
            alert(loc, "in '\(directive)': \(f.message)")
            return false
        }
    }

    // MARK: Statements

    static let sectionKeywords = ["global", "defaults", "frontend", "backend", "listen", "program", "userlist", "ring", "http-errors", "resolvers", "cache", "peers", "mailers"]

    private mutating func statement(_ words: [Word], at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        if let kind = SectionKind(rawValue: keyword) {
            openSection(kind, words, at: at)
            return
        }
        // The sections with a parser of their own.
        switch keyword {
        case "program": openProgram(words, at: at); return
        case "userlist": openUserlist(words, at: at); return
        case "ring": openRing(words, at: at); return
        case "http-errors": openHTTPErrors(words, at: at); return
        case "resolvers": openResolvers(words, at: at); return
        case "cache": openCache(words, at: at); return
        case "peers": openPeers(words, at: at); return
        case "mailers": openMailers(words, at: at); return
        default: break
        }
        if HAProxyKeywords.otherSections.contains(keyword) {
            alert(at(words[0]), "section '\(keyword)' is not supported yet")
            current = .skipped(keyword)
            return
        }
        switch current {
        case .none:
            let all = Self.sectionKeywords + HAProxyKeywords.otherSections.sorted()
            let hint = Suggestion.didYouMean(keyword, among: all)
            alert(at(words[0]), "unknown keyword '\(keyword)' out of section\(hint)")
        case .global:
            globalKeyword(words, at: at)
        case .proxy(let index):
            proxyKeyword(words, draft: index, at: at)
        case .program(let index):
            programKeyword(words, program: index, at: at)
        case .userlist(let index):
            userlistKeyword(words, userlist: index, at: at)
        case .ring(let index):
            ringKeyword(words, ring: index, at: at)
        case .httpErrors(let index):
            httpErrorsKeyword(words, section: index, at: at)
        case .resolvers(let index):
            resolversKeyword(words, section: index, at: at)
        case .cache(let index):
            cacheKeyword(words, cache: index, at: at)
        case .peers(let index):
            peersKeyword(words, section: index, at: at)
        case .mailers(let index):
            mailersKeyword(words, section: index, at: at)
        case .skipped:
            break
        }
    }

    private mutating func openSection(_ kind: SectionKind, _ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        if kind == .global {
            if words.count > 1 { alert(at(words[1]), "'global' takes no argument") }
            current = .global
            return
        }
        var name: String? = nil
        var fromName: String? = nil
        var fromWord: Word? = nil
        var rest = Array(words.dropFirst())
        if let first = rest.first, !(kind == .defaults && first.text == "from") {
            name = first.text
            rest.removeFirst()
            if first.text.isEmpty {
                alert(at(first), "\(kind.rawValue) name must not be empty")
            } else if let bad = ValueParsers.invalidNameCharacter(first.text) {
                alert(at(first), "character '\(bad)' is not permitted in \(kind.rawValue) name '\(first.text)'")
            }
        } else if kind != .defaults {
            alert(loc, "'\(kind.rawValue)' expects <name> as an argument")
        }
        if let f = rest.first, f.text == "from" {
            rest.removeFirst()
            if let target = rest.first {
                fromName = target.text; fromWord = target
                rest.removeFirst()
            } else {
                alert(at(f), "'from' expects the name of a defaults section")
            }
        }
        for extra in rest {
            alert(at(extra), "unexpected argument '\(extra.text)' after '\(kind.rawValue)\(name.map { " " + $0 } ?? "")'")
        }
        var settings = ProxySettings()
        if let fromName, let fromWord {
            let matches = drafts.indices.filter { drafts[$0].kind == .defaults && drafts[$0].name == fromName }
            if matches.isEmpty {
                alert(at(fromWord), "defaults section '\(fromName)' not found (it must be declared before it is used)")
            } else {
                if matches.count > 1 {
                    let where_ = matches.map { drafts[$0].location.description }.joined(separator: ", ")
                    alert(at(fromWord), "defaults section name '\(fromName)' is ambiguous: declared at \(where_)")
                }
                settings = drafts[matches.last!].settings
            }
        } else if kind != .defaults, let last = lastDefaults {
            // A proxy starts from the most recent defaults section; a defaults
            // section without "from" resets everything to HAProxy's defaults.
            settings = drafts[last].settings
        }
        let draft = ProxyDraft(kind: kind, name: name, location: loc, settings: settings)
        drafts.append(draft)
        let index = drafts.count - 1
        if kind == .defaults { lastDefaults = index }
        current = .proxy(index)
    }

    mutating func finish() -> ParseResult {
        clampMaxRewrite()
        var configuration = Configuration()
        configuration.global = global
        if let n = global.nbthread, global.workers == nil {
            notice(globalLocations["nbthread"],
                   "'nbthread \(n)' without 'workers': Fulcrum runs \(n) single-threaded worker process\(n == 1 ? "" : "es") (set 'workers' to choose the number of workers explicitly)")
        }
        configuration.userlists = validatedUserlists()
        configuration.rings = validatedRings()
        configuration.caches = validatedCaches()
        buildAndValidate(into: &configuration)
        validateResolvers(&configuration)
        checkCacheReferences(configuration)
        configuration.mailers = validatedMailers(configuration)
        resolveTLS(&configuration)
        refuseUnservedTLS()
        configuration.programs = validatedPrograms()
        configuration.patternReferences = patternReferences.finish()
        let hasProxies = drafts.contains { $0.kind != .defaults }
        configuration.vrrp = keepalived.resolve(backends: Set(configuration.backends.map(\.name)), hasProxies: hasProxies)
        configuration.bgp = keepalived.resolveBGP(backends: Set(configuration.backends.map(\.name)),
                                                  frontends: Set(configuration.frontends.map(\.name)), hasProxies: hasProxies)
        diagnostics += keepalived.diagnostics
        return ParseResult(configuration: configuration, diagnostics: diagnostics)
    }
}
