/* rs_audit_stdin: the auditd plugin's input. Audit text goes through a real
 * pipe to the reader thread; what comes out of the sink is compared with
 * what rs_audit_feed_text + rs_audit_classify give directly for the same
 * text (the captured logs in tests/fixtures/audit/, hand-written records,
 * garbage), and the queue's limits are pushed: a consumer that does not
 * drain while a writer floods, lines over the cap, the end of input in the
 * middle of a line, free() with the input still open. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/audit_rec.h"
#include "resolvstale/audit_stdin.h"
#include "resolvstale/proccache.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/timefmt.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* --- one emitted event, copied out of the sink ------------------------------ */

struct got {
	enum rs_event_type type;
	enum rs_source source;
	int64_t time_ns;
	int32_t pid, ppid;
	uint64_t starttime;
	int64_t uid, auid;
	char comm[64];
	char exe[256];
	char cmdline[256];
	char syscall[32];
	char dst[RS_ADDR_STRLEN];
	uint16_t port;
	int64_t fd;
	bool inferred;
	char path[256];
	int err;
	uint64_t lost;
	char reason[160];
};

struct coll {
	struct got *got;
	size_t n, cap;
};

/* Everything a test allocates is released by the suite's fini, which also
 * runs when an assertion ends a test early (LeakSanitizer would otherwise
 * report every failed assertion as a leak). */
static struct rs_audit_stdin *srcs[4];
static struct rs_audit_feed *feeds[4];
static struct coll colls[4];
static int fds[16];
static size_t n_fds;
static void *owned[16];
static size_t n_owned;
static struct rs_proccache *cache;
static bool releasing;

static void release_all(void)
{
	releasing = true;
	for (size_t i = 0; i < NELEM(srcs); i++) {
		rs_audit_stdin_free(srcs[i]);
		srcs[i] = NULL;
	}
	for (size_t i = 0; i < NELEM(feeds); i++) {
		rs_audit_feed_free(feeds[i]);
		feeds[i] = NULL;
	}
	for (size_t i = 0; i < NELEM(colls); i++) {
		free(colls[i].got);
		memset(&colls[i], 0, sizeof(colls[i]));
	}
	rs_proccache_free(cache);
	cache = NULL;
	for (size_t i = 0; i < n_fds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	n_fds = 0;
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	n_owned = 0;
}

static void setup(void)
{
	/* A reader that died would make writes fail instead of block. */
	signal(SIGPIPE, SIG_IGN);
	releasing = false;
}

TestSuite(audit_stdin, .init = setup, .fini = release_all, .timeout = 60);

static void *own(void *p)
{
	cr_assert_not_null(p);
	cr_assert_lt(n_owned, NELEM(owned));
	owned[n_owned++] = p;
	return p;
}

static int *own_fd(int fd)
{
	cr_assert_geq(fd, 0);
	cr_assert_lt(n_fds, NELEM(fds));
	fds[n_fds] = fd;
	return &fds[n_fds++];
}

static void close_fd(int *fd)
{
	close(*fd);
	*fd = -1;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "(NULL)");
}

static void collect(void *ctx, const struct rs_event *ev)
{
	struct coll *c = ctx;
	struct got *g;

	if (releasing)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct got *p = realloc(c->got, cap * sizeof(*p));
		cr_assert_not_null(p);
		c->got = p;
		c->cap = cap;
	}
	g = &c->got[c->n++];
	memset(g, 0, sizeof(*g));
	g->type = ev->type;
	g->source = ev->source;
	g->time_ns = ev->time_ns;
	g->pid = ev->proc.pid;
	g->ppid = ev->proc.ppid;
	g->starttime = ev->proc.starttime;
	g->uid = ev->proc.uid;
	g->auid = ev->proc.auid;
	copy_str(g->comm, sizeof(g->comm), ev->proc.comm);
	copy_str(g->exe, sizeof(g->exe), ev->proc.exe);
	copy_str(g->cmdline, sizeof(g->cmdline), ev->proc.cmdline);
	switch (ev->type) {
	case RS_EV_DNS_SEND:
		copy_str(g->syscall, sizeof(g->syscall), ev->u.dns.syscall);
		rs_addr_format(&ev->u.dns.dst, g->dst, sizeof(g->dst));
		g->port = ev->u.dns.port;
		g->fd = ev->u.dns.fd;
		g->err = ev->u.dns.err;
		g->inferred = ev->u.dns.inferred;
		break;
	case RS_EV_CONFIG_OPEN:
	case RS_EV_CONFIG_STAT:
	case RS_EV_CONFIG_WRITE:
		copy_str(g->syscall, sizeof(g->syscall), ev->u.config.syscall);
		copy_str(g->path, sizeof(g->path), ev->u.config.path);
		g->err = ev->u.config.err;
		break;
	case RS_EV_EVENTS_LOST:
		g->lost = ev->u.lost.count;
		copy_str(g->reason, sizeof(g->reason), ev->u.lost.reason);
		break;
	default:
		cr_assert_fail("unexpected event type %d", (int)ev->type);
	}
}

static size_t count_type(const struct coll *c, enum rs_event_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += c->got[i].type == t;
	return n;
}

static uint64_t lost_total(const struct coll *c, size_t *reports)
{
	uint64_t n = 0;

	*reports = 0;
	for (size_t i = 0; i < c->n; i++) {
		if (c->got[i].type != RS_EV_EVENTS_LOST)
			continue;
		n += c->got[i].lost;
		(*reports)++;
	}
	return n;
}

/* --- the reference: the same text through the feed and the classifier ----- */

static const char *const target = "/etc/resolv.conf";

static void direct_event(void *ctx, const struct rs_audit_event *ae)
{
	struct rs_audit_match m = {target, 0, 0, RS_AUDIT_STDIN_KEYS};
	struct rs_event out[4];
	size_t n = rs_audit_classify(ae, &m, out, NELEM(out));

	for (size_t i = 0; i < n; i++)
		collect(ctx, &out[i]);
}

