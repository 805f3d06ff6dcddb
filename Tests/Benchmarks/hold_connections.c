// The client of bench.sh's memory case: opens COUNT keep-alive connections
// to 127.0.0.1:PORT, makes one HTTP request on each (read to the end of its
// Content-Length body), prints "held N failed F", then keeps them all open
// and idle until SIGTERM or SIGINT (or MAX_SECONDS, a bound against a lost
// script), closes them and prints "closed N".
//
//     cc -O2 -o hold_connections hold_connections.c
//     hold_connections PORT COUNT [MAX_SECONDS]
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

// Reads one response; returns its status, or -1 (closed, timeout, garbage).
static int read_response(int fd) {
    char buf[65536];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0) return -1;
        have += (size_t)n;
        buf[have] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        if (!end) {
            if (have >= sizeof buf - 1) return -1;
            continue;
        }
        int status = 0;
        if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) return -1;
        long length = 0;
        for (char *line = strstr(buf, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
            if (strncasecmp(line + 2, "content-length:", 15) == 0) length = strtol(line + 17, NULL, 10);
        }
        size_t body = have - (size_t)(end + 4 - buf);
        while ((long)body < length) {
            n = read(fd, buf, sizeof buf);
            if (n <= 0) return -1;
            body += (size_t)n;
        }
        return status;
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s PORT COUNT [MAX_SECONDS]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), count = atoi(argv[2]);
    int max_seconds = argc > 3 ? atoi(argv[3]) : 600;
    if (port <= 0 || port > 65535 || count <= 0) return 2;
    int *fds = calloc((size_t)count, sizeof *fds);
    if (!fds) return 1;
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGALRM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    static const char request[] = "GET /index.html HTTP/1.1\r\nHost: bench.example\r\n\r\n";
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval timeout = {.tv_sec = 5};
    int held = 0, failed = 0;
    for (int i = 0; i < count && !stop; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            fprintf(stderr, "socket: %s (raise ulimit -n)\n", strerror(errno));
            failed += count - i;
            break;
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0
            || write(fd, request, sizeof request - 1) != (ssize_t)(sizeof request - 1)
            || read_response(fd) != 200) {
            close(fd);
            failed++;
            continue;
        }
        fds[held++] = fd;
    }
    // Blocked until sigsuspend, so a signal cannot slip in before the wait.
    sigset_t hold, previous;
    sigemptyset(&hold);
    sigaddset(&hold, SIGTERM);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGALRM);
    sigprocmask(SIG_BLOCK, &hold, &previous);
    printf("held %d failed %d\n", held, failed);
    fflush(stdout);

    alarm((unsigned)max_seconds);
    while (!stop) sigsuspend(&previous);
    for (int i = 0; i < held; i++) close(fds[i]);
    printf("closed %d\n", held);
    return failed ? 1 : 0;
}
