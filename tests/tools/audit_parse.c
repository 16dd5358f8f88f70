/* Replay audit logs through the code the live audit source runs.
 *
 *   audit_parse [--list] [--target PATH] [--target-ino N] FILE...
 *
 * Feeds each FILE (auditd's log, RAW or ENRICHED format) through
 * rs_audit_feed_text in 64 KiB reads, as the live source feeds netlink
 * records, filters the events as src/audit_src.c does (its own CONFIG_CHANGE
 * records are rule bookkeeping, sends to other ports are counted and
 * dropped) and classifies the rest with rs_audit_classify against the target
 * (default /etc/resolv.conf) and the daemon's key prefix. Prints one summary
 * line:
 *
 *   records=N events=N dns_send=N config=N other_sends=N rule_changes=N
 *   seconds=S records_per_s=R
 *
 * and with --list, before it, one line per classified event (process-supplied
 * strings escaped). Exit 0, 1 if a file cannot be read, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/addr.h"
#include "resolvstale/audit_rec.h"
#include "resolvstale/audit_rules.h"
#include "resolvstale/escape.h"
#include "resolvstale/event.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

#define READ_CHUNK (64 * 1024)

struct replay {
	struct rs_audit_match match;
	bool list;
	uint64_t dns_sends, config, other_sends, rule_changes;
	struct rs_sbuf line;
};

static void put_str(struct rs_sbuf *sb, const char *name, const char *s)
{
	rs_sbuf_printf(sb, " %s=", name);
	if (s == NULL)
		rs_sbuf_puts(sb, "?");
	else
		rs_escape_text(sb, s, strlen(s));
}

static void list_event(struct replay *r, const struct rs_audit_event *ae, const struct rs_event *ev)
{
	struct rs_sbuf *sb = &r->line;
	char addr[RS_ADDR_STRLEN];

	rs_sbuf_reset(sb);
	rs_sbuf_printf(sb, "%s serial=%" PRIu64 " time=%" PRId64 ".%03" PRId64 " pid=%" PRId32,
		       rs_event_type_name(ev->type), ae->serial, ev->time_ns / 1000000000,
		       ev->time_ns % 1000000000 / 1000000, ev->proc.pid);
	put_str(sb, "comm", ev->proc.comm);
	put_str(sb, "exe", ev->proc.exe);
	if (ev->type == RS_EV_DNS_SEND) {
		rs_sbuf_printf(sb, " syscall=%s dst=%s port=%u err=%d fd=%" PRId64,
			       ev->u.dns.syscall,
			       rs_addr_format(&ev->u.dns.dst, addr, sizeof(addr)), ev->u.dns.port,
			       ev->u.dns.err, ev->u.dns.fd);
	} else {
		rs_sbuf_printf(sb, " syscall=%s", ev->u.config.syscall);
		put_str(sb, "path", ev->u.config.path);
		rs_sbuf_printf(sb, " err=%d", ev->u.config.err);
	}
	rs_sbuf_putc(sb, '\n');
	fputs(rs_sbuf_str(sb), stdout);
}

/* What src/audit_src.c's on_audit_event does, minus the kernel and /proc. */
static void on_event(void *ctx, const struct rs_audit_event *ae)
{
	struct replay *r = ctx;
	struct rs_event evs[4];
	size_t n;

	if (ae->has_config_change &&
	    strncmp(ae->cc_key, RS_AUDIT_KEY_PREFIX, strlen(RS_AUDIT_KEY_PREFIX)) == 0) {
		r->rule_changes++;
		return;
	}
	if (ae->has_sockaddr && ae->port != 53 && ae->has_syscall) {
		r->other_sends++;
		return;
	}
	n = rs_audit_classify(ae, &r->match, evs, sizeof(evs) / sizeof(evs[0]));
	for (size_t i = 0; i < n; i++) {
		if (evs[i].type == RS_EV_DNS_SEND)
			r->dns_sends++;
		else
			r->config++;
		if (r->list)
			list_event(r, ae, &evs[i]);
	}
}

static int feed_file(struct rs_audit_feed *f, const char *path, char *buf)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0) {
		fprintf(stderr, "audit_parse: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "audit_parse: cannot read %s: %s\n", path, strerror(errno));
			ret = -1;
			break;
		}
		if (n == 0)
			break;
		if (rs_audit_feed_text(f, buf, (size_t)n) == -ENOMEM) {
			fprintf(stderr, "audit_parse: %s: out of memory\n", path);
			ret = -1;
			break;
		}
	}
	close(fd);
	return ret;
}

static void usage(FILE *out)
{
	fputs("usage: audit_parse [--list] [--target PATH] [--target-ino N] FILE...\n", out);
}

int main(int argc, char **argv)
{
	struct replay r = {.line = RS_SBUF_INIT};
	const struct rs_audit_feed_stats *st;
	struct rs_audit_feed *f = NULL;
	char *buf = NULL;
	int64_t t0, t1;
	double secs;
	int i, status = 0;
	uint64_t ino = 0;

	r.match.target = "/etc/resolv.conf";
	r.match.our_keys = RS_AUDIT_KEY_PREFIX;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--list") == 0) {
			r.list = true;
		} else if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
			r.match.target = argv[++i];
		} else if (strcmp(argv[i], "--target-ino") == 0 && i + 1 < argc) {
			if (rs_strtou64(argv[++i], 1, UINT64_MAX, &ino) < 0) {
				fprintf(stderr, "audit_parse: bad inode number: %s\n", argv[i]);
				return 2;
			}
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "audit_parse: unknown option %s\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	r.match.target_ino = ino;
	buf = malloc(READ_CHUNK);
	f = rs_audit_feed_new(on_event, &r);
	if (buf == NULL || f == NULL) {
		fprintf(stderr, "audit_parse: out of memory\n");
		status = 1;
		goto cleanup;
	}
	t0 = rs_time_mono_ns();
	for (; i < argc; i++)
		if (feed_file(f, argv[i], buf) < 0)
			status = 1;
	rs_audit_feed_flush(f);
	t1 = rs_time_mono_ns();
	st = rs_audit_feed_stats(f);
	secs = (double)(t1 - t0) / 1e9;
	printf("records=%" PRIu64 " events=%" PRIu64 " dns_send=%" PRIu64 " config=%" PRIu64
	       " other_sends=%" PRIu64 " rule_changes=%" PRIu64
	       " seconds=%.3f records_per_s=%.0f\n",
	       st->records, st->events, r.dns_sends, r.config, r.other_sends, r.rule_changes, secs,
	       secs > 0 ? (double)st->records / secs : 0.0);
	if (fflush(stdout) != 0)
		status = 1;
cleanup:
	rs_audit_feed_free(f);
	free(buf);
	rs_sbuf_free(&r.line);
	return status;
}
