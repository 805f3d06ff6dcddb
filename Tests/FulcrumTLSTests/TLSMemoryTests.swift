import CAllocationCounter
import COpenSSL
import Foundation
import Glibc
import XCTest
import FulcrumPosix
@testable import FulcrumTLS

/// What an idle TLS connection holds, and what moving a record allocates.
final class TLSMemoryTests: XCTestCase {
    let pki = TestPKI.shared

    func contexts(releaseBuffers: Bool) throws -> (TLSContext, TLSContext) {
        var s = TLSContextOptions(), c = TLSContextOptions()
        s.releaseBuffers = releaseBuffers
        c.releaseBuffers = releaseBuffers
        return (try TLSContext(serverCertificateFile: pki.serverFile, options: s), try TLSContext(role: .client, options: c))
    }

    /// Heap bytes per connection (server + client, halved) once `count` pairs
    /// have shaken hands, moved 32 KiB each way and gone idle.
    func idleBytesPerConnection(releaseBuffers: Bool, count: Int = 32) throws -> Int {
        let (server, client) = try contexts(releaseBuffers: releaseBuffers)
        let payload = [UInt8](repeating: 0x5A, count: 32768)
        // One pair first, so lazily built OpenSSL tables are not counted.
        let warm = try TLSPair(server: server, client: client)
        XCTAssertEqual(warm.handshake(), .done)
        _ = try warm.transfer(payload, from: warm.client, to: warm.server)
        let before = heapInUse()
        var pairs: [TLSPair] = []
        for _ in 0..<count {
            let p = try TLSPair(server: server, client: client)
            XCTAssertEqual(p.handshake(), .done)
            XCTAssertEqual(try p.transfer(payload, from: p.client, to: p.server).count, payload.count)
            XCTAssertEqual(try p.transfer(payload, from: p.server, to: p.client).count, payload.count)
            pairs.append(p)
        }
        let after = heapInUse()
        withExtendedLifetime(pairs) {}
        return (Int(after) - Int(before)) / (2 * count)
    }

    /// Bytes the allocator has handed out and not got back, from glibc's
    /// malloc_info(3) totals (malloc.h is not part of the Glibc module).
    func heapInUse() -> Int {
        typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
        guard let sym = dlsym(nil, "malloc_info") else { return 0 }
        var text: UnsafeMutablePointer<CChar>? = nil
        var length = 0
        guard let stream = open_memstream(&text, &length) else { return 0 }
        _ = unsafeBitCast(sym, to: MallocInfo.self)(0, stream)
        fclose(stream)
        defer { free(text) }
        let xml = String(cString: text!)
        // The process-wide totals follow the per-arena sections: the last ones.
        func last(_ tag: String) -> Int {
            guard let r = xml.range(of: tag, options: .backwards) else { return 0 }
            let rest = xml[r.upperBound...]
            guard let q = rest.range(of: "size=\""), let end = rest[q.upperBound...].firstIndex(of: "\"") else { return 0 }
            return Int(rest[q.upperBound..<end]) ?? 0
        }
        return last("<system type=\"current\"") + last("<total type=\"mmap\"")
            - last("<total type=\"fast\"") - last("<total type=\"rest\"")
    }

    func testReleasedBuffersLeaveIdleConnectionsSmall() throws {
        // AddressSanitizer's quarantine keeps freed memory: memory per connection says nothing there.
        try XCTSkipIf(dlsym(nil, "__asan_init") != nil, "measured without AddressSanitizer only")
        let kept = try idleBytesPerConnection(releaseBuffers: false)
        let released = try idleBytesPerConnection(releaseBuffers: true)
        print("idle TLS connection heap: \(released) bytes with SSL_MODE_RELEASE_BUFFERS, \(kept) without")
        // Without the mode each connection keeps its record buffers (~25 KiB
        // measured); with it, only the connection's state (OpenSSL 3.0's SSL
        // object, the session, the client's copy of the server's chain).
        XCTAssertGreaterThan(kept - released, 20_000)
        XCTAssertLessThan(released, 36_000)
    }

    /// Steady-state records: Fulcrum's wrapper adds no allocation to what
    /// OpenSSL itself makes (OpenSSL 3.0 allocates about twice per record in
    /// its cipher layer; released buffers add taking and giving back the
    /// record buffers, the memory/CPU trade HAProxy and nginx make too).
    func testRecordsAllocateNothingInTheWrapper() throws {
        try XCTSkipIf(fulcrum_allocations_counted() == 0, "AddressSanitizer owns malloc: allocations are not counted")
        for release in [false, true] {
            let (server, client) = try contexts(releaseBuffers: release)
            let pair = try TLSPair(server: server, client: client)
            XCTAssertEqual(pair.handshake(), .done)
            let size = 4096
            let out = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            let into = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            defer { out.deallocate(); into.deallocate() }
            memset(out, 0x41, size)
            // No XCTAssert inside: its autoclosures allocate.
            func wrapped() throws -> Bool {
                try pair.client.send(out, count: size) == size
                    && pair.server.receive(into: into, count: size) == size
                    && pair.server.send(into, count: size) == size
                    && pair.client.receive(into: out, count: size) == size
            }
            func direct() -> Bool {
                var n = 0, ok = true
                ok = ok && SSL_write_ex(pair.client.ssl, out, size, &n) == 1 && n == size
                ok = ok && SSL_read_ex(pair.server.ssl, into, size, &n) == 1 && n == size
                ok = ok && SSL_write_ex(pair.server.ssl, into, size, &n) == 1 && n == size
                ok = ok && SSL_read_ex(pair.client.ssl, out, size, &n) == 1 && n == size
                return ok
            }
            XCTAssertTrue(try wrapped()) // tickets read, buffers made
            XCTAssertTrue(direct())
            let rounds = 200
            var allMoved = true
            fulcrum_allocations_reset()
            for _ in 0..<rounds where !direct() { allMoved = false }
            let openSSL = Double(fulcrum_allocations_count()) / Double(rounds)
            fulcrum_allocations_reset()
            for _ in 0..<rounds where try !wrapped() { allMoved = false }
            let ours = Double(fulcrum_allocations_count()) / Double(rounds)
            XCTAssertTrue(allMoved)
            print("allocations per 4 records, release buffers \(release): OpenSSL alone \(openSSL), through TLSConnection \(ours)")
            XCTAssertEqual(ours, openSSL, accuracy: 0.05, "TLSConnection adds no allocation per record")
            XCTAssertLessThanOrEqual(openSSL, release ? 12.5 : 8.5, "OpenSSL's own count grew")
        }
    }
}
