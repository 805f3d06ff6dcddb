// GNU-only calls, compiled with _GNU_SOURCE here so the public header stays
// compatible with Swift's Glibc module (which is built without it).
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <crypt.h>
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