static struct coll *direct(const char *text, size_t len)
{
	struct coll *c = &colls[0];
	struct rs_audit_feed *f = rs_audit_feed_new(direct_event, c);

	cr_assert_not_null(f);
	feeds[0] = f;
	rs_audit_feed_text(f, text, len);
	rs_audit_feed_flush(f);
	feeds[0] = NULL;
	rs_audit_feed_free(f);
	return c;
}

/* Events of one run in a stable order: auparse completes events in an order
 * that depends on how the text was cut. EVENTS_LOST is left out. */
static int cmp_got(const void *a, const void *b)
{
	const struct got *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	return memcmp(x, y, sizeof(*x));
}

static void sort_evidence(struct coll *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->got[i].type != RS_EV_EVENTS_LOST)
			c->got[k++] = c->got[i];
	c->n = k;
	if (c->n > 0)
		qsort(c->got, c->n, sizeof(c->got[0]), cmp_got);
}

static void assert_same(struct coll *a, struct coll *b)
{
	sort_evidence(a);
	sort_evidence(b);
	cr_assert_eq(a->n, b->n, "%zu events, the direct feed gives %zu", a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct got *x = &a->got[i], *y = &b->got[i];
		cr_assert_eq(x->type, y->type, "event %zu", i);
		cr_assert_eq(x->source, RS_SRC_AUDIT);
		cr_assert_eq(x->pid, y->pid, "event %zu", i);
		cr_assert_str_eq(x->comm, y->comm, "event %zu", i);
		cr_assert_str_eq(x->syscall, y->syscall, "event %zu", i);
		cr_assert_str_eq(x->dst, y->dst, "event %zu", i);
		cr_assert_str_eq(x->path, y->path, "event %zu", i);
		cr_assert_eq(memcmp(x, y, sizeof(*x)), 0, "event %zu differs", i);
	}
}

/* --- driving the source ------------------------------------------------------ */

struct run {
	struct rs_audit_stdin *s;
	struct coll *c;
	int *wr; /* the pipe's write end (nonblocking) */
	int *rd;
	size_t slot;
};

struct start_opts {
	size_t queue_bytes;
	int rd, wr; /* the input's two ends (owned by the test), or -1: a pipe */
	void (*notice)(void *ctx, const char *level, const char *msg);
	void *notice_ctx;
	const char *local_node;
	bool track_serials;
};

static struct run start_with(const struct start_opts *so)
{
	struct rs_audit_stdin_opts o;
	struct run r;
	int p[2] = {so->rd, so->wr};
	char err[256];
	size_t slot = 0;
	int rc;

	while (slot < NELEM(srcs) && srcs[slot] != NULL)
		slot++;
	cr_assert_lt(slot, NELEM(srcs));
	if (p[0] < 0)
		cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	r.rd = own_fd(p[0]);
	r.wr = own_fd(p[1]);
	cr_assert_eq(fcntl(*r.wr, F_SETFL, O_NONBLOCK), 0);
	r.c = &colls[slot + 1 < NELEM(colls) ? slot + 1 : NELEM(colls) - 1];
	r.slot = slot;
	memset(&o, 0, sizeof(o));
	o.fd = *r.rd;
	o.target = target;
	o.cache = cache;
	o.sink.fn = collect;
	o.sink.ctx = r.c;
	o.notice = so->notice;
	o.notice_ctx = so->notice_ctx;
	o.queue_bytes = so->queue_bytes;
	o.local_node = so->local_node;
	o.track_serials = so->track_serials;
	err[0] = '\0';
	rc = rs_audit_stdin_new(&o, &srcs[slot], err, sizeof(err));
	cr_assert_eq(rc, 0, "rs_audit_stdin_new: %d %s", rc, err);
	r.s = srcs[slot];
	return r;
}

/* On a pipe, with a queue of queue_bytes (0: the default). */
static struct run start(size_t queue_bytes)
{
	struct start_opts so = {queue_bytes, -1, -1, NULL, NULL, NULL, false};

	return start_with(&so);
}

static void stop(struct run *r)
{
	rs_audit_stdin_free(r->s);
	srcs[r->slot] = NULL;
	r->s = NULL;
}

/* Write everything or fail: a writer that has to wait more than timeout_ms
 * in total means the reader stopped reading (auditd would stall). */
static void write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	const char *p = buf;
	int64_t end = rs_time_mono_ns() + (int64_t)timeout_ms * RS_NS_PER_MS;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			struct pollfd pf = {fd, POLLOUT, 0};
			int64_t left = (end - rs_time_mono_ns()) / RS_NS_PER_MS;
			cr_assert(errno == EAGAIN || errno == EINTR, "write: %s", strerror(errno));
			cr_assert_gt(left, 0, "the writer blocked with %zu bytes to go", len);
			poll(&pf, 1, (int)left);
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void write_str(int fd, const char *s)
{
	write_all(fd, s, strlen(s), 5000);
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd pf = {fd, POLLIN, 0};

	return poll(&pf, 1, timeout_ms) == 1;
}

/* Process until the source says the input ended; returns what it said. */
static int run_to_end(struct run *r)
{
	int64_t end = rs_time_mono_ns() + 20 * RS_NS_PER_SEC;
	int rc;

	for (;;) {
		cr_assert_lt(rs_time_mono_ns(), end, "no end of input after 20 s");
		readable(rs_audit_stdin_fd(r->s), 100);
		rc = rs_audit_stdin_process(r->s);
		if (rc != 0)
			return rc;
	}
}

/* Wait until the reader has read `lines` lines. */
static void wait_lines(struct run *r, uint64_t lines)
{
	int64_t end = rs_time_mono_ns() + 20 * RS_NS_PER_SEC;

	while (rs_audit_stdin_stats(r->s)->lines < lines) {
		cr_assert_lt(rs_time_mono_ns(), end, "the reader read %llu lines, not %llu",
			     (unsigned long long)rs_audit_stdin_stats(r->s)->lines,
			     (unsigned long long)lines);
		usleep(1000);
	}
}

