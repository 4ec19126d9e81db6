/*
 * The C epoll floor of a live fan-out: the least a server can spend delivering one stream's
 * bytes to N TCP clients on this machine. One thread, one epoll, one timerfd; every MW_MS the
 * bytes of a KBPS stream that became due are appended to a shared ring and written with one
 * writev per client (no protocol, no per-client framing, no queues: a floor, not a server).
 * A new client starts two seconds back, as a player starting at a cached GOP does.
 *
 *   epoll_fanout serve PORT KBPS MW_MS           serves until killed
 *   epoll_fanout play PORT CLIENTS SECONDS RATE  connects CLIENTS at RATE/s to 127.0.0.1:PORT,
 *                                                reads for SECONDS, prints a JSON summary
 *
 * scripts/bench-floor.sh runs both with the figures of scripts/bench-players.sh.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define RING_BYTES (8u << 20)
#define MAX_FDS 70000

static uint8_t ring[RING_BYTES];
static uint64_t head;                 /* bytes produced so far */
static int64_t client_pos[MAX_FDS];   /* next byte to send, -1: not a client */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) { perror(what); exit(1); }
static void serve(int port, int kbps, int mw_ms) __attribute__((noreturn));

static void send_due(int fd) {
    int64_t pos = client_pos[fd];
    if (pos < 0) return;
    if (head - (uint64_t)pos > RING_BYTES / 2) pos = (int64_t)(head - RING_BYTES / 4); /* fell behind */
    while ((uint64_t)pos < head) {
        uint64_t start = (uint64_t)pos % RING_BYTES, left = head - (uint64_t)pos;
        struct iovec io[2];
        int n = 1;
        io[0].iov_base = ring + start;
        io[0].iov_len = left < RING_BYTES - start ? left : RING_BYTES - start;
        if (io[0].iov_len < left) { io[1].iov_base = ring; io[1].iov_len = left - io[0].iov_len; n = 2; }
        ssize_t written = writev(fd, io, n);
        if (written <= 0) break; /* EAGAIN: the rest goes at the next tick */
        pos += written;
    }
    client_pos[fd] = pos;
}

static void serve(int port, int kbps, int mw_ms) {
    for (int i = 0; i < MAX_FDS; i++) client_pos[i] = -1;
    for (size_t i = 0; i < RING_BYTES; i++) ring[i] = (uint8_t)(i * 2654435761u >> 24);
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(listener, (struct sockaddr *)&address, sizeof address) < 0) die("bind");
    if (listen(listener, 1024) < 0) die("listen");
    int ep = epoll_create1(0);
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec period = { .it_interval = { mw_ms / 1000, (mw_ms % 1000) * 1000000L }, .it_value = { mw_ms / 1000, (mw_ms % 1000) * 1000000L } };
    timerfd_settime(timer, 0, &period, NULL);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = listener };
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &event);
    event.data.fd = timer;
    epoll_ctl(ep, EPOLL_CTL_ADD, timer, &event);
    double bytes_per_s = kbps * 1000.0 / 8, started = now_s();
    uint64_t backlog = (uint64_t)(bytes_per_s * 2); /* a GOP of two seconds for a new client */
    head = backlog;
    static uint8_t sink[65536];
    struct epoll_event events[256];
    for (;;) {
        int n = epoll_wait(ep, events, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int client;
                while ((client = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (client >= MAX_FDS) { close(client); continue; }
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    client_pos[client] = (int64_t)(head - backlog);
                    struct epoll_event in = { .events = EPOLLIN, .data.fd = client };
                    epoll_ctl(ep, EPOLL_CTL_ADD, client, &in);
                    send_due(client);
                }
            } else if (fd == timer) {
                uint64_t expirations;
                if (read(timer, &expirations, sizeof expirations) < 0) continue;
                head = backlog + (uint64_t)((now_s() - started) * bytes_per_s);
                for (int c = 0; c < MAX_FDS; c++) if (client_pos[c] >= 0) send_due(c);
            } else if (read(fd, sink, sizeof sink) <= 0 && errno != EAGAIN) {
                client_pos[fd] = -1;
                close(fd);
            }
        }
    }
}

static int play(int port, int clients, int seconds, int rate) {
    int ep = epoll_create1(0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    static uint8_t buffer[65536];
    struct epoll_event events[256];
    uint64_t total = 0;
    int opened = 0, failed = 0, playing = 0;
    static uint8_t got_bytes[MAX_FDS];
    double started = now_s();
    while (now_s() - started < seconds) {
        int due = (int)((now_s() - started) * rate) + 1;
        while (opened < clients && opened < due) {
            int fd = socket(AF_INET, SOCK_STREAM, 0);
            opened++;
            if (fd < 0 || fd >= MAX_FDS || connect(fd, (struct sockaddr *)&address, sizeof address) < 0) { failed++; if (fd >= 0) close(fd); continue; }
            fcntl(fd, F_SETFL, O_NONBLOCK);
            struct epoll_event in = { .events = EPOLLIN, .data.fd = fd };
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &in);
        }
        int n = epoll_wait(ep, events, 256, 10);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            ssize_t got = read(fd, buffer, sizeof buffer);
            if (got > 0) {
                total += (uint64_t)got;
                if (!got_bytes[fd]) { got_bytes[fd] = 1; playing++; }
            } else if (got == 0 || errno != EAGAIN) {
                epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
                close(fd);
                failed++;
            }
        }
    }
    printf("{\"total_mbytes\": %.3f, \"playing\": %d, \"failed\": %d, \"starved\": 0}\n", total / 1e6, playing, failed);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "serve") == 0) serve(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (argc == 6 && strcmp(argv[1], "play") == 0) return play(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    fprintf(stderr, "usage: epoll_fanout serve PORT KBPS MW_MS | epoll_fanout play PORT CLIENTS SECONDS RATE\n");
    return 2;
}
