// Thin shims for Linux interfaces that Glibc's Swift overlay does not import
// cleanly: packed epoll_event, GNU-only calls (accept4, splice, pipe2,
// memfd_create), CMSG macros, and flag constants that arrive as macros.
#ifndef CFULCRUM_H
#define CFULCRUM_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <signal.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <spawn.h>
#include <errno.h>

// epoll: epoll_event is packed on x86_64; keep it out of Swift's way.
static const uint32_t CF_EPOLLIN = EPOLLIN;
static const uint32_t CF_EPOLLOUT = EPOLLOUT;
static const uint32_t CF_EPOLLERR = EPOLLERR;
static const uint32_t CF_EPOLLHUP = EPOLLHUP;
static const uint32_t CF_EPOLLRDHUP = EPOLLRDHUP;
static const uint32_t CF_EPOLLET = EPOLLET;
static const uint32_t CF_EPOLLEXCLUSIVE = EPOLLEXCLUSIVE;

static inline int cf_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static inline int cf_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}

/// Events land in `buf`, an array of `max` epoll_event that Swift allocates as raw
/// bytes (cf_epoll_event_size() each) and reads back through the accessors.
static inline int cf_epoll_wait(int epfd, void *buf, int max, int timeout_ms) {
    return epoll_wait(epfd, (struct epoll_event *)buf, max, timeout_ms);
}
static inline int cf_epoll_event_size(void) { return (int)sizeof(struct epoll_event); }
static inline uint32_t cf_epoll_event_events(const void *buf, int i) {
    return ((const struct epoll_event *)buf)[i].events;
}
static inline uint64_t cf_epoll_event_data(const void *buf, int i) {
    return ((const struct epoll_event *)buf)[i].data.u64;
}

// Sockets and pipes (GNU-only calls live in cfulcrum.c).
int cf_accept4(int fd, struct sockaddr *addr, socklen_t *len);
int cf_socket(int domain, int type, int proto);
int cf_socket_blocking(int domain, int type, int proto);
int cf_socketpair_seqpacket(int fds[2]);
int cf_pipe_nonblock(int fds[2]);
ssize_t cf_splice(int from, int to, size_t len);
ssize_t cf_send(int fd, const void *buf, size_t len);
int cf_set_pipe_size(int fd, int size);
int cf_dup_above(int fd, int minfd);
int cf_set_cloexec(int fd, int on);
int cf_set_nonblock(int fd);
int cf_memfd_create(const char *name);
int cf_signalfd(const sigset_t *mask);
static inline int cf_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

// Signals.
static inline int cf_signalfd_info_size(void) { return (int)sizeof(struct signalfd_siginfo); }
static inline uint32_t cf_signalfd_signo(const void *info) { return ((const struct signalfd_siginfo *)info)->ssi_signo; }
static inline int cf_set_pdeathsig(int sig) { return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0); }
static inline int cf_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
static inline int cf_set_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }
// pidfd_open(2): a descriptor that turns readable when the process exits, so
// an event loop waits for a child (an external check) like for a socket.
#include <sys/syscall.h>
static inline int cf_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS; return -1;
#endif
}
static inline int cf_set_dumpable(void) { return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0); }
// capset(2) without libcap: the effective and permitted sets become exactly
// `mask` (bit N is capability N), the inheritable set empty. What a process
// has dropped from its permitted set it cannot take back.
#include <linux/capability.h>
static inline int cf_keep_capabilities(uint64_t mask) {
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    data[0].effective = data[0].permitted = (uint32_t)mask;
    data[1].effective = data[1].permitted = (uint32_t)(mask >> 32);
    return (int)syscall(SYS_capset, &header, data);
}

// Wait status macros.
static inline int cf_wifexited(int s) { return WIFEXITED(s); }
static inline int cf_wexitstatus(int s) { return WEXITSTATUS(s); }
static inline int cf_wifsignaled(int s) { return WIFSIGNALED(s); }
static inline int cf_wtermsig(int s) { return WTERMSIG(s); }

// posix_spawn flags that arrive as macros.
static const short CF_POSIX_SPAWN_SETSIGMASK = POSIX_SPAWN_SETSIGMASK;
static const short CF_POSIX_SPAWN_SETSIGDEF = POSIX_SPAWN_SETSIGDEF;
// glibc defines POSIX_SPAWN_SETSID only under _GNU_SOURCE; its value is fixed ABI.
static const short CF_POSIX_SPAWN_SETSID = 0x80;
static const short CF_POSIX_SPAWN_SETPGROUP = POSIX_SPAWN_SETPGROUP;

// crypt(3) for userlist passwords (libcrypt). Returns NULL or "*0"/"*1" on failure.
char *cf_crypt(const char *key, const char *salt);

// ---- VRRP system layer: rtnetlink, raw IPv4, packet sockets, namespaces ----
// Linux uapi constants and struct layouts the Glibc overlay does not import
// (linux/netlink.h, linux/rtnetlink.h, netpacket/packet.h, ip_mreqn).
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>

