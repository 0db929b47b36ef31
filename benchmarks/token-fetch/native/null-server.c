/*
 * The machine's floor for constant-rate latency (issue 17): an HTTP/1.1 server that answers every request at once
 * with a fixed token-shaped JSON body, from one epoll thread, no allocation, no database. Whatever tail the
 * constant-rate client measures against it is the machine's and the client's, not any server's work.
 *
 *   cc -O2 -o null-server null-server.c && ./null-server PORT
 *
 * It reads whatever arrives and answers once per read: enough for a client that sends one request per connection
 * and waits for its answer (constant-rate.c, wrk), not a general HTTP server.
 */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(argv[1])),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(listener, 128) < 0) {
        perror("bind/listen");
        return 1;
    }
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);

    const char *body = "{\"access_token\":\"gho_0123456789abcdefghijklmnopqrstuvwxyz\",\"token_type\":\"Bearer\","
                       "\"expires_in\":3599,\"expires_at\":\"2026-11-30T10:00:00Z\",\"scope\":\"read:user\"}";
    char response[512];
    int length = snprintf(response, sizeof response,
                          "HTTP/1.1 200 \r\nCache-Control: no-store\r\nPragma: no-cache\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(body), body);
    char buf[65536];
    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(ep, events, 64, -1);
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd == listener) {
                int s = accept(listener, NULL, NULL);
                if (s < 0) continue;
                setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                struct epoll_event e = {.events = EPOLLIN, .data.fd = s};
                epoll_ctl(ep, EPOLL_CTL_ADD, s, &e);
                continue;
            }
            if (read(fd, buf, sizeof buf) <= 0 || write(fd, response, (size_t) length) < 0) {
                close(fd);
            }
        }
    }
}
