import Glibc

/// Counts the heap allocations of a process started by a test, as swift-nio's
/// allocation-counter tests do: Tests/AllocationCounter/allocation_counter.c,
/// compiled here with `cc -shared -fPIC`, is preloaded into the process
/// (`environment`), and every process of the tree counts its malloc, calloc,
/// realloc, posix_memalign, aligned_alloc, memalign and valloc calls into its
/// own slot of a shared file, which this class reads. Nothing in fulcrum
/// takes part.
final class AllocationCounter {
    /// The file's shape, as allocation_counter.c lays it out (uint64 words).
    private enum Layout {
        static let magic: UInt64 = 0x544e_434f_4c4c_41
        static let headerWords = 8
        static let slots = 256
        static let slotWords = 16
        static let traces = 512
        static let frames = 28
        static let traceWords = 4 + frames
        static let words = headerWords + slots * slotWords + traces * traceWords
        // Header word indices.
        static let tracePid = 4, traceRemaining = 5, tracesWritten = 6
    }

    let directory: TemporaryDirectory
    let libraryPath: String
    let filePath: String

    /// Compiles the library into a fresh temporary directory.
    init() throws {
        let compiler = try requireTool("cc")
        directory = try TemporaryDirectory(prefix: "falloc")
        libraryPath = directory.file("allocation_counter.so")
        filePath = directory.file("counts")
        let build = try CommandRunner.run(compiler, ["-O2", "-Wall", "-shared", "-fPIC", "-o", libraryPath,
                                                     Self.sourcePath], timeout: 120)
        guard build.succeeded else {
            throw HarnessError.failed("cc allocation_counter.c failed: \(build.output)")
        }
    }

    /// Tests/AllocationCounter/allocation_counter.c, found from this file
    /// (Tests/IntegrationTests/Support/AllocationCounter.swift).
    static var sourcePath: String {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/") + "/AllocationCounter/allocation_counter.c"
    }

    /// What a process to be counted needs in its environment (children
    /// inherit it).
    var environment: [String: String] {
        ["LD_PRELOAD": libraryPath, "ALLOCATION_COUNTER_FILE": filePath]
    }

    /// The counts of `pid` so far, or nil when it never allocated with the
    /// library loaded (not preloaded, or not started yet).
    func counts(of pid: pid_t) -> AllocationCounts? {
        guard let words = readWords(), words[0] == Layout.magic else { return nil }
        for slot in 0..<Layout.slots {
            let base = Layout.headerWords + slot * Layout.slotWords
            guard words[base] != 0 else { return nil }
            if words[base] == UInt64(pid) {
                let values = Array(words[(base + 1)...(base + AllocationCounts.kindCount + 2)])
                return AllocationCounts(calls: Array(values[0..<AllocationCounts.kindCount]),
                                        frees: values[AllocationCounts.kindCount],
                                        bytes: values[AllocationCounts.kindCount + 1])
            }
        }
        return nil
    }

    /// Waits until `pid` has not allocated nor freed for `quiet` seconds (it
    /// finished the work it was given) and returns its counts then. Throws
    /// when it keeps allocating for `timeout` seconds, or has no counts.
    func countsOnceQuiet(of pid: pid_t, quiet: Double = 0.2, timeout: Double = 10) throws -> AllocationCounts {
        guard var last = counts(of: pid) else {
            throw HarnessError.failed("no allocation counts for pid \(pid): is \(libraryPath) preloaded?")
        }
        let settled = waitUntil(timeout: timeout, interval: quiet) {
            let now = counts(of: pid) ?? last
            defer { last = now }
            return now == last
        }
        guard settled else { throw HarnessError.timeout("pid \(pid) still allocating after \(timeout) s (\(last))") }
        return last
    }

    // MARK: Call stacks

    /// Asks the library to record the call stacks of the next `count` (at
    /// most 512) allocations of `pid`, replacing any recorded before.
    func traceNextAllocations(_ count: Int, of pid: pid_t) throws {
        try writeHeaderWord(Layout.tracePid, 0)
        try writeHeaderWord(Layout.tracesWritten, 0)
        try writeHeaderWord(Layout.traceRemaining, UInt64(min(count, Layout.traces)))
        try writeHeaderWord(Layout.tracePid, UInt64(pid))
    }

    /// The stacks recorded since `traceNextAllocations` (innermost return
    /// address first), with the allocation's kind and size.
    func recordedTraces() -> [AllocationTrace] {
        guard let words = readWords() else { return [] }
        let written = min(Int(words[Layout.headerWords - 2]), Layout.traces)
        let start = Layout.headerWords + Layout.slots * Layout.slotWords
        return (0..<written).compactMap { index in
            let t = start + index * Layout.traceWords
            guard words[t] != 0 else { return nil }
            let kind = Int(words[t + 1])
            let frameCount = min(Int(words[t + 3]), Layout.frames)
            return AllocationTrace(pid: pid_t(words[t]),
                                   kind: kind < AllocationCounts.kindCount ? AllocationCounts.kindNames[kind] : "free",
                                   size: Int(words[t + 2]),
                                   returnAddresses: Array(words[(t + 4)..<(t + 4 + frameCount)]))
        }
    }

    // MARK: The file

    private func readWords() -> [UInt64]? {
        guard let bytes = FileBytes.read(filePath), bytes.count >= Layout.words * 8 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<Layout.words).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self)) }
        }
    }

    private func writeHeaderWord(_ index: Int, _ value: UInt64) throws {
        let fd = open(filePath, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw HarnessError.posix("open(\(filePath))") }
        defer { close(fd) }
        var word = value.littleEndian
        guard pwrite(fd, &word, 8, off_t(index * 8)) == 8 else { throw HarnessError.posix("pwrite(\(filePath))") }
    }
}
