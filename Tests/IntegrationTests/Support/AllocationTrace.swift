import Glibc

/// One allocation's call stack as the counter library recorded it.
struct AllocationTrace {
    var pid: pid_t
    var kind: String
    var size: Int
    /// Innermost first; the first ones are the counter library and the
    /// allocator itself.
    var returnAddresses: [UInt64]
}

/// Tells where a live process allocates: groups its recorded stacks and
/// names their frames with llvm-symbolizer (Swift names through
/// swift-demangle), so a failing budget test says which call sites to fix.
/// Falls back to "module+offset" when the tools are missing.
struct AllocationSites {
    /// One distinct stack, with how many recorded allocations took it.
    struct Site {
        var count: Int
        var kind: String
        var frames: [String]
    }

    let sites: [Site]

    /// `traces` of `pid`, which must still be running (its /proc/PID/maps
    /// places the addresses). Frames inside the counter library, libc's
    /// allocator and the Swift runtime's allocation entry points are dropped;
    /// `depth` frames are kept after them.
    init(traces: [AllocationTrace], pid: pid_t, depth: Int = 10) {
        let modules = LoadedModules(pid: pid)
        var names: [UInt64: String] = [:]
        var allocatorFrames: Set<UInt64> = []
        let addresses = Set(traces.flatMap(\.returnAddresses))
        for (module, entries) in Dictionary(grouping: addresses, by: { modules.locate($0)?.path ?? "?" }) {
            if Self.isAllocator(module: module) { allocatorFrames.formUnion(entries) }
            let offsets = entries.map { ($0, modules.locate($0).map { $0.offset } ?? $0) }
            let symbols = Self.symbolize(module: module, offsets: offsets.map { $0.1 })
            for (i, (address, offset)) in offsets.enumerated() {
                let short = module.split(separator: "/").last.map(String.init) ?? module
                names[address] = symbols?[i] ?? "\(short)+0x\(String(offset, radix: 16))"
            }
        }
        var grouped: [[String]: Site] = [:]
        var order: [[String]] = []
        for trace in traces {
            let kept = trace.returnAddresses.drop(while: allocatorFrames.contains).map { names[$0] ?? "?" }
                .drop(while: Self.isRuntimeAllocation).prefix(depth).map { $0 }
            if grouped[kept] == nil { order.append(kept) }
            grouped[kept, default: Site(count: 0, kind: trace.kind, frames: kept)].count += 1
        }
        sites = order.compactMap { grouped[$0] }.sorted { $0.count > $1.count }
    }

    /// The sites, most frequent first, with counts per `exchanges`.
    func report(exchanges: Int, limit: Int = 60) -> String {
        sites.prefix(limit).map { site in
            let per = Double(site.count) / Double(max(exchanges, 1))
            return "  \(site.count) \(site.kind) (\(formatted(per)) per exchange):\n"
                + site.frames.map { "      \($0)" }.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    private func formatted(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }

    /// The counter library and libc (its allocator, backtrace()): the
    /// innermost frames of every stack, the same for all.
    private static func isAllocator(module: String) -> Bool {
        let file = module.split(separator: "/").last ?? ""
        return file.hasPrefix("allocation_counter") || file.hasPrefix("libc.so") || file.hasPrefix("libgcc_s")
    }

    /// The Swift runtime's entry points every object and array allocation
    /// goes through: they say nothing about the call site.
    private static func isRuntimeAllocation(_ frame: String) -> Bool {
        ["swift_slowAlloc", "swift_allocObject", "swift_allocBox", "swift::swift_slowAlloc"].contains { frame.hasPrefix($0) }
    }

    /// One name per offset ("function at file:line", inlined callers joined
    /// with " < "), or nil when llvm-symbolizer is not installed.
    private static func symbolize(module: String, offsets: [UInt64]) -> [String]? {
        guard module.hasPrefix("/"), let symbolizer = Tools.find("llvm-symbolizer") else { return nil }
        // A return address points after the call: look one byte back.
        let input = offsets.map { "0x\(String($0 == 0 ? 0 : $0 - 1, radix: 16))" }.joined(separator: "\n") + "\n"
        guard let result = try? CommandRunner.run(symbolizer, ["--obj=\(module)", "--inlines", "--no-demangle"],
                                                  stdin: input, timeout: 120), result.succeeded else { return nil }
        // One block per address: (function, location) line pairs, then a blank line.
        let blocks = result.stdout.components(separatedBy: "\n\n")
        guard blocks.count >= offsets.count else { return nil }
        let demangled = demangle(blocks.prefix(offsets.count).map { block in
            let lines = block.split(separator: "\n").map(String.init)
            return stride(from: 0, to: lines.count - 1, by: 2).map { i in
                let location = lines[i + 1].split(separator: "/").last.map(String.init) ?? lines[i + 1]
                // "??:0:0" and "<compiler-generated>:0:0" place nothing.
                return location.hasSuffix(":0:0") ? lines[i] : "\(lines[i]) at \(location)"
            }.joined(separator: " < ")
        })
        return demangled
    }

    /// Swift's mangled names made readable, when swift-demangle is there.
    private static func demangle(_ lines: [String]) -> [String] {
        guard let tool = Tools.find("swift-demangle") ?? Tools.find("/opt/swift/usr/bin/swift-demangle"),
              let result = try? CommandRunner.run(tool, ["--simplified"], stdin: lines.joined(separator: "\n") + "\n",
                                                  timeout: 120), result.succeeded else { return lines }
        let out = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return out.count >= lines.count ? Array(out.prefix(lines.count)) : lines
    }
}

/// The files mapped into a process and where each is loaded, from
/// /proc/PID/maps: an address becomes (file, offset from its load base),
/// which is what a symbolizer takes for PIE executables and shared objects.
struct LoadedModules {
    private var ranges: [(start: UInt64, end: UInt64, path: String)] = []
    private var bases: [String: UInt64] = [:]

    init(pid: pid_t) {
        let text = FileBytes.readText("/proc/\(pid)/maps") ?? ""
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5].hasPrefix("/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16)
            else { continue }
            let path = fields[5...].joined(separator: " ")
            ranges.append((start, end, path))
            bases[path] = min(bases[path] ?? start, start)
        }
    }

    func locate(_ address: UInt64) -> (path: String, offset: UInt64)? {
        guard let range = ranges.first(where: { $0.start <= address && address < $0.end }),
              let base = bases[range.path] else { return nil }
        return (range.path, address - base)
    }
}