static size_t count_lines(const char *p, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += p[i] == '\n';
	return n;
}

static char *fixture(const char *rel, size_t *len)
{
	return own(rs_test_fixture(rel, len));
}

/* A growing text buffer. */
struct text {
	char *p;
	size_t len, cap;
};

static void text_add(struct text *t, const void *data, size_t len)
{
	if (t->len + len + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *p;
		while (cap < t->len + len + 1)
			cap *= 2;
		if (t->p == NULL) {
			p = own(malloc(cap));
		} else {
			p = realloc(t->p, cap);
			cr_assert_not_null(p);
			for (size_t i = 0; i < n_owned; i++)
				if (owned[i] == t->p)
					owned[i] = p;
		}
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, data, len);
	t->len += len;
	t->p[t->len] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* One audit event in one line: an openat with the shipped rules' key is a
 * CONFIG_OPEN of the target. Fixed width: every line has the same length. */
static size_t open_line(char *buf, size_t len, unsigned serial, int32_t pid, const char *exe)
{
	int n = snprintf(buf, len,
			 "type=SYSCALL msg=audit(1700000000.%03u:%07u): arch=c000003e syscall=257 "
			 "success=yes exit=3 a0=ffffff9c a1=7ffda88e3a53 a2=0 a3=0 items=1 "
			 "ppid=1 pid=%07d auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 "
			 "egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"cat\" "
			 "exe=\"%s\" key=\"resolvstale-rules-conf\"\n",
			 serial % 1000, serial, (int)pid, exe);

	cr_assert(n > 0 && (size_t)n < len);
	return (size_t)n;
}

/* --- the captured logs ------------------------------------------------------ */

static void fixture_same_as_direct(const char *rel, size_t want_dns, size_t want_cfg)
{
	size_t len;
	char *text = fixture(rel, &len);
	struct run r = start(0);
	const struct rs_audit_stdin_stats *st;

	write_all(*r.wr, text, len, 5000);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	st = rs_audit_stdin_stats(r.s);
	cr_assert(st->eof);
	cr_assert_eq(st->bytes, len);
	cr_assert_eq(st->lines, count_lines(text, len));
	cr_assert_eq(st->dropped_lines, 0);
	cr_assert_eq(st->long_lines, 0);
	cr_assert_eq(st->bad_chunks, 0);
	cr_assert_eq(st->dns_sends, want_dns);
	cr_assert_eq(st->config, want_cfg);
	cr_assert_eq(count_type(r.c, RS_EV_EVENTS_LOST), 0);
	cr_assert_eq(count_type(r.c, RS_EV_DNS_SEND), want_dns);
	/* Every event was emitted by the time process() said 1. */
	stop(&r);
	assert_same(r.c, direct(text, len));
}

Test(audit_stdin, raw_log_same_as_direct)
{
	fixture_same_as_direct("audit/raw.log", 6, 9);
}

Test(audit_stdin, enriched_log_same_as_direct)
{
	fixture_same_as_direct("audit/enriched.log", 6, 9);
}

/* Tiny writes cut lines anywhere; the input fd is nonblocking (EAGAIN in the
 * reader); the consumer processes whenever there is something. */
Test(audit_stdin, small_writes_nonblocking_input)
{
	size_t len;
	char *text = fixture("audit/raw.log", &len);
	struct run r = start(0);
	uint32_t seed = 12345;
	int rc = 0;

	cr_assert_eq(fcntl(*r.rd, F_SETFL, O_NONBLOCK), 0);
	for (size_t off = 0; off < len;) {
		size_t n = 1 + xorshift(&seed) % 97;
		if (n > len - off)
			n = len - off;
		write_all(*r.wr, text + off, n, 5000);
		off += n;
		if (xorshift(&seed) % 8 == 0)
			usleep(200);
		if (readable(rs_audit_stdin_fd(r.s), 0))
			cr_assert_eq(rs_audit_stdin_process(r.s), 0);
	}
	close_fd(r.wr);
	rc = run_to_end(&r);
	cr_assert_eq(rc, 1);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->lines, count_lines(text, len));
	stop(&r);
	assert_same(r.c, direct(text, len));
}

Test(audit_stdin, node_prefixes)
{
	static const char text[] =
		"node=host1 type=SYSCALL msg=audit(1700000006.000:1007): arch=c000003e "
		"syscall=42 success=yes exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 ppid=1 "
		"pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
		"sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=\"old\" exe=\"/usr/bin/old\" "
		"key=\"resolvstale-rules-dns\"\n"
		"node=host1 type=SOCKADDR msg=audit(1700000006.000:1007): "
		"saddr=020000357F3500010000000000000000\n"
		"node=host2 type=SYSCALL msg=audit(1700000006.010:1007): arch=c000003e "
		"syscall=42 success=yes exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 ppid=1 "
		"pid=4243 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
		"sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=\"old\" exe=\"/usr/bin/old\" "
		"key=\"resolvstale-rules-dns\"\n"
		"node=host2 type=SOCKADDR msg=audit(1700000006.010:1007): "
		"saddr=020000350A0000010000000000000000\n";
	struct run r = start(0);

	write_str(*r.wr, text);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(count_type(r.c, RS_EV_DNS_SEND), 2);
	stop(&r);
	assert_same(r.c, direct(text, sizeof(text) - 1));
}

