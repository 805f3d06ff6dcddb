/// A version as `haproxy -v` prints it ("2.6", "2.4-dev19", "2.6.12-rc1"),
/// ordered the way `version_atleast` / `version_before` compare: missing
/// components are zero and a development or release-candidate build sorts
/// before the release it leads to.
struct HAProxyVersion: Comparable, Sendable {
    /// Stage of a pre-release suffix; a plain release is `.release`.
    enum Stage: Int, Comparable, Sendable {
        case dev = 0, pre = 1, rc = 2, release = 3
        static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }
    var numbers: [Int]
    var stage: Stage
    var stageNumber: Int

    init?(_ text: String) {
        var main = Substring(text)
        var suffix: Substring = ""
        if let dash = text.firstIndex(of: "-") {
            main = text[..<dash]
            suffix = text[text.index(after: dash)...]
        }
        let parts = main.split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 4 else { return nil }
        var nums: [Int] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(p) else { return nil }
            nums.append(n)
        }
        while nums.count < 4 { nums.append(0) }
        numbers = nums
        stage = .release
        stageNumber = 0
        if !suffix.isEmpty {
            let prefixes: [(String, Stage)] = [("dev", .dev), ("pre", .pre), ("rc", .rc)]
            guard let (word, st) = prefixes.first(where: { suffix.hasPrefix($0.0) }) else { return nil }
            let rest = suffix.dropFirst(word.count)
            if rest.isEmpty {
                stageNumber = 0
            } else {
                guard rest.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(rest) else { return nil }
                stageNumber = n
            }
            stage = st
        }
    }

    static func < (a: HAProxyVersion, b: HAProxyVersion) -> Bool {
        if a.numbers != b.numbers { return a.numbers.lexicographicallyPrecedes(b.numbers) }
        if a.stage != b.stage { return a.stage < b.stage }
        return a.stageNumber < b.stageNumber
    }
}
