import Foundation
import Glibc

/// An nginx of the test's own (temporary prefix, foreground master in its own
/// process group): a fast HTTP backend serving files, or, for side-by-side
/// reload comparisons, a reverse proxy that can be reloaded with
/// `nginx -s reload`. Stopped with every worker when released.
final class NginxServer {
    let directory: TemporaryDirectory
    let port: UInt16
    let executable: String
    private var child: ChildProcess?
    private var configPath: String { directory.file("nginx.conf") }

    /// Starts nginx with `http` as the body of its `http {}` block and
    /// `workers` worker processes; `{port}` in `http` is replaced by `port`
    /// and `{root}` by the document root (`{dir}/www`). `workerConnections`
    /// bounds what each worker holds open (client and upstream sides).
    init(http: String, workers: Int = 1, port: UInt16? = nil, workerConnections: Int = 4096) throws {
        executable = try requireTool("nginx")
        directory = try TemporaryDirectory(prefix: "fngx")
        self.port = try port ?? FreePort.next()
        // Workers run as nobody when the tests run as root: they must be able
        // to read the document root.
        chmod(directory.path, 0o755)
        mkdir(directory.file("www"), 0o755)
        mkdir(directory.file("tmp"), 0o755)
        try writeConfig(http: http, workers: workers, workerConnections: workerConnections)
        child = try ChildProcess(executable: executable,
                                 arguments: ["-p", directory.path, "-c", configPath, "-e", directory.file("error.log")],
                                 environment: Tools.currentEnvironment(),
                                 stdoutPath: directory.file("stdout.log"), stderrPath: directory.file("stderr.log"))
        let listening = waitUntil(timeout: 10) { !ListeningSockets.inodes(port: self.port).isEmpty || !self.isRunning }
        guard listening, isRunning else {
            stop()
            throw HarnessError.failed("nginx did not listen on \(self.port): "
                + (FileBytes.readText(directory.file("error.log")) ?? "") + (FileBytes.readText(directory.file("stderr.log")) ?? ""))
        }
    }

    /// A static file server on 127.0.0.1: `files` (name → bytes) in its root,
    /// keep-alive without a request limit, as a backend that is never the
    /// bottleneck nor the source of an error.
    static func files(_ files: [String: [UInt8]], workers: Int = 1) throws -> NginxServer {
        let server = try NginxServer(http: """
            server {
                listen 127.0.0.1:{port};
                root {root};
                keepalive_requests 1000000;
                keepalive_timeout 75s;
            }
            """, workers: workers)
        for (name, bytes) in files {
            try FileBytes.write(bytes, to: server.directory.file("www/\(name)"))
            chmod(server.directory.file("www/\(name)"), 0o644)
        }
        return server
    }

    deinit { stop() }

    var isRunning: Bool { child?.isRunning ?? false }
    var pid: pid_t? { child?.pid }

    /// Rewrites nginx.conf (the http block body and the worker count).
    func writeConfig(http: String, workers: Int, workerConnections: Int = 4096) throws {
        let body = http.replacingOccurrences(of: "{port}", with: String(port))
            .replacingOccurrences(of: "{root}", with: directory.file("www"))
        try FileBytes.write(Array(Self.configText(http: body, directory: directory.path, workers: workers,
                                                  workerConnections: workerConnections).utf8), to: configPath)
    }

    /// The nginx.conf of a private instance whose files (pid, error log,
    /// `tmp/` for its temporary paths) are in `directory`, with `http` as the
    /// body of its `http {}` block. `masterProcess` false: one process, which
    /// a SIGKILL stops with its listener (a backend that fails, not one that drains).
    static func configText(http body: String, directory: String, workers: Int = 1, workerConnections: Int = 4096,
                           masterProcess: Bool = true) -> String {
        let tmp = directory + "/tmp"
        return """
            daemon off;
            master_process \(masterProcess ? "on" : "off");
            worker_processes \(workers);
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log warn;
            events { worker_connections \(workerConnections); }
            http {
                access_log off;
                client_body_temp_path \(tmp)/body;
                proxy_temp_path \(tmp)/proxy;
                fastcgi_temp_path \(tmp)/fastcgi;
                uwsgi_temp_path \(tmp)/uwsgi;
                scgi_temp_path \(tmp)/scgi;
            \(body)
            }

            """
    }

    /// `nginx -s reload` on this instance (after `writeConfig`): the master
    /// re-reads the file and replaces its workers gracefully.
    func reload() throws {
        let r = try CommandRunner.run(executable, ["-p", directory.path, "-c", configPath, "-e", directory.file("error.log"),
                                                   "-s", "reload"], timeout: 10)
        guard r.succeeded else { throw HarnessError.failed("nginx -s reload: \(r.output)") }
    }

    func stop() {
        child?.terminateTree(grace: 2)
        child = nil
    }
}
