// GNU-only calls, compiled with _GNU_SOURCE here so the public header stays
// compatible with Swift's Glibc module (which is built without it).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <malloc.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <crypt.h>
#include <sched.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <linux/filter.h>
#include "cfulcrum.h"

int cf_accept4(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
int cf_socket(int domain, int type, int proto) {
    return socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
}
int cf_socket_blocking(int domain, int type, int proto) {
    return socket(domain, type | SOCK_CLOEXEC, proto);
}
int cf_socketpair_seqpacket(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds);
}
int cf_pipe_nonblock(int fds[2]) { return pipe2(fds, O_NONBLOCK | O_CLOEXEC); }
ssize_t cf_splice(int from, int to, size_t len) {
    return splice(from, NULL, to, NULL, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
}
ssize_t cf_send(int fd, const void *buf, size_t len) { return send(fd, buf, len, MSG_NOSIGNAL); }
int cf_set_pipe_size(int fd, int size) { return fcntl(fd, F_SETPIPE_SZ, size); }
int cf_dup_above(int fd, int minfd) { return fcntl(fd, F_DUPFD_CLOEXEC, minfd); }
int cf_set_cloexec(int fd, int on) {
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFD, on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC));
}
int cf_set_nonblock(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}
int cf_memfd_create(const char *name) { return memfd_create(name, MFD_CLOEXEC); }
int cf_signalfd(const sigset_t *mask) { return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC); }

char *cf_crypt(const char *key, const char *salt) { return crypt(key, salt); }

// ---- VRRP system layer ----

int cf_netlink_route_socket(uint32_t groups, int nonblocking) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof sa);
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = groups;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static int cf_membership(int fd, int option, uint32_t group_be, int ifindex) {
    struct ip_mreqn m;
    memset(&m, 0, sizeof m);
    m.imr_multiaddr.s_addr = group_be;
    m.imr_ifindex = ifindex;
    return setsockopt(fd, IPPROTO_IP, option, &m, sizeof m);
}
int cf_ip_add_membership(int fd, uint32_t group_be, int ifindex) {
    return cf_membership(fd, IP_ADD_MEMBERSHIP, group_be, ifindex);
}
int cf_ip_multicast_if(int fd, int ifindex) {
    struct ip_mreqn m;
    memset(&m, 0, sizeof m);
    m.imr_ifindex = ifindex;
    return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m);
}

int cf_bind_ipv4(int fd, uint32_t address_be) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = address_be;
    return bind(fd, (struct sockaddr *)&sa, sizeof sa);
}
ssize_t cf_sendto_ipv4(int fd, const void *buf, size_t len, uint32_t address_be) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = address_be;
    return sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&sa, sizeof sa);
}
ssize_t cf_recvfrom_ipv4(int fd, void *buf, size_t len, uint32_t *address_be) {
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    memset(&sa, 0, sizeof sa);
    ssize_t n = recvfrom(fd, buf, len, 0, (struct sockaddr *)&sa, &sl);
    if (n >= 0 && address_be) *address_be = sa.sin_addr.s_addr;
    return n;
}
int cf_attach_drop_all_filter(int fd) {
    struct sock_filter code[1] = { BPF_STMT(BPF_RET | BPF_K, 0) };
    struct sock_fprog prog = { .len = 1, .filter = code };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

ssize_t cf_packet_send(int fd, int ifindex, const void *frame, size_t len) {
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = ifindex;
    sll.sll_halen = 6;
    if (len >= 6) memcpy(sll.sll_addr, frame, 6); // destination MAC, as the frame says
    return sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof sll);
}
int cf_packet_bind(int fd, int ifindex, uint16_t ethertype) {
    struct sockaddr_ll sll;
    memset(&sll, 0, sizeof sll);
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = ifindex;
    sll.sll_protocol = htons(ethertype);
    return bind(fd, (struct sockaddr *)&sll, sizeof sll);
}

int cf_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

int cf_malloc_trim(void) { return malloc_trim(0); }

size_t cf_malloc_usable_size(const void *p) { return malloc_usable_size((void *)p); }

ssize_t cf_send_fds(int sock, const void *data, size_t len, const int *fds, int nfds) {
    struct iovec iov = { (void *)data, len };
    struct msghdr msg = { 0 };
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int) * 253)];
    if (nfds > 253) { errno = EINVAL; return -1; }
    if (nfds > 0) {
        memset(control, 0, sizeof(control));
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

ssize_t cf_recv_fds(int sock, void *data, size_t cap, int *fds, int maxfds, int *nfds) {
    struct iovec iov = { data, cap };
    struct msghdr msg = { 0 };
    char control[CMSG_SPACE(sizeof(int) * 253)];
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    *nfds = 0;
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *received = (int *)CMSG_DATA(c);
        for (int i = 0; i < count; i++) {
            if (*nfds < maxfds) fds[(*nfds)++] = received[i]; else close(received[i]);
        }
    }
    return n;
}