Test(audit_stdin, other_nodes_are_skipped)
{
	static const char text[] =
		"node=here type=SYSCALL msg=audit(1700000006.000:1007): arch=c000003e "
		"syscall=42 success=yes exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 ppid=1 "
		"pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
		"sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=\"old\" exe=\"/usr/bin/old\" "
		"key=\"resolvstale-rules-dns\"\n"
		"node=here type=SOCKADDR msg=audit(1700000006.000:1007): "
		"saddr=020000357F3500010000000000000000\n"
		"node=elsewhere type=SYSCALL msg=audit(1700000006.010:1008): arch=c000003e "
		"syscall=42 success=yes exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 ppid=1 "
		"pid=4243 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
		"sgid=1000 fsgid=1000 tty=pts0 ses=1 comm=\"old\" exe=\"/usr/bin/old\" "
		"key=\"resolvstale-rules-dns\"\n"
		"node=elsewhere type=SOCKADDR msg=audit(1700000006.010:1008): "
		"saddr=020000357F3500010000000000000000\n";
	struct start_opts so = {0, -1, -1, NULL, NULL, "here", false};
	struct run r = start_with(&so);

	write_str(*r.wr, text);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(count_type(r.c, RS_EV_DNS_SEND), 1);
	cr_assert_eq(r.c->got[0].pid, 4242);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->other_nodes, 1);
}

/* Events auditd never passed on leave gaps in the serial numbers. */
static void serial_event(char *buf, size_t len, unsigned serial)
{
	snprintf(buf, len,
		 "type=SYSCALL msg=audit(1700000020.%03u:%u): arch=c000003e syscall=42 "
		 "success=yes exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 ppid=1 pid=4242 "
		 "auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 "
		 "fsgid=1000 tty=pts0 ses=1 comm=\"old\" exe=\"/usr/bin/old\" key=(null)\n"
		 "type=SOCKADDR msg=audit(1700000020.%03u:%u): "
		 "saddr=020000357F3500010000000000000000\n"
		 "type=EOE msg=audit(1700000020.%03u:%u): \n",
		 serial % 1000, serial, serial % 1000, serial, serial % 1000, serial);
}

Test(audit_stdin, serial_gaps_are_lost_events)
{
	struct start_opts so = {0, -1, -1, NULL, NULL, NULL, true};
	struct run r = start_with(&so);
	char ev[1024];

	/* 100..199 but 150, 151 and 190; 180 after 185 (out of order is fine);
	 * an auditd record (DAEMON_START) with its own numbering. */
	for (unsigned sn = 100; sn < 200; sn++) {
		if (sn == 150 || sn == 151 || sn == 190 || sn == 180)
			continue;
		serial_event(ev, sizeof(ev), sn);
		write_str(*r.wr, ev);
		if (sn == 185) {
			serial_event(ev, sizeof(ev), 180);
			write_str(*r.wr, ev);
		}
	}
	write_str(*r.wr, "type=DAEMON_START msg=audit(1700000021.000:9000): op=start ver=3.0.9 "
			 "format=enriched kernel=6.1.0 auid=0 pid=1 uid=0 ses=1 res=success\n");
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(count_type(r.c, RS_EV_DNS_SEND), 97);
	size_t reports;
	uint64_t lost = lost_total(r.c, &reports);

	cr_assert_eq(lost, 3, "lost %llu", (unsigned long long)lost);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->missing_serials, 3);
}

Test(audit_stdin, no_serial_tracking_for_filtered_logs)
{
	struct run r = start(0);
	char ev[1024];

	for (unsigned sn = 100; sn < 200; sn += 7) {
		serial_event(ev, sizeof(ev), sn);
		write_str(*r.wr, ev);
	}
	close_fd(r.wr);
	size_t reports;

	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(lost_total(r.c, &reports), 0);
}

/* --- the end of input -------------------------------------------------------- */

static const char dns_event_no_newline[] =
	"type=SYSCALL msg=audit(1700000010.000:1012): arch=c000003e syscall=42 success=yes "
	"exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 ppid=1 pid=4242 auid=1000 uid=1000 "
	"gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=1 "
	"comm=\"old\" exe=\"/usr/bin/old\" key=\"resolvstale-live-dns\"\n"
	"type=SOCKADDR msg=audit(1700000010.000:1012): saddr=020000357F3500010000000000000000";

Test(audit_stdin, final_line_without_newline)
{
	struct run r = start(0);

	write_str(*r.wr, dns_event_no_newline);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(r.c->n, 1);
	cr_assert_eq(r.c->got[0].type, RS_EV_DNS_SEND);
	cr_assert_str_eq(r.c->got[0].dst, "127.53.0.1");
	cr_assert_eq(r.c->got[0].pid, 4242);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->lines, 2);
	/* Done is done: later calls say so again and emit nothing. */
	cr_assert_eq(rs_audit_stdin_process(r.s), 1);
	rs_audit_stdin_tick(r.s);
	cr_assert_eq(rs_audit_stdin_process(r.s), 1);
	cr_assert_eq(r.c->n, 1);
	cr_assert(rs_audit_stdin_stats(r.s)->eof);
}

/* No 1 before the writer is gone, even with everything read and fed. */
Test(audit_stdin, eof_only_when_the_input_ends)
{
	size_t len;
	char *text = fixture("audit/raw.log", &len);
	struct run r = start(0);

	write_all(*r.wr, text, len, 5000);
	wait_lines(&r, count_lines(text, len));
	for (int i = 0; i < 5; i++) {
		readable(rs_audit_stdin_fd(r.s), 20);
		cr_assert_eq(rs_audit_stdin_process(r.s), 0);
	}
	cr_assert(!rs_audit_stdin_stats(r.s)->eof);
	cr_assert(!readable(rs_audit_stdin_fd(r.s), 50), "readable with nothing to do");
	close_fd(r.wr);
	cr_assert(readable(rs_audit_stdin_fd(r.s), 5000), "the end of input is not signalled");
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(count_type(r.c, RS_EV_DNS_SEND), 6);
	cr_assert(rs_audit_stdin_stats(r.s)->eof);
}

