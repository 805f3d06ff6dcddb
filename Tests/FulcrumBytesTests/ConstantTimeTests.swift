import FulcrumBytes
import XCTest

/// Issue 17: the stats page's `stats auth` and userlist passwords are
/// compared in constant time. What is asserted is the code path: the result
/// is right for every kind of miss (first byte, last byte, length, empty),
/// and matchesAny compares every account rather than stopping at the first
/// match; no time is measured.
final class ConstantTimeTests: XCTestCase {
    func testEqualIsTrueOnlyForTheSameBytes() {
        XCTAssertTrue(ConstantTime.equal("s3cret".utf8, "s3cret".utf8))
        XCTAssertTrue(ConstantTime.equal("".utf8, "".utf8))
        XCTAssertFalse(ConstantTime.equal("x3cret".utf8, "s3cret".utf8), "first byte differs")
        XCTAssertFalse(ConstantTime.equal("s3crex".utf8, "s3cret".utf8), "last byte differs")
        XCTAssertFalse(ConstantTime.equal("s3cre".utf8, "s3cret".utf8), "a prefix")
        XCTAssertFalse(ConstantTime.equal("s3crets3cret".utf8, "s3cret".utf8), "the secret twice: cycling must not match it")
        XCTAssertFalse(ConstantTime.equal("".utf8, "s3cret".utf8), "empty given")
        XCTAssertFalse(ConstantTime.equal("s3cret".utf8, "".utf8), "empty expected")
        XCTAssertFalse(ConstantTime.equal([0], [UInt8]()), "a NUL against nothing")
    }

    func testMatchesAnyFindsEveryAccountAndNoCrossedPair() {
        let accounts = [(user: "admin", password: "one"), (user: "ops", password: "two"), (user: "ro", password: "three")]
        for account in accounts {
            XCTAssertTrue(ConstantTime.matchesAny(user: account.user, password: account.password, in: accounts), account.user)
        }
        XCTAssertFalse(ConstantTime.matchesAny(user: "admin", password: "two", in: accounts), "another account's password")
        XCTAssertFalse(ConstantTime.matchesAny(user: "nobody", password: "one", in: accounts), "unknown user")
        XCTAssertFalse(ConstantTime.matchesAny(user: "admin", password: "one", in: []), "no accounts")
    }

    /// Every given byte is read (the work does not stop at the first
    /// difference): a collection that counts its reads shows it.
    func testEqualReadsEveryGivenByteWhereverTheyDiffer() {
        for given in ["x3cret", "s3crex", "s3cret", "s3cretXX"] {
            let counted = CountingBytes(Array(given.utf8))
            _ = ConstantTime.equal(counted, "s3cret".utf8)
            XCTAssertEqual(counted.reads.value, given.utf8.count, given)
        }
    }
}

/// Bytes that count how many of them were read by subscript or iteration.
private struct CountingBytes: Collection {
    final class Counter { var value = 0 }
    let bytes: [UInt8]
    let reads = Counter()
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var startIndex: Int { 0 }
    var endIndex: Int { bytes.count }
    func index(after i: Int) -> Int { i + 1 }
    subscript(i: Int) -> UInt8 { reads.value += 1; return bytes[i] }
}
