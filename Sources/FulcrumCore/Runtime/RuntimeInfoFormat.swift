extension RuntimeFormat {
    /// `show info`: HAProxy 2.6's fields in its order ("Name: value" lines),
    /// or `typed` ("pos.Name.proc:tags:type:value") or JSON. Fields HAProxy
    /// leaves out when empty (ZlibMemUsage, MaxZlibMemUsage without zlib,
    /// description when unset) are left out here too.
    public static func showInfo(_ s: RuntimeSnapshot, format: StatFormat = .csv) -> String {
        let fields = infoFields(s)
        switch format {
        case .csv:
            return fields.map { "\($0.name): \(render($0.value))\n" }.joined()
        case .typed:
            return fields.map { "\($0.pos).\($0.name).\(s.processNumber):\($0.tag):\(render($0.value))\n" }.joined()
        case .json:
            let items = fields.map {
                "{\"field\":{\"pos\":\($0.pos),\"name\":\"\($0.name)\"},\"processNum\":\(s.processNumber),"
                    + jsonTagsAndValue($0.tag, $0.value) + "}"
            }
            return "[" + items.joined(separator: ",") + "]\n"
        }
    }

    static func render(_ v: RuntimeStatValue) -> String {
        switch v {
        case .int(let n): return String(n)
        case .string(let t): return t
        }
    }

    struct InfoField {
        let pos: Int
        let name: String
        let tag: String
        let value: RuntimeStatValue
    }

    /// "0d 0h03m00s", HAProxy's Uptime.
    static func infoUptime(_ up: Int) -> String {
        "\(up / 86400)d \((up % 86400) / 3600)h" + two((up % 3600) / 60) + "m" + two(up % 60) + "s"
    }

    static func infoFields(_ s: RuntimeSnapshot) -> [InfoField] {
        let i = s.info
        var out: [InfoField] = []
        func add(_ pos: Int, _ name: String, _ tag: String, _ v: Int) { out.append(InfoField(pos: pos, name: name, tag: tag, value: .int(v))) }
        func add(_ pos: Int, _ name: String, _ tag: String, _ v: String) { out.append(InfoField(pos: pos, name: name, tag: tag, value: .string(v))) }
        add(0, "Name", "POS:str", i.name)
        add(1, "Version", "POS:str", i.version)
        add(2, "Release_date", "POS:str", i.releaseDate)
        add(3, "Nbthread", "CGS:u32", i.threads)
        add(4, "Nbproc", "CGS:u32", 1)
        add(5, "Process_num", "KGP:u32", s.processNumber)
        add(6, "Pid", "SGP:u32", Int(s.pid))
        add(7, "Uptime", "MDP:str", infoUptime(i.uptimeSeconds))
        add(8, "Uptime_sec", "MDP:u32", i.uptimeSeconds)
        add(9, "Memmax_MB", "CLP:u32", 0)
        add(10, "PoolAlloc_MB", "MGP:u32", i.poolAllocatedBytes / 1_048_576)
        add(11, "PoolUsed_MB", "MGP:u32", i.poolUsedBytes / 1_048_576)
        add(12, "PoolFailed", "MCP:u32", 0)
        add(13, "Ulimit-n", "CLP:u32", i.ulimitN)
        add(14, "Maxsock", "CLP:u32", i.maxsock)
        add(15, "Maxconn", "CLP:u32", i.maxconn)
        add(16, "Hard_maxconn", "CLP:u32", i.hardMaxconn)
        add(17, "CurrConns", "MGP:u32", i.currentConnections)
        add(18, "CumConns", "MCP:u32", i.cumulativeConnections)
        add(19, "CumReq", "MCP:u32", i.cumulativeRequests)
        add(20, "MaxSslConns", "MMP:u32", 0)
        add(21, "CurrSslConns", "MGP:u32", 0)
        add(22, "CumSslConns", "MCP:u32", 0)
        add(23, "Maxpipes", "CLP:u32", i.maxpipes)
        add(24, "PipesUsed", "MGP:u32", i.pipesUsed)
        add(25, "PipesFree", "MGP:u32", i.pipesFree)
        add(26, "ConnRate", "MRP:u32", i.connectionRate)
        add(27, "ConnRateLimit", "CLP:u32", i.connectionRateLimit)
        add(28, "MaxConnRate", "MMP:u32", i.maxConnectionRate)
        add(29, "SessRate", "MRP:u32", i.sessionRate)
        add(30, "SessRateLimit", "CLP:u32", i.sessionRateLimit)
        add(31, "MaxSessRate", "MRP:u32", i.maxSessionRate)
        add(32, "SslRate", "MRP:u32", 0)
        add(33, "SslRateLimit", "CLP:u32", 0)
        add(34, "MaxSslRate", "MMP:u32", 0)
        add(35, "SslFrontendKeyRate", "MGP:u32", 0)
        add(36, "SslFrontendMaxKeyRate", "MMP:u32", 0)
        add(37, "SslFrontendSessionReuse_pct", "MGP:u32", 0)
        add(38, "SslBackendKeyRate", "MRP:u32", 0)
        add(39, "SslBackendMaxKeyRate", "MMP:u32", 0)
        add(40, "SslCacheLookups", "MCP:u32", 0)
        add(41, "SslCacheMisses", "MCP:u32", 0)
        add(42, "CompressBpsIn", "MRP:u32", i.compressBpsIn)
        add(43, "CompressBpsOut", "MRP:u32", i.compressBpsOut)
        add(44, "CompressBpsRateLim", "CLP:u32", 0)
        add(47, "Tasks", "MGP:u32", i.tasks)
        add(48, "Run_queue", "MGP:u32", i.runQueue)
        add(49, "Idle_pct", "MaP:u32", i.idlePercent)
        add(50, "node", "COS:str", i.node)
        if !i.description.isEmpty { add(51, "description", "COS:str", i.description) }
        add(52, "Stopping", "MGP:u32", i.stopping ? 1 : 0)
        add(53, "Jobs", "MGP:u32", i.jobs)
        add(54, "Unstoppable Jobs", "MGP:u32", 0)
        add(55, "Listeners", "MGP:u32", i.listeners)
        add(56, "ActivePeers", "MGP:u32", 0)
        add(57, "ConnectedPeers", "MGP:u32", 0)
        add(58, "DroppedLogs", "MGP:u32", i.droppedLogs)
        add(59, "BusyPolling", "MGP:u32", 0)
        add(60, "FailedResolutions", "MGP:u32", 0)
        add(61, "TotalBytesOut", "MGP:u64", i.totalBytesOut)
        add(62, "TotalSplicdedBytesOut", "MGP:u64", i.totalSplicedBytesOut)
        add(63, "BytesOutRate", "MRP:u64", i.bytesOutRate)
        add(64, "DebugCommandsIssued", "MGP:u32", 0)
        add(65, "CumRecvLogs", "MCP:u32", 0)
        add(66, "Build info", "POS:str", i.buildInfo.isEmpty ? i.version : i.buildInfo)
        add(67, "Memmax_bytes", "CLP:u32", 0)
        add(68, "PoolAlloc_bytes", "MGP:u64", i.poolAllocatedBytes)
        add(69, "PoolUsed_bytes", "MGP:u64", i.poolUsedBytes)
        add(70, "Start_time_sec", "MDP:u32", i.startTime)
        add(71, "Tainted", "SGP:str", "0")
        return out
    }
}