/* More than one process() call's worth: the fd stays readable in between. */
Test(audit_stdin, large_input_in_several_turns)
{
	struct text t = {0};
	struct run r = start(0);
	char line[512];
	size_t lines = 0;
	int calls = 0, rc;

	while (t.len < 3 * 1024 * 1024) {
		open_line(line, sizeof(line), (unsigned)lines + 1, 100, "/usr/bin/cat");
		text_str(&t, line);
		lines++;
	}
	write_all(*r.wr, t.p, t.len, 10000);
	close_fd(r.wr);
	wait_lines(&r, lines);
	do {
		cr_assert(readable(rs_audit_stdin_fd(r.s), 5000), "work left but fd not readable");
		rc = rs_audit_stdin_process(r.s);
		calls++;
	} while (rc == 0);
	cr_assert_eq(rc, 1);
	cr_assert_geq(calls, 3, "3 MiB fed in %d calls", calls);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->config, lines);
	cr_assert_eq(count_type(r.c, RS_EV_CONFIG_OPEN), lines);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->dropped_lines, 0);
}

/* --- a full queue --------------------------------------------------------- */

/* The consumer does not drain a 4 KiB queue while 2 x 10000 lines arrive:
 * the writer still finishes promptly, whole lines are dropped (the feed never
 * sees a partial line), the drop is reported once a second at most, and the
 * reports add up to what was dropped. */
Test(audit_stdin, full_queue_drops_whole_lines)
{
	enum { QUEUE = 4096, HALF = 10000 };
	struct run r = start(QUEUE);
	struct text t = {0};
	char line[512];
	size_t l = 0, kept, reports;
	int64_t t0, t1;
	bool late;
	const struct rs_audit_stdin_stats *st;
	char want_reason[128];

	for (unsigned i = 0; i < HALF; i++) {
		size_t n = open_line(line, sizeof(line), i + 1, 100, "/usr/bin/cat");
		cr_assert(l == 0 || n == l);
		l = n;
		text_str(&t, line);
	}
	kept = QUEUE / l;

	t0 = rs_time_mono_ns();
	write_all(*r.wr, t.p, t.len, 5000);
	wait_lines(&r, HALF);
	/* First report: at once. */
	t1 = rs_time_mono_ns();
	rs_audit_stdin_tick(r.s);
	cr_assert_eq(count_type(r.c, RS_EV_EVENTS_LOST), 1);
	cr_assert_eq(r.c->got[0].lost, HALF - kept);
	cr_assert_eq(r.c->got[0].source, RS_SRC_AUDIT);
	snprintf(want_reason, sizeof(want_reason),
		 "the auditd plugin queue was full: %zu lines dropped", (size_t)(HALF - kept));
	cr_assert_str_eq(r.c->got[0].reason, want_reason);

	/* The same lines again (serials do not matter: all are dropped). */
	write_all(*r.wr, t.p, t.len, 5000);
	wait_lines(&r, 2 * HALF);
	cr_assert_lt(rs_time_mono_ns() - t0, 5 * RS_NS_PER_SEC, "the writer was slowed down");
	/* Within the second: no second report yet (a loaded machine may
	 * have taken longer: then it comes now). */
	late = rs_time_mono_ns() - t1 >= RS_NS_PER_SEC;
	rs_audit_stdin_tick(r.s);
	cr_assert_eq(count_type(r.c, RS_EV_EVENTS_LOST), late ? 2 : 1);

	st = rs_audit_stdin_stats(r.s);
	cr_assert_eq(st->dropped_lines, 2 * HALF - kept);
	cr_assert_eq(st->dropped_bytes, (2 * HALF - kept) * l);
	cr_assert_leq(st->queue_peak, QUEUE);
	cr_assert_eq(st->queue_peak, kept * l);

	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	/* The end reports the rest (if the late tick has not): two reports. */
	cr_assert_eq(lost_total(r.c, &reports), 2 * HALF - kept);
	cr_assert_eq(reports, 2, "%zu reports", reports);
	st = rs_audit_stdin_stats(r.s);
	cr_assert_eq(st->lines, 2 * HALF);
	cr_assert_eq(st->bad_chunks, 0);
	cr_assert_eq(st->events, kept);
	cr_assert_eq(count_type(r.c, RS_EV_CONFIG_OPEN), kept);
}

/* A consumer that drains while the writer floods a small queue: every line
 * is either emitted or counted as dropped, never cut. */
Test(audit_stdin, flood_with_draining_consumer)
{
	enum { LINES = 20000 };
	struct run r = start(16 * 1024);
	struct text t = {0};
	char line[512];
	size_t reports;
	uint64_t dropped;

	for (unsigned i = 0; i < LINES; i++) {
		open_line(line, sizeof(line), i + 1, 100, "/usr/bin/cat");
		text_str(&t, line);
	}
	for (size_t off = 0; off < t.len;) {
		size_t n = t.len - off < 20000 ? t.len - off : 20000;
		write_all(*r.wr, t.p + off, n, 5000);
		off += n;
		if (readable(rs_audit_stdin_fd(r.s), 0))
			cr_assert_eq(rs_audit_stdin_process(r.s), 0);
	}
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	dropped = rs_audit_stdin_stats(r.s)->dropped_lines;
	cr_assert_eq(lost_total(r.c, &reports), dropped);
	cr_assert_eq(count_type(r.c, RS_EV_CONFIG_OPEN) + dropped, LINES);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->bad_chunks, 0);
}

/* --- free() -------------------------------------------------------------- */

Test(audit_stdin, free_with_input_open_is_prompt)
{
	struct run r = start(0);
	int64_t t0;

	t0 = rs_time_mono_ns();
	stop(&r);
	cr_assert_lt(rs_time_mono_ns() - t0, RS_NS_PER_SEC / 2);
	cr_assert_eq(r.c->n, 0);
}

/* What was read when free() comes is fed and emitted; a partial line is
 * not. The writer stays open all along. */
