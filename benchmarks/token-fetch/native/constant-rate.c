/*
 * Constant-rate (open-model) HTTP/1.1 load generator, wrk2-style, for latency below saturation (issue 17).
 *
 * Request i is due at start + i / rate, whatever happened to earlier requests, and its latency is measured from
 * that due time, not from when it was sent: a stall shows up in the tail instead of being hidden by the generator
 * waiting for it (coordinated omission). One thread, one epoll loop, CONNS keep-alive connections; a due request
 * goes to an idle connection, or waits in the queue (and its wait counts) until one is free.
 *
 * Why C and one thread: on this 2-core machine the load generator shares the cores with the broker and
 * PostgreSQL. ConstantRate.java (8 blocking threads) costs several times more CPU per request and wakes a thread
 * per request; here one thread sleeps in epoll_pwait2 (nanosecond timeout) and handles whatever is ready.
 *
 *   cc -O2 -o constant-rate constant-rate.c
 *   ./constant-rate HOST PORT PATH BEARER_TOKEN RATE [SECONDS=30] [CONNS=8] [WARMUP_S=5]
 *
 * RATE 0 means "as fast as the connections allow" (closed model), to find the maximum throughput.
 * Prints the achieved rate, errors, the client's own CPU per request, and exact percentiles (every sample is kept)
 * of two times: from the due time (the number that counts), and from the actual send (the server's part, without
 * the generator's own lateness or the wait for a free connection). CR_SLOW_DUMP=FILE writes every request slower
 * than 1 ms (due time, both latencies, whether it was the first on a new connection) to see whether slow requests
 * come alone or in episodes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF 65536

typedef struct {
    int fd;
    int busy;          /* a request is outstanding */
    int fresh;         /* opened and not used yet: its first request also pays for the new connection */
    int64_t due;       /* due time of the outstanding request */
    int64_t sent;      /* when it was written */
    int64_t index;     /* its index */
    size_t have;       /* bytes buffered */
    char buf[BUF];
} conn_t;

static struct sockaddr_in addr;
static int64_t *service; /* response time from the actual send: the server's part, without the client's lateness */
static char *first;      /* 1 for a request that was the first on a newly opened connection */
static char *request;
static size_t request_len;
static int epfd;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void open_conn(conn_t *c) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *) &addr, sizeof addr) < 0) die("connect"); /* blocking: loopback */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
    c->busy = 0;
    c->have = 0;
    c->fresh = 1;
}

static void close_conn(conn_t *c) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
}

static int send_request(conn_t *c) {
    size_t off = 0;
    while (off < request_len) {
        ssize_t n = write(c->fd, request + off, request_len - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        off += (size_t) n;
    }
    return 0;
}

/* Parses one complete response from c->buf if there is one: returns its length, 0 if incomplete, -1 if garbled.
   Sets *status and *close. Handles Content-Length and chunked bodies. */
static long parse_response(conn_t *c, int *status, int *close_after) {
    c->buf[c->have] = 0;
    char *end = strstr(c->buf, "\r\n\r\n");
    if (!end) return c->have >= BUF - 1 ? -1 : 0;
    size_t head = (size_t) (end - c->buf) + 4;
    if (c->have < 12 || strncmp(c->buf, "HTTP/1.1 ", 9) != 0) return -1;
    *status = atoi(c->buf + 9);
    *close_after = 0;
    long length = -1;
    int chunked = 0;
    for (char *line = strstr(c->buf, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "content-length:", 15) == 0) length = atol(line + 15);
        else if (strncasecmp(line, "transfer-encoding:", 18) == 0) {
            char *eol = strstr(line, "\r\n");
            char *ch = strcasestr(line, "chunked");
            if (ch && ch < eol) chunked = 1;
        }
        else if (strncasecmp(line, "connection:", 11) == 0) {
            char *eol = strstr(line, "\r\n");
            char *cl = strcasestr(line, "close");
            if (cl && cl < eol) *close_after = 1;
        }
    }
    if (chunked) {
        size_t pos = head;
        for (;;) {
            char *eol = strstr(c->buf + pos, "\r\n");
            if (!eol) return 0;
            long size = strtol(c->buf + pos, NULL, 16);
            pos = (size_t) (eol - c->buf) + 2;
            if (size == 0) {
                /* no trailers expected: the terminating CRLF */
                if (c->have < pos + 2) return 0;
                return (long) (pos + 2);
            }
            if (c->have < pos + (size_t) size + 2) return 0;
            pos += (size_t) size + 2;
        }
    }
    if (length < 0) length = 0;
    if (c->have < head + (size_t) length) return 0;
    return (long) (head + (size_t) length);
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y ? -1 : x > y;
}

