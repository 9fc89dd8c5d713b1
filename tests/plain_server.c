/* plain_server.c: a plain web server that is no Human Input API, for the preflight tests:
 * every request gets the same answer — nginx's HTML 404 page (--status 404, the default),
 * or a web app's HTML page with 200 (--status 200, as a single-page app answers every path).
 * Usage: plain_server --port-file FILE [--status 404|200]. Listens on 127.0.0.1, an
 * ephemeral port written to FILE; runs until SIGTERM/SIGINT. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char PAGE_404[] = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n"
                               "<center><h1>404 Not Found</h1></center>\r\n"
                               "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
static const char PAGE_200[] = "<!doctype html><html><head><title>Welcome</title></head><body>"
                               "<div id=\"app\">Loading…</div></body></html>\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    unsigned status = *(const unsigned *)cls;
    if (!*con_cls) { /* first call: headers only */
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_data_size) { /* read and drop a request body */
        *upload_data_size = 0;
        return MHD_YES;
    }
    const char *page = status == 200 ? PAGE_200 : PAGE_404;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(page), (void *)page, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "text/html");
    MHD_add_response_header(r, "Server", "nginx");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

int main(int argc, char **argv)
{
    const char *port_file = NULL;
    unsigned status = 404;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port-file"))
            port_file = argv[i + 1];
        else if (!strcmp(argv[i], "--status"))
            status = (unsigned)atoi(argv[i + 1]);
    }
    if (!port_file || (status != 200 && status != 404)) {
        fprintf(stderr, "usage: plain_server --port-file FILE [--status 404|200]\n");
        return 2;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, answer,
                                            &status, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "plain_server: cannot listen\n");
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    FILE *f = fopen(port_file, "w");
    if (!f || !di) {
        MHD_stop_daemon(d);
        return 1;
    }
    fprintf(f, "%u\n", (unsigned)di->port);
    fclose(f);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop)
        sleep(1); /* a signal cuts the sleep short */
    MHD_stop_daemon(d);
    return 0;
}