Test(audit_stdin, free_feeds_what_was_read)
{
	struct run r = start(0);
	char line[512];
	int64_t t0;

	open_line(line, sizeof(line), 1, 100, "/usr/bin/cat");
	write_str(*r.wr, line);
	open_line(line, sizeof(line), 2, 101, "/usr/bin/cat");
	write_str(*r.wr, line);
	write_str(*r.wr, "type=SYSCALL msg=audit(1700000000.003:3): arch=c0");
	wait_lines(&r, 2);
	t0 = rs_time_mono_ns();
	stop(&r);
	cr_assert_lt(rs_time_mono_ns() - t0, RS_NS_PER_SEC / 2);
	cr_assert_eq(count_type(r.c, RS_EV_CONFIG_OPEN), 2);
	cr_assert_eq(r.c->n, 2);
}

/* --- hostile input ------------------------------------------------------- */

static void add_garbage(struct text *t, uint32_t *seed, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = (char)(xorshift(seed) & 0xff);
		text_add(t, &ch, 1);
	}
	text_str(t, "\n");
}

Test(audit_stdin, garbage_and_a_100k_line)
{
	size_t len;
	char *log = fixture("audit/raw.log", &len);
	struct text t = {0}, ref = {0};
	char *big = own(malloc(100 * 1024 + 1));
	struct run r = start(0);
	const struct rs_audit_stdin_stats *st;
	uint32_t seed = 777;

	add_garbage(&t, &seed, 8192);
	memset(big, 'A', 100 * 1024);
	memcpy(big, "type=PROCTITLE msg=audit(1795300299.617:183): proctitle=", 56);
	big[100 * 1024] = '\n';
	text_add(&t, big, 100 * 1024 + 1);
	text_add(&t, log, len);
	/* The reference: the log alone (garbage lines never reach auparse,
	 * which leaks on some of them). */
	text_add(&ref, log, len);

	write_all(*r.wr, t.p, t.len, 5000);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	st = rs_audit_stdin_stats(r.s);
	cr_assert_eq(st->long_lines, 1);
	cr_assert_eq(st->long_bytes, 100 * 1024 + 1);
	cr_assert_eq(st->bytes, t.len);
	cr_assert_eq(st->lines, count_lines(t.p, t.len));
	cr_assert_eq(st->dropped_lines, 0);
	cr_assert_eq(st->bad_lines, count_lines(t.p, t.len) - 1 - count_lines(log, len));
	cr_assert_eq(count_type(r.c, RS_EV_EVENTS_LOST), 0);
	/* The log after the garbage still gives its events. */
	cr_assert_eq(count_type(r.c, RS_EV_DNS_SEND), 6);
	stop(&r);
	assert_same(r.c, direct(ref.p, ref.len));
}

/* Random bytes with NULs, in random pieces, and no newline at the end. */
Test(audit_stdin, binary_garbage_only)
{
	struct text t = {0};
	struct run r = start(0);
	uint32_t seed = 4242;

	for (int i = 0; i < 64; i++)
		add_garbage(&t, &seed, xorshift(&seed) % 4096);
	add_garbage(&t, &seed, 1000);
	t.len--; /* drop the last newline */
	for (size_t off = 0; off < t.len;) {
		size_t n = 1 + xorshift(&seed) % 5000;
		if (n > t.len - off)
			n = t.len - off;
		write_all(*r.wr, t.p + off, n, 5000);
		off += n;
	}
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->bytes, t.len);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->bad_lines, count_lines(t.p, t.len) + 1);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->events, 0);
	cr_assert_eq(r.c->n, 0);
}

/* Valid record headers, random bodies (NULs, quotes, '=' ...) between the
 * events of a real log: auparse takes them, nothing breaks, the log's events
 * still come out. */
Test(audit_stdin, garbage_after_a_valid_header)
{
	static const char *const types[] = {"SYSCALL", "SOCKADDR", "PATH",         "PROCTITLE",
					    "CWD",     "EOE",      "CONFIG_CHANGE"};
	static const char alphabet[] = "= \"():'abc0123456789\x1d\x00\xff";
	size_t len;
	char *log = fixture("audit/raw.log", &len);
	struct text t = {0};
	struct run r = start(0);
	uint32_t seed = 99;
	char head[128];

	for (int i = 0; i < 400; i++) {
		snprintf(head, sizeof(head),
			 "%stype=%s msg=audit(1700000000.%03u:%u): ", i % 3 == 0 ? "node=n1 " : "",
			 types[xorshift(&seed) % NELEM(types)], xorshift(&seed) % 1000,
			 1 + xorshift(&seed) % 5);
		text_str(&t, head);
		for (uint32_t k = xorshift(&seed) % 300; k > 0; k--) {
			uint32_t x = xorshift(&seed);
			char ch = x % 2 ? alphabet[x / 2 % (sizeof(alphabet) - 1)] : (char)(x >> 8);
			text_add(&t, ch == '\n' ? "x" : &ch, 1);
		}
		text_str(&t, "\n");
	}
	text_add(&t, log, len);
	write_all(*r.wr, t.p, t.len, 5000);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->bad_lines, 0);
	cr_assert_eq(count_type(r.c, RS_EV_DNS_SEND), 6);
}