static double pct(const int64_t *sorted, int64_t n, double q) {
    int64_t i = (int64_t) (q * (double) n + 0.999999) - 1;
    if (i < 0) i = 0;
    if (i >= n) i = n - 1;
    return (double) sorted[i] / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: %s HOST PORT PATH BEARER_TOKEN RATE [SECONDS=30] [CONNS=8] [WARMUP_S=5]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]);
    const char *path = argv[3];
    const char *token = argv[4];
    double rate = atof(argv[5]);
    int seconds = argc > 6 ? atoi(argv[6]) : 30;
    int nconns = argc > 7 ? atoi(argv[7]) : 8;
    int warmup = argc > 8 ? atoi(argv[8]) : 5;
    int closed = rate <= 0;

    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0) die("getaddrinfo");
    addr = *(struct sockaddr_in *) res->ai_addr;
    addr.sin_port = htons((uint16_t) port);
    freeaddrinfo(res);

    request_len = (size_t) asprintf(&request,
        "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAuthorization: Bearer %s\r\nAccept: application/json\r\n\r\n",
        path, host, port, token);

    /* in the closed model the count is unknown up front: size for 100k/s */
    int64_t total = closed ? (int64_t) 100000 * (seconds + warmup) : (int64_t) (rate * (seconds + warmup));
    int64_t warmup_count = closed ? -1 : (int64_t) (rate * warmup);
    int64_t interval = closed ? 0 : (int64_t) (1e9 / rate);
    int64_t *lat = calloc((size_t) total, sizeof *lat);
    service = calloc((size_t) total, sizeof *service);
    first = calloc((size_t) total, 1);
    if (!lat || !service || !first) die("calloc");
    /* the default 50 us timer slack would make every send late by that much */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

    epfd = epoll_create1(0);
    conn_t *conns = calloc((size_t) nconns, sizeof *conns);
    int *idle = calloc((size_t) nconns, sizeof *idle);
    int nidle = 0;
    for (int i = 0; i < nconns; i++) {
        open_conn(&conns[i]);
        idle[nidle++] = i;
    }

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    int64_t start = now_ns() + 50000000LL;
    int64_t end_closed = start + (int64_t) (seconds + warmup) * 1000000000LL;
    int64_t warm_end_closed = start + (int64_t) warmup * 1000000000LL;
    int64_t next = 0, done = 0, errors = 0, measured_from = closed ? -1 : warmup_count;
    struct epoll_event events[64];

    for (;;) {
        int64_t now = now_ns();
        if (closed && warmup_count < 0 && now >= warm_end_closed) warmup_count = measured_from = next;
        /* hand due requests to idle connections */
        while (nidle > 0 && next < total) {
            int64_t due = closed ? now : start + next * interval;
            if (closed && now >= end_closed) break;
            if (due > now) break;
            conn_t *c = &conns[idle[--nidle]];
            c->busy = 1;
            c->due = due;
            c->index = next++;
            c->sent = now_ns();
            first[c->index] = (char) c->fresh;
            if (send_request(c) < 0) {
                close_conn(c);
                open_conn(c);
                if (send_request(c) < 0) die("write");
                c->busy = 1;
                c->due = due;
                c->index = next - 1;
                first[c->index] = 1;
            }
            c->fresh = 0;
        }
        if (closed && now >= end_closed && nidle == nconns) break;
        if (!closed && done >= total) break;
        struct timespec timeout, *tp = NULL;
        if (!closed && next < total && nidle > 0) {
            int64_t wait = start + next * interval - now_ns();
            if (wait < 0) wait = 0;
            timeout.tv_sec = wait / 1000000000LL;
            timeout.tv_nsec = wait % 1000000000LL;
            tp = &timeout;
        } else if (closed) {
            timeout.tv_sec = 0;
            timeout.tv_nsec = 10000000;
            tp = &timeout;
        }
        int n = epoll_pwait2(epfd, events, 64, tp, NULL);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_pwait2");
        }
        for (int e = 0; e < n; e++) {
            conn_t *c = events[e].data.ptr;
            ssize_t r = read(c->fd, c->buf + c->have, BUF - 1 - c->have);
            if (r <= 0) {
                if (r < 0 && errno == EINTR) continue;
                /* the server closed (or reset) the connection: an error for a request in flight; an idle
                   connection (keep-alive timeout) is already in the idle list and is only reopened */
                int was_busy = c->busy;
                if (was_busy) {
                    int64_t t = now_ns();
                    lat[c->index] = t - c->due;
                    service[c->index] = t - c->sent;
                    if (c->index >= measured_from) errors++;
                    done++;
                }
                close_conn(c);
                open_conn(c);
                if (was_busy) idle[nidle++] = (int) (c - conns);
                continue;
            }
            c->have += (size_t) r;
            int status, close_after;
            long len = parse_response(c, &status, &close_after);
            if (len == 0) continue;
            int64_t t = now_ns();
            if (len < 0) {
                status = -1;
                close_after = 1;
                len = (long) c->have;
            }
            if (c->busy) {
                lat[c->index] = t - c->due;
                service[c->index] = t - c->sent;
                if (status != 200 && c->index >= measured_from) errors++;
                done++;
                c->busy = 0;
            }
            memmove(c->buf, c->buf + len, c->have - (size_t) len);
            c->have -= (size_t) len;
            if (close_after) {
                /* Tomcat closes after max-keep-alive-requests: a complete answer, not an error; the next
                   request pays for the new connection, as a real client would */
                close_conn(c);
                open_conn(c);
            }
            idle[nidle++] = (int) (c - conns);
        }
    }
    int64_t elapsed = now_ns() - start;
    getrusage(RUSAGE_SELF, &ru1);
    double cpu_ms = (double) (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1e3 + (double) (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e3
                  + (double) (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e3 + (double) (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e3;

    const char *dump = getenv("CR_SLOW_DUMP");
    if (dump && !closed) {
        /* every request slower than 1 ms: due time (ms since start), latency from due, response time from send,
           1 if it was the first request on a newly opened connection */
        FILE *f = fopen(dump, "w");
        /* the wall-clock time of the schedule's start, to line episodes up with e.g. a GC log */
        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        double start_wall = (double) wall.tv_sec + (double) wall.tv_nsec / 1e9 - (double) (now_ns() - start) / 1e9;
        fprintf(f, "# start %.6f (epoch seconds); then per line: due ms since start, latency from due ms, from send ms, first on a new connection\n", start_wall);
        for (int64_t i = warmup_count; i < total; i++) {
            if (lat[i] > 1000000) fprintf(f, "%.3f %.3f %.3f %d\n", (double) (i * interval) / 1e6, (double) lat[i] / 1e6, (double) service[i] / 1e6, first[i]);
        }
        fclose(f);
    }
    /* the requests that also paid for a new connection (the server closed the last one, e.g. Tomcat's
       max-keep-alive-requests): how many, and how long they took from the due time */
    int64_t nfirst = 0;
    int64_t *firsts = calloc((size_t) total, sizeof *firsts);
    for (int64_t i = measured_from < 0 ? 0 : measured_from; i < done && firsts; i++) {
        if (first[i]) firsts[nfirst++] = lat[i];
    }
    int64_t count = done - (measured_from < 0 ? 0 : measured_from);
    int64_t *m = lat + (measured_from < 0 ? 0 : measured_from);
    qsort(m, (size_t) count, sizeof *m, cmp64);
    int64_t *sv = service + (measured_from < 0 ? 0 : measured_from);
    qsort(sv, (size_t) count, sizeof *sv, cmp64);
    if (closed) {
        printf("closed model, %d connections: %.0f/s over %d s after %d s warm-up, requests=%lld, errors=%lld, client cpu %.1f us/req\n",
               nconns, (double) count / seconds, seconds, warmup, (long long) count, (long long) errors, cpu_ms * 1e3 / (double) done);
        printf("latency (closed model, from send): p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms\n",
               pct(m, count, .5), pct(m, count, .9), pct(m, count, .99), pct(m, count, .999), (double) m[count - 1] / 1e6);
    } else {
        printf("rate=%.0f/s target, %.0f/s achieved over %d s (+%d s warm-up), conns=%d, requests=%lld, errors=%lld, client cpu %.1f us/req\n",
               rate, (double) total * 1e9 / (double) elapsed, seconds, warmup, nconns, (long long) count, (long long) errors,
               cpu_ms * 1e3 / (double) total);
        printf("latency from due time: p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms\n",
               pct(m, count, .5), pct(m, count, .9), pct(m, count, .99), pct(m, count, .999), (double) m[count - 1] / 1e6);
    }
    printf("response time from the actual send: p50=%.2fms p90=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms\n",
           pct(sv, count, .5), pct(sv, count, .9), pct(sv, count, .99), pct(sv, count, .999), (double) sv[count - 1] / 1e6);
    if (nfirst > 0) {
        qsort(firsts, (size_t) nfirst, sizeof *firsts, cmp64);
        printf("first requests on a new connection: %lld (%.2f%%), from due time p50=%.2fms p90=%.2fms max=%.2fms\n",
               (long long) nfirst, 100.0 * (double) nfirst / (double) count, pct(firsts, nfirst, .5),
               pct(firsts, nfirst, .9), (double) firsts[nfirst - 1] / 1e6);
    }
    return 0;
}