static const uint16_t CF_NLMSG_ERROR = NLMSG_ERROR;
static const uint16_t CF_NLMSG_DONE = NLMSG_DONE;
static const uint16_t CF_NLMSG_NOOP = NLMSG_NOOP;
static const uint16_t CF_NLMSG_OVERRUN = NLMSG_OVERRUN;
static const uint16_t CF_NLM_F_REQUEST = NLM_F_REQUEST;
static const uint16_t CF_NLM_F_MULTI = NLM_F_MULTI;
static const uint16_t CF_NLM_F_ACK = NLM_F_ACK;
static const uint16_t CF_NLM_F_DUMP = NLM_F_DUMP;
static const uint16_t CF_NLM_F_CREATE = NLM_F_CREATE;
static const uint16_t CF_NLM_F_EXCL = NLM_F_EXCL;
static const uint16_t CF_RTM_NEWLINK = RTM_NEWLINK;
static const uint16_t CF_RTM_DELLINK = RTM_DELLINK;
static const uint16_t CF_RTM_GETLINK = RTM_GETLINK;
static const uint16_t CF_RTM_NEWADDR = RTM_NEWADDR;
static const uint16_t CF_RTM_DELADDR = RTM_DELADDR;
static const uint16_t CF_RTM_GETADDR = RTM_GETADDR;
static const uint16_t CF_IFLA_ADDRESS = IFLA_ADDRESS;
static const uint16_t CF_IFLA_IFNAME = IFLA_IFNAME;
static const uint16_t CF_IFLA_MTU = IFLA_MTU;
static const uint16_t CF_IFLA_OPERSTATE = IFLA_OPERSTATE;
static const uint16_t CF_IFLA_CARRIER = IFLA_CARRIER;
static const uint16_t CF_IFA_ADDRESS = IFA_ADDRESS;
static const uint16_t CF_IFA_LOCAL = IFA_LOCAL;
static const uint16_t CF_IFA_LABEL = IFA_LABEL;
static const uint16_t CF_IFA_BROADCAST = IFA_BROADCAST;
static const uint16_t CF_IFA_FLAGS = IFA_FLAGS;
static const uint32_t CF_IFA_F_SECONDARY = IFA_F_SECONDARY;
static const uint32_t CF_RTMGRP_LINK = RTMGRP_LINK;
static const uint32_t CF_RTMGRP_IPV4_IFADDR = RTMGRP_IPV4_IFADDR;
static const uint8_t CF_RT_SCOPE_UNIVERSE = RT_SCOPE_UNIVERSE;
static const uint8_t CF_RT_SCOPE_LINK = RT_SCOPE_LINK;
static const uint8_t CF_RT_SCOPE_HOST = RT_SCOPE_HOST;
static const int CF_NETLINK_ROUTE = NETLINK_ROUTE;
static const int CF_IP_MULTICAST_ALL = 49;  // IP_MULTICAST_ALL, not in every libc header set

/// A NETLINK_ROUTE socket bound to `groups` (0 for a command socket), close-on-exec,
/// non-blocking when asked. The kernel picks the port id.
int cf_netlink_route_socket(uint32_t groups, int nonblocking);

/// Multicast membership and outgoing interface by ifindex (struct ip_mreqn).
int cf_ip_add_membership(int fd, uint32_t group_be, int ifindex);
int cf_ip_multicast_if(int fd, int ifindex);
/// Binds to an IPv4 address (network order), port 0.
int cf_bind_ipv4(int fd, uint32_t address_be);
/// sendto/recvfrom with a plain IPv4 address (network order) in and out.
ssize_t cf_sendto_ipv4(int fd, const void *buf, size_t len, uint32_t address_be);
ssize_t cf_recvfrom_ipv4(int fd, void *buf, size_t len, uint32_t *address_be);
/// A classic BPF program that drops everything: a send-only raw socket queues nothing.
int cf_attach_drop_all_filter(int fd);

/// AF_PACKET: sends a whole Ethernet frame out of `ifindex` (the frame carries its header).
ssize_t cf_packet_send(int fd, int ifindex, const void *frame, size_t len);
/// AF_PACKET: binds a packet socket to one interface and ethertype (host order).
int cf_packet_bind(int fd, int ifindex, uint16_t ethertype);

/// setns(2) for network namespaces (GNU-only in glibc's headers).
int cf_setns_net(int fd);

/// sendmsg with descriptors attached (SCM_RIGHTS): HAProxy's `_getsocks`.
ssize_t cf_send_fds(int sock, const void *data, size_t len, const int *fds, int nfds);
/// recvmsg that also takes the descriptors attached (close-on-exec); *nfds
/// is set to how many arrived (at most maxfds).
ssize_t cf_recv_fds(int sock, void *data, size_t cap, int *fds, int maxfds, int *nfds);

/// malloc_trim(3): returns free heap pages to the system (glibc-only).
int cf_malloc_trim(void);
/// malloc_usable_size(3): the bytes an allocation really holds (glibc-only).
size_t cf_malloc_usable_size(const void *p);

#endif