/* auditd's dispatcher hands plugins a stream socket, not a pipe. */
Test(audit_stdin, socketpair_input)
{
	size_t len;
	char *text = fixture("audit/enriched.log", &len);
	struct start_opts so = {0, -1, -1, NULL, NULL, NULL, false};
	struct run r;
	int sp[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	so.rd = sp[0];
	so.wr = sp[1];
	r = start_with(&so);
	write_all(*r.wr, text, len, 5000);
	cr_assert_eq(shutdown(*r.wr, SHUT_WR), 0);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(count_type(r.c, RS_EV_DNS_SEND), 6);
	stop(&r);
	assert_same(r.c, direct(text, len));
}

/* --- the shape of a line ------------------------------------------------- */

Test(audit_stdin, line_plausible_table)
{
	static const struct {
		const char *line;
		bool ok;
	} cases[] = {
		{"type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e", true},
		{"type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e\n", true},
		{"node=host1 type=SOCKADDR msg=audit(1700000000.123:456): saddr=02", true},
		{"node=web-01.example.org type=EOE msg=audit(1700000000.123:456): ", true},
		{"type=UNKNOWN[1334] msg=audit(1700000000.123:456): x", true},
		{"type=EOE msg=audit(1.1:1):", true},
		{"type=SYSCALL msg=audit(9223372034.999:18446744073709551615): a", true},
		{"", false},
		{"\n", false},
		{"garbage", false},
		{"msg=audit(1700000000.123:456): arch=c000003e", false},
		{"type= msg=audit(1700000000.123:456): x", false},
		{"type=SYS CALL msg=audit(1700000000.123:456): x", false},
		{"type=SYS\x01"
		 "CALL msg=audit(1700000000.123:456): x",
		 false},
		{"node= type=SYSCALL msg=audit(1700000000.123:456): x", false},
		{"node=a\tb type=SYSCALL msg=audit(1700000000.123:456): x", false},
		{"node=h1type=SYSCALL msg=audit(1700000000.123:456): x", false},
		{" type=SYSCALL msg=audit(1700000000.123:456): x", false},
		{"type=SYSCALL msg=audit(1700000000.123:456) x", false},
		{"type=SYSCALL msg=audit(1700000000:456): x", false},
		{"type=SYSCALL msg=audit(1700000000.1234:456): x", false},
		{"type=SYSCALL msg=audit(.123:456): x", false},
		{"type=SYSCALL msg=audit(1700000000.123:): x", false},
		{"type=SYSCALL msg=audit(1700000000.123:123456789012345678901): x", false},
		{"type=SYSCALL msg=audit(17000000000.123:456): x", false},
		{"type=SYSCALL msg=audit(9223372035.000:1): x", false},
		{"type=SYSCALL msg=audit(-1.000:1): x", false},
		{"type=SYSCALL msg=audit(1700000000.123:456", false},
		{"\xe3 \x1b\xd5\xf4Uy\x08\xe8\xb0\r(D\xc1\x02"
		 "0\xb8\x10J\x87\xc7",
		 false},
	};

	for (size_t i = 0; i < NELEM(cases); i++)
		cr_assert_eq(rs_audit_line_plausible(cases[i].line, strlen(cases[i].line)),
			     cases[i].ok, "case %zu: \"%s\"", i, cases[i].line);
	/* Within len only: a valid line cut short is not one. */
	cr_assert(!rs_audit_line_plausible("type=SYSCALL msg=audit(1.1:1): x", 25));
}

/* The cap: 64 KiB with the newline is kept, one byte more is dropped. A long
 * line at the end of input without a newline is dropped too. */
Test(audit_stdin, line_cap_boundary)
{
	struct text t = {0};
	char *pad = own(malloc(RS_AUDIT_STDIN_MAX_LINE + 16));
	struct run r = start(0);
	const struct rs_audit_stdin_stats *st;
	char line[512];
	size_t n = open_line(line, sizeof(line), 1, 100, "/usr/bin/cat");

	/* A record padded with a field to exactly the cap, then one byte over. */
	for (size_t want = RS_AUDIT_STDIN_MAX_LINE; want <= RS_AUDIT_STDIN_MAX_LINE + 1; want++) {
		text_add(&t, line, n - 1);
		text_str(&t, " x=");
		memset(pad, 'A', want - (n - 1) - 4);
		text_add(&t, pad, want - (n - 1) - 4);
		text_str(&t, "\n");
		open_line(line, sizeof(line), 2, 100, "/usr/bin/cat");
	}
	cr_assert_eq(t.len, 2 * RS_AUDIT_STDIN_MAX_LINE + 1);
	memset(pad, 'B', RS_AUDIT_STDIN_MAX_LINE + 10);
	text_add(&t, pad, RS_AUDIT_STDIN_MAX_LINE + 10);

	write_all(*r.wr, t.p, t.len, 5000);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	st = rs_audit_stdin_stats(r.s);
	cr_assert_eq(st->long_lines, 2);
	cr_assert_eq(st->long_bytes, RS_AUDIT_STDIN_MAX_LINE + 1 + RS_AUDIT_STDIN_MAX_LINE + 10);
	cr_assert_eq(st->lines, 3); /* the last one ended with the input */
	/* The first record (serial 1) made it to the feed and the classifier. */
	cr_assert_eq(count_type(r.c, RS_EV_CONFIG_OPEN), 1);
}

Test(audit_stdin, bad_input_fd)
{
	struct rs_audit_stdin_opts o;
	char err[256];
	int p[2];

	/* An fd number that nothing here uses (new() opens fds of its own:
	 * a just-closed low number would be reused). */
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_eq(dup2(p[0], 900), 900);
	close(p[0]);
	close(p[1]);
	close(900);
	memset(&o, 0, sizeof(o));
	o.fd = 900;
	cr_assert_eq(rs_audit_stdin_new(&o, &srcs[0], err, sizeof(err)), -EBADF);
	cr_assert_null(srcs[0]);
	cr_assert_neq(strstr(err, "fd"), NULL, "%s", err);
}

/* --- the process behind a record ------------------------------------------ */

Test(audit_stdin, live_process_gets_its_starttime)
{
	int *proc = own_fd(open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	struct rs_proc_ident id;
	char exe[PATH_MAX], line[PATH_MAX + 512], link[64];
	pid_t parent = getppid();
	ssize_t n;
	struct run r;

	/* The parent (the test runner): alive, and not us (our own records
	 * are dropped, see own_records_are_skipped). */
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)parent);
	n = readlink(link, exe, sizeof(exe) - 1);
	cr_assert_gt(n, 0);
	exe[n] = '\0';
	cr_assert_eq(rs_proc_read_ident(*proc, parent, &id), 0);
	cr_assert_gt(id.starttime, 0);
	cache = rs_proccache_new(*proc, 64, RS_NS_PER_SEC);
	cr_assert_not_null(cache);
	r = start(0);
	/* The parent, then "the parent" running another program (a reused pid). */
	open_line(line, sizeof(line), 1, parent, exe);
	write_str(*r.wr, line);
	open_line(line, sizeof(line), 2, parent, "/usr/bin/not-us");
	write_str(*r.wr, line);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(r.c->n, 2);
	sort_evidence(r.c);
	cr_assert_str_eq(r.c->got[0].exe, exe);
	cr_assert_eq(r.c->got[0].starttime, id.starttime);
	cr_assert_str_eq(r.c->got[1].exe, "/usr/bin/not-us");
	cr_assert_eq(r.c->got[1].starttime, 0);
	rs_proc_ident_clear(&id);
}

