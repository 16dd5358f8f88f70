/* Drive the live audit source (src/audit_src.c) and its rule groups from
 * standard input, for tests/integration/audit_groups.sh and for debugging.
 *
 *   audit_groups --target PATH [--groups LIST] [--restore-enabled N
 *                --restore-backlog N] [--max-seconds N]
 *
 * Starts an rs_audit_src on PATH (its final path: no symlink is followed)
 * with the groups of LIST ("write,conf,dns", "all"; default all), then reads
 * one command a line:
 *
 *   groups LIST   rs_audit_src_set_groups(LIST)
 *   retarget PATH rs_audit_src_retarget(PATH, its inode and device)
 *   tick          read what the kernel sent, then rs_audit_src_tick once
 *   quit          stop (rules removed, audit settings restored) and exit 0
 *
 * End of input and SIGTERM/SIGINT act as quit. Records are read whenever
 * they arrive. --restore-* give the settings an earlier run recorded before
 * it was killed (as the daemon keeps them in its state database: the
 * "restore" line below). Output, one line each, stdout:
 *
 *   started loaded=write,conf,dns
 *   restore enabled=0 backlog_limit=64      (when the source changed them)
 *   notice LEVEL MESSAGE
 *   event TYPE pid=P syscall=S path=PATH    (config_open, config_stat, config_write)
 *   event dns_send pid=P syscall=S dst=ADDR port=N
 *   event events_lost count=N reason=TEXT
 *   groups LIST rc=R loaded=G group_changes=N
 *   retarget PATH rc=R loaded=G
 *   tick loaded=G rules_readded=N
 *   done N                                  (after the Nth command)
 *
 * Process-supplied strings are escaped. Exit 0; 1 if the source did not
 * start; 2 on usage errors; 3 if another audit source holds the host or
 * the audit rules are locked (-EBUSY).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "resolvstale/addr.h"
#include "resolvstale/audit_rules.h"
#include "resolvstale/audit_src.h"
#include "resolvstale/escape.h"
#include "resolvstale/event.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/strnum.h"

#define LINE_MAX_LEN 256

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* "KEY=" and the escaped value, to a line. */
static void put_field(struct rs_sbuf *sb, const char *key, const char *val)
{
	rs_sbuf_printf(sb, " %s=", key);
	if (val == NULL)
		rs_sbuf_puts(sb, "-");
	else
		rs_escape_text(sb, val, strlen(val));
}

static void on_event(void *ctx, const struct rs_event *ev)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char addr[RS_ADDR_STRLEN];

	(void)ctx;
	rs_sbuf_printf(&sb, "event %s", rs_event_type_name(ev->type));
	switch (ev->type) {
	case RS_EV_CONFIG_OPEN:
	case RS_EV_CONFIG_STAT:
	case RS_EV_CONFIG_WRITE:
		rs_sbuf_printf(&sb, " pid=%" PRId32, ev->proc.pid);
		put_field(&sb, "syscall", ev->u.config.syscall);
		put_field(&sb, "path", ev->u.config.path);
		break;
	case RS_EV_DNS_SEND:
		rs_addr_format(&ev->u.dns.dst, addr, sizeof(addr));
		rs_sbuf_printf(&sb, " pid=%" PRId32, ev->proc.pid);
		put_field(&sb, "syscall", ev->u.dns.syscall);
		rs_sbuf_printf(&sb, " dst=%s port=%u", addr, ev->u.dns.port);
		break;
	case RS_EV_EVENTS_LOST:
		rs_sbuf_printf(&sb, " count=%" PRIu64, ev->u.lost.count);
		put_field(&sb, "reason", ev->u.lost.reason);
		break;
	default:
		break;
	}
	if (!rs_sbuf_failed(&sb))
		printf("%s\n", rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
}

static void on_notice(void *ctx, const char *level, const char *msg)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	(void)ctx;
	rs_escape_text(&sb, msg, strlen(msg));
	if (!rs_sbuf_failed(&sb))
		printf("notice %s %s\n", level, rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
}

static const char *loaded(const struct rs_audit_src *s, char *buf, size_t len)
{
	return rs_audit_groups_format(rs_audit_src_groups(s), buf, len);
}

