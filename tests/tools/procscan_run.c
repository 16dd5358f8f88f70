/* Run the /proc socket scan (src/procscan.c) and print what it finds: for the
 * benchmark, the integration test, recording fixtures and debugging.
 *
 *   procscan_run [--proc DIR] [--port N] [--no-sockdiag] [--replay DIR]
 *                [--record DIR] [--unowned] [--netns INODE] [--count]
 *                [--repeat N] [--stats]
 *
 * One line per (process, socket) hit on stdout, fields in this order:
 *
 *   pid=P starttime=T netns=N fd=F proto=udp family=inet6 state=connected
 *   inode=I local=[::1]:40000 remote=[::1]:53 comm=C
 *
 * (comm escaped; pid=0 fd=-1 for a socket without a known owner, with
 * --unowned). --netns keeps the hits of one network namespace; --count prints
 * "hits=N" instead of the lines; --repeat runs N scans with one scanner (the
 * netlink socket cache), printing the last; --record writes the sock_diag
 * replies of every namespace to DIR (see rs_sockdiag_record_name). --stats
 * prints one line of counters to stderr, with the wall-clock time of the last
 * scan and the peak RSS:
 *
 *   stats processes=N gone=N ... seconds=S maxrss_kb=K
 *
 * Exit 0, 1 if the scan failed, 2 on usage errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "resolvstale/addr.h"
#include "resolvstale/escape.h"
#include "resolvstale/event.h"
#include "resolvstale/procscan.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/sock.h"
#include "resolvstale/strnum.h"

struct out {
	bool count_only, print;
	uint64_t netns; /* 0: all */
	uint64_t hits;
	struct rs_sbuf line;
};

static void put_endpoint(struct rs_sbuf *sb, const struct rs_addr *a, uint16_t port)
{
	char buf[RS_ADDR_STRLEN];

	rs_addr_format(a, buf, sizeof(buf));
	if (a->family == AF_INET6)
		rs_sbuf_printf(sb, "[%s]:%u", buf, port);
	else
		rs_sbuf_printf(sb, "%s:%u", buf, port);
}

static int on_hit(void *ctx, const struct rs_procscan_hit *h)
{
	struct out *o = ctx;
	const struct rs_sock *s = h->sock;
	struct rs_sbuf *sb = &o->line;

	if (o->netns != 0 && h->netns != o->netns)
		return 0;
	o->hits++;
	if (o->count_only || !o->print)
		return 0;
	rs_sbuf_reset(sb);
	rs_sbuf_printf(sb,
		       "pid=%" PRId32 " starttime=%" PRIu64 " netns=%" PRIu64
		       " fd=%d proto=%s family=%s state=%s inode=%" PRIu64 " local=",
		       h->pid, h->starttime, h->netns, h->fd, rs_proto_name(s->proto),
		       s->family == AF_INET6 ? "inet6" : "inet",
		       rs_sock_state_name(s->proto, s->state), s->inode);
	put_endpoint(sb, &s->local, s->lport);
	rs_sbuf_puts(sb, " remote=");
	put_endpoint(sb, &s->remote, s->rport);
	rs_sbuf_puts(sb, " comm=");
	rs_escape_text(sb, h->comm, strlen(h->comm));
	rs_sbuf_putc(sb, '\n');
	if (rs_sbuf_failed(sb))
		return -ENOMEM;
	fputs(rs_sbuf_str(sb), stdout);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: procscan_run [--proc DIR] [--port N] [--no-sockdiag] "
			"[--replay DIR] [--record DIR] [--unowned] [--netns INODE] [--count] "
			"[--repeat N] [--stats]\n");
	exit(2);
}

static uint64_t number(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (s == NULL || rs_strtou64(s, min, max, &v) < 0) {
		fprintf(stderr, "procscan_run: %s needs a number in [%" PRIu64 ", %" PRIu64 "]\n",
			opt, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct rs_procscan_opts opts;
	struct rs_procscan *ps = NULL;
	const struct rs_procscan_stats *st;
	struct out o = {.print = true, .line = RS_SBUF_INIT};
	struct timespec t0, t1;
	struct rusage ru;
	uint64_t repeat = 1;
	bool stats = false;
	int r = 0;

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	rs_procscan_opts_init(&opts);
	opts.self_pid = (int32_t)getpid();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--proc") == 0 && v != NULL) {
			opts.proc_root = v;
			i++;
		} else if (strcmp(a, "--port") == 0) {
			opts.port = (uint16_t)number(a, v, 1, 65535);
			i++;
		} else if (strcmp(a, "--no-sockdiag") == 0) {
			opts.use_sockdiag = false;
		} else if (strcmp(a, "--replay") == 0 && v != NULL) {
			opts.replay_dir = v;
			i++;
		} else if (strcmp(a, "--record") == 0 && v != NULL) {
			opts.record_dir = v;
			i++;
		} else if (strcmp(a, "--unowned") == 0) {
			opts.report_unowned = true;
		} else if (strcmp(a, "--netns") == 0) {
			o.netns = number(a, v, 1, UINT64_MAX);
			i++;
		} else if (strcmp(a, "--count") == 0) {
			o.count_only = true;
		} else if (strcmp(a, "--repeat") == 0) {
			repeat = number(a, v, 1, 1000);
			i++;
		} else if (strcmp(a, "--stats") == 0) {
			stats = true;
		} else {
			usage();
		}
	}
	r = rs_procscan_new(&opts, &ps);
	if (r < 0) {
		fprintf(stderr, "procscan_run: cannot create the scanner: %s\n", strerror(-r));
		return 1;
	}
	for (uint64_t n = 0; n < repeat; n++) {
		o.hits = 0;
		o.print = n + 1 == repeat;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = rs_procscan_run(ps, on_hit, &o);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (r < 0)
			break;
	}
	if (r < 0) {
		fprintf(stderr, "procscan_run: scan of %s failed: %s\n", opts.proc_root,
			strerror(-r));
		rs_procscan_free(ps);
		rs_sbuf_free(&o.line);
		return 1;
	}
	if (o.count_only)
		printf("hits=%" PRIu64 "\n", o.hits);
	fflush(stdout);
	if (stats) {
		st = rs_procscan_stats(ps);
		getrusage(RUSAGE_SELF, &ru);
		fprintf(stderr,
			"stats processes=%" PRIu64 " gone=%" PRIu64 " unreadable=%" PRIu64
			" reused=%" PRIu64 " skipped=%" PRIu64 " fds=%" PRIu64 " fds_gone=%" PRIu64
			" sockets=%" PRIu64 " hits=%" PRIu64 " unowned=%" PRIu64
			" no_inode=%" PRIu64 " namespaces=%" PRIu64 " ns_sockets=%" PRIu64
			" dumps=%" PRIu64 " retries=%" PRIu64 " fallbacks=%" PRIu64
			" ns_failed=%" PRIu64 " malformed=%" PRIu64 " nl_opened=%" PRIu64
			" nl_closed=%" PRIu64 " nl_cached=%" PRIu64 " seconds=%.6f maxrss_kb=%ld\n",
			st->processes, st->gone, st->unreadable, st->reused, st->skipped, st->fds,
			st->fds_gone, st->sockets, st->hits, st->unowned, st->no_inode,
			st->namespaces, st->ns_sockets, st->dumps, st->retries, st->fallbacks,
			st->ns_failed, st->malformed, st->nl_opened, st->nl_closed, st->nl_cached,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
			ru.ru_maxrss);
	}
	rs_procscan_free(ps);
	rs_sbuf_free(&o.line);
	return 0;
}
