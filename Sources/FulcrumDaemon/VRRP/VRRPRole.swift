import Glibc
import FulcrumPosix

/// `fulcrum --role vrrp [--resume-master NAMES]`: the VRRP child. It maps the
/// configuration and shared table its master handed over (the proxy's
/// health, for track_backend), opens its sockets, keeps only the
/// capabilities it needs (VRRPSpeaker+Capabilities) and runs the elections
/// until SIGTERM, when every MASTER hands over with priority 0.
enum VRRPRole {
    static func run(_ o: CommandLineOptions) -> Int32 {
        Log.role = "vrrp"
        Processes.setName("fulcrum-vrrp")
        Processes.dieWithParent(signal: SIGKILL)
        SignalChannel.ignore(SIGPIPE)
        guard let boot = ChildBootstrap.attach() else { return 1 }
        do {
            let speaker = try VRRPSpeaker(configuration: boot.loaded.configuration, table: boot.table,
                                          control: FileDescriptor(Master.ChildFD.control), resume: Set(o.resumeMaster))
            if let failure = speaker.dropCapabilities() {
                Log.alert("VRRP cannot drop capabilities: \(failure)")
                return 1
            }
            if o.detachStdio { StandardStreams.detach() }
            return speaker.run()
        } catch {
            Log.alert("VRRP cannot start: \(error)")
            return 1
        }
    }
}
