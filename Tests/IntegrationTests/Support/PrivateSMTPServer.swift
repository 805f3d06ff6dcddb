import Foundation
import Glibc
import XCTest

/// A private SMTP server (Debian's python3-aiosmtpd) on 127.0.0.1 and a port
/// the test chose, recording every message it accepts as one JSON line: the
/// HELO/EHLO name, the envelope and the message bytes. `refusing` makes it
/// answer with a 5xx: its greeting (`.greeting`) or its HELO reply (`.helo`).
final class PrivateSMTPServer {
    enum Refusal: String { case greeting, helo }

    struct Mail: Equatable {
        var helo: String
        var from: String
        var to: [String]
        var content: String
    }

    let port: UInt16
    let directory: TemporaryDirectory
    private let process: ChildProcess

    static let script = """
        import asyncio, json, sys
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP
        out, port, refuse = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        class Session(SMTP):
            async def push(self, status):
                if refuse == "greeting" and status.startswith("220 "):
                    status = "554 5.3.2 No service here"
                await super().push(status)
        class Served(Controller):
            def factory(self):
                return Session(self.handler, **self.SMTP_kwargs)
        class Recorder:
            async def handle_HELO(self, server, session, envelope, hostname):
                if refuse == "helo":
                    return "550 5.7.1 HELO refused"
                session.host_name = hostname
                return "250 {}".format(server.hostname)
            async def handle_DATA(self, server, session, envelope):
                with open(out, "a") as f:
                    f.write(json.dumps({"helo": session.host_name or "", "from": envelope.mail_from,
                                        "to": envelope.rcpt_tos,
                                        "content": envelope.original_content.decode("utf-8", "replace")}) + "\\n")
                return "250 Message accepted for delivery"
        controller = Served(Recorder(), hostname="127.0.0.1", port=port)
        controller.start()
        print("ready", flush=True)
        asyncio.get_event_loop().run_forever()

        """

    init(_ test: XCTestCase, refusing: Refusal? = nil) throws {
        let python = try requireTool("/usr/bin/python3")
        directory = try TemporaryDirectory(prefix: "smtp")
        port = try FreePort.next()
        let script = try directory.write("recorder.py", Self.script)
        process = try ChildProcess(executable: python, arguments: [script, directory.file("mails"), "\(port)", refusing?.rawValue ?? "none"],
                                   environment: ["PATH": "/usr/bin:/bin"], stdoutPath: directory.file("stdout"),
                                   stderrPath: directory.file("stderr"))
        let process = self.process, directory = self.directory, port = self.port
        test.addTeardownBlock { process.terminateTree(grace: 2); directory.remove() }
        guard waitUntil(timeout: 10, { LoopbackProbe.accepts(port: port) }) else {
            throw HarnessError.failed("aiosmtpd did not start: \(FileBytes.readText(directory.file("stderr")) ?? "")")
        }
    }

    var mails: [Mail] {
        (FileBytes.readText(directory.file("mails")) ?? "").split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Mail(helo: object["helo"] as? String ?? "", from: object["from"] as? String ?? "",
                        to: object["to"] as? [String] ?? [], content: object["content"] as? String ?? "")
        }
    }
}