Test(audit_stdin, own_records_are_skipped)
{
	char line[PATH_MAX + 512];
	struct run r;

	r = start(0);
	open_line(line, sizeof(line), 1, getpid(), "/usr/bin/us");
	write_str(*r.wr, line);
	open_line(line, sizeof(line), 2, 4242, "/usr/bin/cat");
	write_str(*r.wr, line);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(r.c->n, 1);
	cr_assert_eq(r.c->got[0].pid, 4242);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->own, 1);
}

/* --- a re-pointed target -------------------------------------------------- */

static void path_event(char *buf, size_t len, unsigned serial, const char *path)
{
	/* key=(null): only the path makes it about the target. */
	snprintf(buf, len,
		 "type=SYSCALL msg=audit(1700000002.500:%u): arch=c000003e syscall=257 "
		 "success=yes exit=3 a0=ffffff9c a1=7ffda88e3a53 a2=0 a3=0 items=1 ppid=1 "
		 "pid=777 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
		 "tty=(none) ses=3 comm=\"nscd\" exe=\"/usr/sbin/nscd\" key=(null)\n"
		 "type=PATH msg=audit(1700000002.500:%u): item=0 name=\"%s\" inode=55 "
		 "dev=00:27 mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 "
		 "cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n",
		 serial, serial, path);
}

/* Events are complete when auparse ages them (the records are old). */
static void process_and_age(struct run *r, uint64_t lines)
{
	wait_lines(r, lines);
	readable(rs_audit_stdin_fd(r->s), 1000);
	cr_assert_eq(rs_audit_stdin_process(r->s), 0);
	rs_audit_stdin_tick(r->s);
}

Test(audit_stdin, retarget)
{
	struct run r = start(0);
	char ev[1024];

	path_event(ev, sizeof(ev), 1, "/run/resolv/new.conf");
	write_str(*r.wr, ev);
	process_and_age(&r, 2);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->events, 1);
	cr_assert_eq(r.c->n, 0, "an open of another file is not about the target");

	cr_assert_eq(rs_audit_stdin_retarget(r.s, "/run/resolv/new.conf", 0, 0), 0);
	path_event(ev, sizeof(ev), 2, "/run/resolv/new.conf");
	write_str(*r.wr, ev);
	process_and_age(&r, 4);
	cr_assert_eq(r.c->n, 1);
	cr_assert_eq(r.c->got[0].type, RS_EV_CONFIG_OPEN);
	cr_assert_str_eq(r.c->got[0].path, "/run/resolv/new.conf");

	/* By inode: another name for the same file. */
	cr_assert_eq(rs_audit_stdin_retarget(r.s, "/run/resolv/new.conf", 55, 0), 0);
	path_event(ev, sizeof(ev), 3, "/tmp/hardlink");
	write_str(*r.wr, ev);
	close_fd(r.wr);
	cr_assert_eq(run_to_end(&r), 1);
	cr_assert_eq(r.c->n, 2);
}

/* --- rule changes ----------------------------------------------------------- */

struct notices {
	char last[512];
	int n;
};

static void on_notice(void *ctx, const char *level, const char *msg)
{
	struct notices *nt = ctx;

	snprintf(nt->last, sizeof(nt->last), "%s: %s", level, msg);
	nt->n++;
}

/* Someone deletes the shipped rules: no evidence, a warning at the tick. A
 * reload (remove and add) says nothing. */
Test(audit_stdin, removed_rules_are_noticed)
{
	static const char reload[] =
		"type=CONFIG_CHANGE msg=audit(1700000020.000:2001): auid=0 ses=1 "
		"op=remove_rule key=\"resolvstale-rules-conf\" list=4 res=1\n"
		"type=CONFIG_CHANGE msg=audit(1700000020.000:2002): auid=0 ses=1 "
		"op=add_rule key=\"resolvstale-rules-conf\" list=4 res=1\n";
	static const char removal[] =
		"type=CONFIG_CHANGE msg=audit(1700000021.000:2003): auid=0 ses=1 "
		"op=remove_rule key=\"resolvstale-rules-dns\" list=4 res=1\n";
	static struct notices nt; /* outlives the test: fini frees the source */
	struct start_opts so = {0, -1, -1, on_notice, &nt, NULL, false};
	struct run r = start_with(&so);

	write_str(*r.wr, reload);
	process_and_age(&r, 2);
	cr_assert_eq(nt.n, 0, "%s", nt.last);
	write_str(*r.wr, removal);
	process_and_age(&r, 3);
	cr_assert_eq(nt.n, 1);
	cr_assert_neq(strstr(nt.last, "warning: 1 audit rules with keys resolvstale-*"), NULL, "%s",
		      nt.last);
	cr_assert_eq(rs_audit_stdin_stats(r.s)->rule_removals, 2);
	cr_assert_eq(r.c->n, 0);
}