/* Run one command line. Returns false on quit. */
static bool command(struct rs_audit_src *s, const char *line)
{
	const struct rs_audit_src_stats *st = rs_audit_src_stats(s);
	char buf[32];
	unsigned groups;

	if (strcmp(line, "quit") == 0)
		return false;
	if (strcmp(line, "tick") == 0) {
		if (rs_audit_src_process(s) < 0)
			printf("notice error reading the audit socket failed\n");
		rs_audit_src_tick(s);
		printf("tick loaded=%s rules_readded=%" PRIu64 "\n", loaded(s, buf, sizeof(buf)),
		       st->rules_readded);
	} else if (strncmp(line, "groups ", 7) == 0 &&
		   rs_audit_groups_parse(line + 7, &groups) == 0) {
		int r = rs_audit_src_set_groups(s, groups);
		printf("groups %s rc=%d loaded=%s group_changes=%" PRIu64 "\n", line + 7, r,
		       loaded(s, buf, sizeof(buf)), st->group_changes);
	} else if (strncmp(line, "retarget /", 10) == 0) {
		struct stat sb;
		int r = stat(line + 9, &sb) < 0
				? -errno
				: rs_audit_src_retarget(s, line + 9, sb.st_ino, sb.st_dev);
		printf("retarget %s rc=%d loaded=%s\n", line + 9, r, loaded(s, buf, sizeof(buf)));
	} else {
		printf("notice error unknown command (groups LIST, retarget PATH, tick, quit)\n");
	}
	return true;
}

/* Take the complete lines out of in (len bytes) and run them; keep the rest.
 * Returns false on quit. */
static bool run_lines(struct rs_audit_src *s, char *in, size_t *len, unsigned *done)
{
	char *nl;

	while ((nl = memchr(in, '\n', *len)) != NULL) {
		size_t used = (size_t)(nl - in) + 1;
		bool go_on;

		*nl = '\0';
		go_on = command(s, in);
		printf("done %u\n", ++*done);
		memmove(in, nl + 1, *len - used);
		*len -= used;
		if (!go_on)
			return false;
	}
	if (*len == LINE_MAX_LEN) {
		printf("notice error command line too long\n");
		*len = 0;
	}
	return true;
}

/* Commands and records until quit, end of input, a signal or the time
 * limit. Returns 0, or 1 if reading the records failed. */
static int loop(struct rs_audit_src *s, uint64_t max_seconds)
{
	char in[LINE_MAX_LEN];
	size_t len = 0;
	unsigned done = 0;
	time_t end = time(NULL) + (time_t)max_seconds;

	while (!stop && time(NULL) < end) {
		struct pollfd p[2] = {{0, POLLIN, 0}, {rs_audit_src_fd(s), POLLIN, 0}};
		ssize_t n;

		if (poll(p, 2, 100) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if ((p[1].revents & POLLIN) && rs_audit_src_process(s) < 0)
			return 1;
		if ((p[0].revents & (POLLIN | POLLHUP)) == 0)
			continue;
		n = read(0, in + len, sizeof(in) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0; /* end of input: quit */
		len += (size_t)n;
		if (!run_lines(s, in, &len, &done))
			return 0;
	}
	if (!stop)
		printf("notice error time limit reached\n");
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: audit_groups --target PATH [--groups LIST] [--restore-enabled N "
			"--restore-backlog N] [--max-seconds N]\n");
	exit(2);
}

static uint64_t number(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (s == NULL || rs_strtou64(s, min, max, &v) < 0) {
		fprintf(stderr, "audit_groups: %s needs a number in [%" PRIu64 ", %" PRIu64 "]\n",
			opt, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct rs_audit_src_opts o;
	struct rs_audit_state restore = {0}, st;
	struct rs_audit_src *s = NULL;
	struct sigaction sa;
	struct stat sb;
	uint64_t max_seconds = 120;
	bool have_restore = false;
	char err[512], buf[32];
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&o, 0, sizeof(o));
	o.groups = RS_AUDIT_GROUP_ALL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--target") == 0 && v != NULL) {
			o.target = v;
		} else if (strcmp(a, "--groups") == 0 && v != NULL) {
			if (rs_audit_groups_parse(v, &o.groups) < 0)
				usage();
		} else if (strcmp(a, "--restore-enabled") == 0) {
			restore.enabled = (uint32_t)number(a, v, 0, 2);
			have_restore = true;
		} else if (strcmp(a, "--restore-backlog") == 0) {
			restore.backlog_limit = (uint32_t)number(a, v, 0, UINT32_MAX);
			have_restore = true;
		} else if (strcmp(a, "--max-seconds") == 0) {
			max_seconds = number(a, v, 1, 3600);
		} else {
			usage();
		}
		i++;
	}
	if (o.target == NULL || stat(o.target, &sb) < 0)
		usage();
	o.target_ino = sb.st_ino;
	o.target_dev = sb.st_dev;
	o.restore = have_restore ? &restore : NULL;
	o.sink.fn = on_event;
	o.notice = on_notice;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	r = rs_audit_src_new(&o, &s, err, sizeof(err));
	if (r < 0) {
		printf("error %s\n", err);
		return r == -EBUSY ? 3 : 1;
	}
	printf("started loaded=%s\n", loaded(s, buf, sizeof(buf)));
	if (rs_audit_src_restore_info(s, &st))
		printf("restore enabled=%" PRIu32 " backlog_limit=%" PRIu32 "\n", st.enabled,
		       st.backlog_limit);
	r = loop(s, max_seconds);
	rs_audit_src_free(s);
	printf("quit\n");
	return r;
}
