/// Inflates a gzip body with the system's `gzip`, independently of the zlib
/// code under test, so a compressed response can be compared by content.
enum Gunzip {
    /// The decompressed text, or nil when gzip rejects the data.
    static func text(_ bytes: [UInt8]) throws -> String? {
        let directory = try TemporaryDirectory(prefix: "gunzip")
        let path = directory.file("body.gz")
        try FileBytes.write(bytes, to: path)
        let result = try CommandRunner.run("gzip", ["-dc", path], timeout: 10)
        return result.succeeded ? result.stdout : nil
    }
}
