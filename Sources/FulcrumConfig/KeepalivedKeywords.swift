/// The keepalived.conf keywords Fulcrum serves, and those keepalived has that
/// Fulcrum does not (an error "not supported" rather than "unknown"), per block.
enum KeepalivedKeywords {
    /// Top-level blocks Fulcrum reads.
    static let servedBlocks: [String] = [
        "global_defs", "vrrp_script", "vrrp_instance", "vrrp_sync_group", "static_ipaddress", "static_routes", "static_rules",
        "vrrp_track_process", "bgp_defs", "bgp_instance",
    ]

    /// keepalived's other top-level keywords.
    static let unservedTopLevel: Set<String> = [
        "virtual_server", "virtual_server_group",
        "track_file", "vrrp_track_file", "bfd_instance",
        "linkbeat_interfaces", "garp_group", "net_namespace", "net_namespace_ipvs", "namespace_with_ipsets",
        "instance", "use_pid_dir", "child_wait_time",
    ]

    /// A line starting with one of these begins a keepalived block inside a Fulcrum file,
    /// and a file whose first keyword is one of them is read as keepalived.conf.
    static var topLevelBlocks: Set<String> {
        Set(servedBlocks).union(unservedTopLevel.subtracting(["use_pid_dir", "child_wait_time", "instance"]))
    }

    static let globalDefs: [String] = [
        "router_id", "vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_garp_master_delay", "vrrp_garp_master_repeat",
        "vrrp_garp_master_refresh", "vrrp_version", "vrrp_min_garp", "enable_script_security", "script_user",
        "notification_email", "notification_email_from", "smtp_server", "smtp_connect_timeout",
        "vrrp_strict", "vrrp_skip_check_adv_addr", "vrrp_garp_interval", "vrrp_gna_interval",
        "vrrp_garp_master_refresh_repeat", "vrrp_garp_lower_prio_delay", "vrrp_garp_lower_prio_repeat",
        "vrrp_check_unicast_src", "default_interface",
    ]
    static let unservedGlobalDefs: Set<String> = [
        "vrrp_lower_prio_no_advert", "vrrp_higher_prio_send_advert",
        "vrrp_iptables", "vrrp_ipsets", "nftables", "nftables_priority", "nftables_ifindex", "nftables_counters",
        "vrrp_priority", "checker_priority", "bfd_priority", "vrrp_no_swap", "checker_no_swap", "bfd_no_swap",
        "vrrp_rt_priority", "checker_rt_priority", "bfd_rt_priority", "vrrp_cpu_affinity", "checker_cpu_affinity",
        "max_auto_priority", "min_auto_priority_delay", "dynamic_interfaces",
        "enable_traps", "enable_snmp_vrrp", "enable_snmp_checker", "enable_snmp_rfc", "enable_snmp_rfcv2",
        "enable_snmp_rfcv3", "enable_snmp_keepalived", "snmp_socket", "enable_dbus", "dbus_service_name",
        "notify_fifo", "notify_fifo_script", "vrrp_notify_fifo", "vrrp_notify_fifo_script",
        "lvs_notify_fifo", "lvs_notify_fifo_script", "lvs_id", "lvs_sync_daemon", "lvs_flush", "lvs_flush_onstop",
        "lvs_timeouts", "smtp_helo_name", "smtp_alert", "smtp_alert_vrrp", "smtp_alert_checker",
        "checker_log_all_failures", "linkbeat_use_polling", "vrrp_netlink_cmd_rcv_bufs",
        "vrrp_netlink_cmd_rcv_bufs_force", "vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force",
        "process_names", "process_name", "vrrp_process_name", "checker_process_name", "bfd_process_name",
        "vrrp_startup_delay", "vrrp_log_unknown_vrids", "vmac_prefix", "vmac_addr_prefix", "random_seed",
        "instance", "net_namespace", "uid", "reload_check_config", "reload_time_file", "reload_repeat",
        "reload_file", "data_use_instance", "umask", "vrrp_notify_priority_changes", "script_use_pid_dir",
        "fifo_write_vrrp_states_on_reload", "vrrp_track_process", "config_save_dir", "tmp_config_directory",
        "json_version", "use_symlink_paths",
    ]

    static let script: [String] = ["script", "interval", "timeout", "weight", "rise", "fall", "user", "init_fail"]
    static let unservedScript: Set<String> = []

    static let instance: [String] = [
        "state", "interface", "virtual_router_id", "priority", "advert_int", "version", "authentication",
        "virtual_ipaddress", "virtual_ipaddress_excluded", "track_script", "track_interface", "track_backend",
        "nopreempt", "preempt_delay", "unicast_src_ip", "mcast_src_ip", "unicast_peer", "garp_master_delay",
        "garp_master_repeat", "garp_master_refresh", "notify_master", "notify_backup", "notify_fault",
        "notify_stop", "notify", "smtp_alert", "strict_mode", "skip_check_adv_addr", "garp_master_refresh_repeat",
        "garp_lower_prio_repeat", "garp_lower_prio_delay", "check_unicast_src", "dont_track_primary", "debug",
        "virtual_routes", "virtual_rules", "use_vmac", "vmac_xmit_base", "notify_master_rx_lower_pri", "track_process",
    ]
    static let unservedInstance: Set<String> = [
        "use_ipvlan", "track_file",
        "track_bfd", "lvs_sync_daemon_interface", "native_ipv6", "accept",
        "no_accept", "lower_prio_no_advert", "higher_prio_send_advert",
        "kernel_rx_buf_size", "linkbeat_use_polling", "promote_secondaries", "unicast_ttl",
        "unicast_fault_no_peer", "old_unicast_checksum", "notify_deleted",
        "notify_priority_changes", "down_timer_adverts", "timer_expired_backup", "track_src_ip",
        "vmac_garp_intvl", "garp_extra_if", "preempt", "no_virtual_ipaddress", "virtual_ipaddress_int",
        "nopreempt_delay", "ttl", "vrrp_version",
    ]

    /// keepalived 2.2.8 renamed "master" to "primary" in keywords and kept the old
    /// names; a configuration written for either reads the same here.
    static let primaryAliases: [String: String] = [
        "notify_primary": "notify_master",
        "notify_primary_rx_lower_pri": "notify_master_rx_lower_pri",
        "garp_primary_delay": "garp_master_delay",
        "garp_primary_repeat": "garp_master_repeat",
        "garp_primary_refresh": "garp_master_refresh",
        "garp_primary_refresh_repeat": "garp_master_refresh_repeat",
        "vrrp_garp_primary_delay": "vrrp_garp_master_delay",
        "vrrp_garp_primary_repeat": "vrrp_garp_master_repeat",
        "vrrp_garp_primary_refresh": "vrrp_garp_master_refresh",
        "vrrp_garp_primary_refresh_repeat": "vrrp_garp_master_refresh_repeat",
    ]

    static let authentication: [String] = ["auth_type", "auth_pass"]

    static let syncGroup: [String] = ["group", "notify_master", "notify_backup", "notify_fault", "notify_stop", "notify", "smtp_alert"]
    static let unservedSyncGroup: Set<String> = [
        "track_interface", "track_script", "track_file", "track_process", "track_bfd", "global_tracking",
        "sync_group_tracking_weight", "notify_priority_changes", "notify_deleted",
    ]

    /// Options of a virtual_ipaddress line that keepalived has and Fulcrum does not serve.
    static let unservedAddressOptions: Set<String> = [
        "peer", "home", "-nodad", "nodad", "noprefixroute", "autojoin", "preferred_lft", "track_group",
        "no_track", "mngtmpaddr",
    ]
}
