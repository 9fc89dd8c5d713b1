/* refserver_streams.c: hold N resume streams open on one paused run of a running
 * hitl-refserver, check the server still answers form GETs meanwhile, that every stream
 * keeps receiving pings, and that a submit fans workflow_finished out to all of them.
 *
 * Usage: refserver_streams PORT N [SERVER_PID]   (server on 127.0.0.1, default app keys,
 * started with e.g. --ping-interval 2 --no-rate-limit). Prints one line per phase. Loopback
 * only; bounded: every wait has a deadline and the program exits by itself. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct conn {
    int fd;
    int pings, finished, ended, closed;
} conn;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* request sends |req| on a new connection and reads the whole answer (Connection: close). */
static int request(unsigned port, const char *req, char *out, size_t cap)
{
    int fd = dial(port);
    if (fd < 0 || write(fd, req, strlen(req)) != (ssize_t)strlen(req))
        return -1;
    size_t got = 0;
    ssize_t n;
    while (got + 1 < cap && (n = read(fd, out + got, cap - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(fd);
    return (int)got;
}

/* field copies the JSON string value after "key":" into |out|. */
static int field(const char *s, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(s, pat);
    if (!p)
        return -1;
    p += strlen(pat);
    size_t n = strcspn(p, "\"");
    if (n >= cap)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

static long rss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = atol(line + 6);
    if (f)
        fclose(f);
    return kib;
}

/* pump reads whatever is available on every open stream for up to |secs| seconds. */
static void pump(conn *c, int n, double secs)
{
    struct pollfd *p = calloc((size_t)n, sizeof *p);
    char buf[16384];
    double end = now_s() + secs;
    while (now_s() < end) {
        for (int i = 0; i < n; i++) {
            p[i].fd = c[i].closed ? -1 : c[i].fd;
            p[i].events = POLLIN;
        }
        int ms = (int)((end - now_s()) * 1000);
        if (poll(p, (nfds_t)n, ms > 0 ? ms : 0) <= 0)
            break;
        for (int i = 0; i < n; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = read(c[i].fd, buf, sizeof buf - 1);
            if (r <= 0) {
                c[i].closed = 1;
                close(c[i].fd);
                continue;
            }
            buf[r] = '\0';
            for (char *q = buf; (q = strstr(q, "event: ping")); q++)
                c[i].pings++;
            if (strstr(buf, "workflow_finished"))
                c[i].finished = 1;
            /* the chunked response ended (the connection itself stays for keep-alive) */
            if (strncmp(buf, "0\r\n\r\n", 5) == 0 || strstr(buf, "\r\n0\r\n\r\n"))
                c[i].ended = 1;
        }
    }
    free(p);
}

static int count(const conn *c, int n, int what)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += what == 0   ? !c[i].closed
             : what == 1 ? c[i].pings
             : what == 2 ? c[i].finished
                         : c[i].ended;
    return k;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s PORT N [SERVER_PID]\n", argv[0]);
        return 2;
    }
    unsigned port = (unsigned)atoi(argv[1]);
    int n = atoi(argv[2]), pid = argc > 3 ? atoi(argv[3]) : 0;
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    static char resp[1 << 16];
    const char *body = "{\"inputs\":{},\"response_mode\":\"blocking\",\"user\":\"bench\"}";
    char req[4096], run_id[64], token[128];
    snprintf(req, sizeof req,
             "POST /v1/workflows/run HTTP/1.1\r\nHost: b\r\nConnection: close\r\n"
             "Authorization: Bearer app-hitl-workflow\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             strlen(body), body);
    if (request(port, req, resp, sizeof resp) < 0 || field(resp, "workflow_run_id", run_id, 64) ||
        field(resp, "form_token", token, sizeof token)) {
        fprintf(stderr, "cannot start a run on port %u\n", port);
        return 1;
    }
    if (pid)
        printf("server RSS before: %ld KiB\n", rss_kib(pid));

    conn *c = calloc((size_t)n, sizeof *c);
    double t0 = now_s();
    int opened = 0;
    for (int i = 0; i < n; i++) {
        c[i].fd = dial(port);
        if (c[i].fd < 0) {
            c[i].closed = 1;
            continue;
        }
        snprintf(req, sizeof req,
                 "GET /v1/workflow/%s/events?user=bench HTTP/1.1\r\nHost: b\r\n"
                 "Authorization: Bearer app-hitl-workflow\r\n\r\n",
                 run_id);
        if (write(c[i].fd, req, strlen(req)) < 0)
            c[i].closed = 1;
        opened++;
    }
    pump(c, n, 3.0);
    printf("opened %d/%d streams in %.2f s; %d open, %d first pings\n", opened, n, now_s() - t0,
           count(c, n, 0), count(c, n, 1));

    snprintf(req, sizeof req,
             "GET /api/form/human_input/%s HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n",
             token);
    double worst = 0, total = 0;
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        double s = now_s();
        if (request(port, req, resp, sizeof resp) > 0 && strstr(resp, "200 OK"))
            ok++;
        double d = now_s() - s;
        total += d;
        worst = d > worst ? d : worst;
    }
    printf("form GET while streams are open: %d/20 ok, mean %.2f ms, worst %.2f ms\n", ok,
           total / 20 * 1000, worst * 1000);
    if (pid)
        printf("server RSS with %d streams: %ld KiB\n", count(c, n, 0), rss_kib(pid));

    int before = count(c, n, 1);
    pump(c, n, 3.0);
    printf("after 3 s: %d open, %d more pings\n", count(c, n, 0), count(c, n, 1) - before);

    /* Submit (with an upload for the file field) and time the fan-out. */
    snprintf(req, sizeof req,
             "POST /api/form/human_input/%s/upload-token HTTP/1.1\r\nHost: b\r\n"
             "Connection: close\r\nContent-Length: 0\r\n\r\n",
             token);
    char utok[128], fid[64];
    if (request(port, req, resp, sizeof resp) < 0 || field(resp, "upload_token", utok, sizeof utok))
        return 1;
    const char *mp = "--XB\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
                     "Content-Type: application/pdf\r\n\r\n%PDF\r\n--XB--\r\n";
    snprintf(req, sizeof req,
             "POST /api/human-input-forms/files HTTP/1.1\r\nHost: b\r\nConnection: close\r\n"
             "Authorization: Bearer %s\r\nContent-Type: multipart/form-data; boundary=XB\r\n"
             "Content-Length: %zu\r\n\r\n%s",
             utok, strlen(mp), mp);
    if (request(port, req, resp, sizeof resp) < 0 || field(resp, "id", fid, sizeof fid))
        return 1;
    char sub[1024];
    snprintf(
        sub, sizeof sub,
        "{\"inputs\":{\"feedback\":\"\",\"priority\":\"low\",\"attachment\":{\"transfer_method\":"
        "\"local_file\",\"upload_file_id\":\"%s\",\"type\":\"document\"},\"attachments\":[]},"
        "\"action\":\"approve\"}",
        fid);
    snprintf(req, sizeof req,
             "POST /api/form/human_input/%s HTTP/1.1\r\nHost: b\r\nConnection: close\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
             token, strlen(sub), sub);
    double s = now_s();
    request(port, req, resp, sizeof resp);
    while (count(c, n, 3) < count(c, n, 0) && now_s() - s < 5.0)
        pump(c, n, 0.05);
    printf("submit fan-out: %d/%d streams got workflow_finished, %d responses ended, %.2f s\n",
           count(c, n, 2), n, count(c, n, 3), now_s() - s);
    for (int i = 0; i < n; i++)
        if (!c[i].closed)
            close(c[i].fd);
    free(c);
    return 0;
}
