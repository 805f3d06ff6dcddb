import Foundation
import Glibc

/// An rsyslogd of the test's own (`rsyslogd -n -f CONF -i PIDFILE`, Debian's
/// package): a `/dev/log`-style unix datagram socket (imuxsock) and a UDP
/// input (imudp) on 127.0.0.1, both written by omfile to one file, one line
/// per message: "FACILITY.SEVERITY PROGRAM MSG". The system socket and
/// kernel log are left alone.
final class PrivateRsyslog {
    let directory: TemporaryDirectory
    let socketPath: String
    let udpPort: UInt16
    let outputPath: String
    private let child: ChildProcess

    init(executable: String) throws {
        directory = try TemporaryDirectory(prefix: "frsys")
        socketPath = directory.file("devlog.sock")
        outputPath = directory.file("messages.log")
        udpPort = try FreePort.next()
        let config = """
            global(workDirectory="\(directory.path)")
            module(load="imuxsock" SysSock.Use="off")
            input(type="imuxsock" Socket="\(socketPath)" CreatePath="on")
            module(load="imudp")
            input(type="imudp" address="127.0.0.1" port="\(udpPort)")
            template(name="facts" type="string"
                     string="%syslogfacility-text%.%syslogseverity-text% %programname%%msg:::sp-if-no-1st-sp%%msg%\\n")
            *.* action(type="omfile" file="\(outputPath)" template="facts")

            """
        let file = try directory.write("rsyslog.conf", config)
        child = try ChildProcess(executable: executable,
                                 arguments: ["-n", "-f", file, "-i", directory.file("rsyslogd.pid")],
                                 environment: Tools.currentEnvironment(),
                                 stdoutPath: directory.file("stdout"), stderrPath: directory.file("stderr"))
        let hexPort = String(format: ":%04X ", udpPort)
        let ready = waitUntil(timeout: 10) {
            !child.isRunning || (access(socketPath, F_OK) == 0
                && (FileBytes.readText("/proc/net/udp") ?? "").contains(hexPort))
        }
        guard ready, child.isRunning else {
            let stderr = FileBytes.readText(directory.file("stderr")) ?? ""
            stop()
            throw HarnessError.failed("rsyslogd did not open its inputs: \(stderr)")
        }
    }

    /// The lines written so far.
    var lines: [String] {
        (FileBytes.readText(outputPath) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits until a written line contains `text`; returns those that do.
    func waitForLines(containing text: String, count: Int, timeout: Double = 10) -> [String] {
        var found: [String] = []
        waitUntil(timeout: timeout) {
            found = lines.filter { $0.contains(text) }
            return found.count >= count
        }
        return found
    }

    var stderrText: String { FileBytes.readText(directory.file("stderr")) ?? "" }

    func stop() {
        child.terminateTree(grace: 2)
        directory.remove()
    }
}
