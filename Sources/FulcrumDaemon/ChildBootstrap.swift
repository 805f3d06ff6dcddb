import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// What every child of the master (worker, checker) maps from the descriptors
/// it inherited: the configuration bytes the master validated and the shared
/// table. Failing here is fatal for the child; the master logs its exit.
struct ChildBootstrap {
    let loaded: LoadedConfiguration
    let memory: SharedMemory
    let table: SharedTable

    /// nil after logging why.
    static func attach() -> ChildBootstrap? {
        guard let blob = (try? SealedBlob.read(FileDescriptor(Master.ChildFD.config))).flatMap(ConfigBlob.decodeWithPatterns) else {
            Log.alert("cannot read the configuration handed over by the master")
            return nil
        }
        FileDescriptor(Master.ChildFD.config).close()
        // The map and ACL files as the master read them, not as they are now.
        let loaded = ConfigLoader.load(sources: blob.sources, checkBinds: false, patternFiles: blob.patternFiles,
                                       includedFiles: blob.includedFiles)
        guard !loaded.hasErrors else {
            for d in loaded.diagnostics where d.severity == .alert { Log.alert(d.description) }
            return nil
        }
        let memory: SharedMemory
        do { memory = try SharedMemory(mapping: FileDescriptor(Master.ChildFD.table)) } catch {
            Log.alert("cannot map the shared table: \(error)")
            return nil
        }
        guard let table = SharedTable(attaching: memory.base, size: memory.size) else {
            Log.alert("the shared table has an unknown layout")
            return nil
        }
        return ChildBootstrap(loaded: loaded, memory: memory, table: table)
    }
}
