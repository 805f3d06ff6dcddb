import XCTest
import Glibc
@testable import FulcrumPosix

/// The system layer against the real kernel: descriptors, sockets, epoll,
/// spawn with descriptor placement, shared memory, signals.
final class SystemLayerTests: XCTestCase {
    func testSocketAddressParsesAndFormats() throws {
        let a = try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 8080))
        XCTAssertEqual(a.description, "127.0.0.1:8080")
        XCTAssertEqual(a.family, AF_INET)
        let b = try XCTUnwrap(SocketAddress(numericHost: "::1", port: 443))
        XCTAssertEqual(b.description, "[::1]:443")
        XCTAssertNil(SocketAddress(numericHost: "300.1.1.1", port: 1))
        var c = a
        c.port = 9
        XCTAssertEqual(c.port, 9)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(a.withAddressBytes { Array($0) }, [127, 0, 0, 1])
        XCTAssertEqual(SocketAddress.resolve(host: "localhost", port: 1)?.port, 1)
    }

    func testReusePortListenersShareAnAddressAndAcceptThroughEpoll() throws {
        let any = try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 0))
        let first = try Socket.listen(on: any, backlog: 16)
        defer { first.close() }
        let bound = try XCTUnwrap(Socket.localAddress(first))
        let second = try Socket.listen(on: bound, backlog: 16)
        defer { second.close() }
        XCTAssertTrue(Socket.isListeningStream(first))

        let epoll = try Epoll(capacity: 8)
        try epoll.add(first, events: .readable, token: 1)
        try epoll.add(second, events: .readable, token: 2)
        let client = try Socket.stream(family: AF_INET)
        defer { client.close() }
        _ = try Socket.connect(client, to: bound)
        XCTAssertEqual(epoll.wait(timeout: 2000), 1)
        let token = epoll.token(at: 0)
        XCTAssertTrue([1, 2].contains(token))
        var peer = SocketAddress(storage: .init(), length: 0)
        let accepted = try Socket.accept(token == 1 ? first : second, peer: &peer)
        defer { accepted.close() }
        XCTAssertEqual(peer.hostString, "127.0.0.1")
        XCTAssertThrowsError(try Socket.accept(token == 1 ? first : second, peer: &peer)) { e in
            XCTAssertEqual(e as? Errno, .again)
        }
    }

    /// The worker sets TCP_NODELAY once on each listener and relies on the
    /// kernel copying it to every accepted socket.
    func testAcceptedSocketInheritsNoDelayFromItsListener() throws {
        let any = try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 0))
        for listenerNoDelay in [false, true] {
            let listener = try Socket.listen(on: any, backlog: 4)
            defer { listener.close() }
            if listenerNoDelay { Socket.setNoDelay(listener) }
            let client = try Socket.stream(family: AF_INET)
            defer { client.close() }
            _ = try Socket.connect(client, to: try XCTUnwrap(Socket.localAddress(listener)))
            var pfd = pollfd(fd: listener.rawValue, events: Int16(POLLIN), revents: 0)
            XCTAssertEqual(poll(&pfd, 1, 2000), 1)
            var peer = SocketAddress(storage: .init(), length: 0)
            let accepted = try Socket.accept(listener, peer: &peer)
            defer { accepted.close() }
            XCTAssertEqual(Socket.noDelay(accepted), listenerNoDelay)
        }
    }

    func testSeqpacketKeepsMessageBoundariesAndReportsPeerClose() throws {
        let (a, b) = try UnixSocket.seqpacketPair()
        defer { a.close() }
        XCTAssertTrue(UnixSocket.sendMessage(a, Array("ready".utf8)))
        XCTAssertTrue(UnixSocket.sendMessage(a, Array("drain".utf8)))
        XCTAssertEqual(UnixSocket.receiveMessage(b).map { String(decoding: $0, as: UTF8.self) }, "ready")
        XCTAssertEqual(UnixSocket.receiveMessage(b).map { String(decoding: $0, as: UTF8.self) }, "drain")
        XCTAssertNil(UnixSocket.receiveMessage(b), "nothing pending")
        a.close()
        XCTAssertEqual(UnixSocket.receiveMessage(b), [], "peer closed")
        b.close()
    }

    func testSharedMemoryIsSharedThroughTheDescriptor() throws {
        let m = try SharedMemory(create: "fulcrum-test", size: 4096)
        m.base.storeBytes(of: UInt64(0xABCD), toByteOffset: 64, as: UInt64.self)
        let dup = try m.fd.duplicate(atLeast: 10)
        let other = try SharedMemory(mapping: dup)
        XCTAssertEqual(other.size, 4096)
        XCTAssertEqual(other.base.load(fromByteOffset: 64, as: UInt64.self), 0xABCD)
        other.base.storeBytes(of: UInt64(7), toByteOffset: 8, as: UInt64.self)
        XCTAssertEqual(m.base.load(fromByteOffset: 8, as: UInt64.self), 7)
    }

    func testSealedBlobRoundTrip() throws {
        let bytes = Array("global\n    workers 2\n".utf8)
        let fd = try SealedBlob.make(name: "cfg", bytes: bytes)
        defer { fd.close() }
        XCTAssertEqual(try SealedBlob.read(fd), bytes)
        XCTAssertEqual(try SealedBlob.read(fd), bytes, "reading does not move a shared offset")
    }

    func testSpawnPlacesDescriptorsAtFixedNumbers() throws {
        // The child reports which of fds 3 and 4 are open and what fd 3 reads.
        let (mine, theirs) = try UnixSocket.seqpacketPair()
        defer { mine.close() }
        let blob = try SealedBlob.make(name: "x", bytes: Array("payload".utf8))
        defer { blob.close() }
        let script = "ls -l /proc/self/fd/3 /proc/self/fd/4 > /dev/null 2>&1 && test ! -e /proc/self/fd/5 && head -c 7 /proc/self/fd/4 >&3"
        let pid = try ProcessSpawner.spawn(path: "/bin/sh", arguments: ["-c", script],
                                           environment: ["PATH=/usr/bin:/bin"], inherited: [theirs, blob])
        theirs.close()
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual(ExitStatus(raw: status).exitCode, 0)
        XCTAssertEqual(UnixSocket.receiveMessage(mine).map { String(decoding: $0, as: UTF8.self) }, "payload")
    }

    func testSignalChannelDeliversBlockedSignals() throws {
        let ch = try SignalChannel([SIGUSR2])
        XCTAssertNil(ch.next())
        // Sent to this thread (the one that blocked it): a process-directed
        // signal may land on another test thread that has it unblocked and
        // kill the whole test process.
        pthread_kill(pthread_self(), SIGUSR2)
        XCTAssertEqual(ch.next(), SIGUSR2)
        XCTAssertNil(ch.next())
    }

    func testSpliceMovesBytesThroughAPipe() throws {
        let p = try Pipe.make()
        defer { p.close() }
        let q = try Pipe.make()
        defer { q.close() }
        let data: [UInt8] = Array(0..<200)
        _ = try data.withUnsafeBytes { try p.writeEnd.write($0.baseAddress!, count: $0.count) }
        XCTAssertEqual(try splice(from: p.readEnd, to: q.writeEnd, count: 1000), 200)
        var out = [UInt8](repeating: 0, count: 300)
        let n = try out.withUnsafeMutableBytes { try q.readEnd.read(into: $0.baseAddress!, count: $0.count) }
        XCTAssertEqual(Array(out[0..<n]), data)
        XCTAssertThrowsError(try splice(from: p.readEnd, to: q.writeEnd, count: 10)) { XCTAssertEqual($0 as? Errno, .again) }
    }
}
