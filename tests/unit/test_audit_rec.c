/* rs_audit_*: value decoders, the feed over libauparse and the classifier,
 * driven by the real audit logs captured on this kernel
 * (tests/fixtures/audit/{raw,enriched}.log, written by
 * tests/tools/capture-audit-logs.sh) and by hand-written records for the
 * cases the capture cannot produce. */
#include <arpa/inet.h>
#include <errno.h>
#include <libaudit.h>
#include <stdint.h>
#include <sys/socket.h>

#include "resolvstale/audit_rec.h"
#include "testutil.h"

/* --- collecting what the feed and the classifier produce ------------------ */

#define MAX_GOT 512

/* One rs_event, copied out of the callback (its strings die with it). */
struct got {
	uint64_t serial;
	enum rs_event_type type;
	int64_t time_ns;
	int32_t pid, ppid;
	int64_t uid, auid;
	char comm[64];
	char exe[256];
	char syscall[32];
	/* DNS_SEND */
	char dst[RS_ADDR_STRLEN];
	uint16_t port;
	int64_t fd;
	/* CONFIG_* */
	char path[256];
	int err;
};

/* One rs_audit_event, the fields the tests look at. */
struct seen {
	uint64_t serial;
	int64_t time_ns;
	unsigned n_records;
	char node[64];
	bool has_syscall, success, has_sockaddr, has_config_change;
	char syscall[32];
	int syscall_nr;
	int64_t exit;
	int32_t pid, ppid;
	int64_t uid, auid;
	char comm[64];
	char exe[256];
	char key[256];
	char proctitle[256];
	int family;
	uint16_t port;
	char cwd[256];
	size_t n_paths;
	char cc_op[32];
	char cc_key[256];
	int32_t cc_pid;
};

struct coll {
	struct rs_audit_match m;
	struct got got[MAX_GOT];
	size_t n_got;
	struct seen seen[MAX_GOT];
	size_t n_seen;
	struct rs_audit_feed_stats stats;
};

/* Everything a test allocates is freed by the suites' fini, which also runs
 * when an assertion ends a test early: LeakSanitizer would otherwise turn
 * every failed assertion into a leak report. */
#define MAX_OWNED 64
static void *owned[MAX_OWNED];
static size_t n_owned;
static struct rs_audit_feed *feeds[8];
static size_t n_feeds;
static bool releasing;

static void *own(void *p)
{
	cr_assert_not_null(p);
	cr_assert_lt(n_owned, MAX_OWNED);
	owned[n_owned++] = p;
	return p;
}

static void *own_realloc(void *old, size_t size)
{
	void *p = realloc(old, size);

	cr_assert_not_null(p);
	if (old == NULL)
		return own(p);
	for (size_t i = 0; i < n_owned; i++)
		if (owned[i] == old)
			owned[i] = p;
	return p;
}

static void release_all(void)
{
	/* Freeing a feed completes its pending events: ignore them. */
	releasing = true;
	for (size_t i = 0; i < n_feeds; i++)
		rs_audit_feed_free(feeds[i]);
	n_feeds = 0;
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	n_owned = 0;
}

TestSuite(audit_decode_str, .fini = release_all);
TestSuite(audit_decode_sockaddr, .fini = release_all);
TestSuite(audit_feed, .fini = release_all);
TestSuite(audit_classify, .fini = release_all);

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "(NULL)");
}

static void on_audit_event(void *ctx, const struct rs_audit_event *ae)
{
	struct coll *c = ctx;
	struct rs_event out[4];
	struct seen *s;
	size_t n;

	if (releasing)
		return;
	cr_assert_lt(c->n_seen, MAX_GOT, "too many audit events");
	s = &c->seen[c->n_seen++];
	s->serial = ae->serial;
	s->time_ns = ae->time_ns;
	s->n_records = ae->n_records;
	snprintf(s->proctitle, sizeof(s->proctitle), "%s", ae->proctitle);
	copy_str(s->node, sizeof(s->node), ae->node);
	s->has_syscall = ae->has_syscall;
	s->success = ae->success;
	s->has_sockaddr = ae->has_sockaddr;
	s->has_config_change = ae->has_config_change;
	copy_str(s->syscall, sizeof(s->syscall), ae->syscall);
	s->syscall_nr = ae->syscall_nr;
	s->exit = ae->exit;
	s->pid = ae->pid;
	s->ppid = ae->ppid;
	s->uid = ae->uid;
	s->auid = ae->auid;
	copy_str(s->comm, sizeof(s->comm), ae->comm);
	copy_str(s->exe, sizeof(s->exe), ae->exe);
	copy_str(s->key, sizeof(s->key), ae->key);
	s->family = ae->addr.family;
	s->port = ae->port;
	copy_str(s->cwd, sizeof(s->cwd), ae->cwd);
	s->n_paths = ae->n_paths;
	copy_str(s->cc_op, sizeof(s->cc_op), ae->cc_op);
	copy_str(s->cc_key, sizeof(s->cc_key), ae->cc_key);
	s->cc_pid = ae->cc_pid;

	n = rs_audit_classify(ae, &c->m, out, sizeof(out) / sizeof(out[0]));
	cr_assert_leq(n, sizeof(out) / sizeof(out[0]));
	for (size_t i = 0; i < n; i++) {
		const struct rs_event *ev = &out[i];
		struct got *g;

		cr_assert_lt(c->n_got, MAX_GOT, "too many events");
		g = &c->got[c->n_got++];
		cr_assert_eq(ev->source, RS_SRC_AUDIT);
		cr_assert_eq(ev->proc.starttime, 0);
		g->serial = ae->serial;
		g->type = ev->type;
		g->time_ns = ev->time_ns;
		g->pid = ev->proc.pid;
		g->ppid = ev->proc.ppid;
		g->uid = ev->proc.uid;
		g->auid = ev->proc.auid;
		copy_str(g->comm, sizeof(g->comm), ev->proc.comm);
		copy_str(g->exe, sizeof(g->exe), ev->proc.exe);
		if (ev->type == RS_EV_DNS_SEND) {
			cr_assert_eq(ev->u.dns.proto, RS_PROTO_UNKNOWN);
			cr_assert(!ev->u.dns.inferred);
			copy_str(g->syscall, sizeof(g->syscall), ev->u.dns.syscall);
			rs_addr_format(&ev->u.dns.dst, g->dst, sizeof(g->dst));
			g->port = ev->u.dns.port;
			g->err = ev->u.dns.err;
			g->fd = ev->u.dns.fd;
			copy_str(g->path, sizeof(g->path), "");
		} else {
			copy_str(g->syscall, sizeof(g->syscall), ev->u.config.syscall);
			copy_str(g->path, sizeof(g->path), ev->u.config.path);
			g->err = ev->u.config.err;
			g->fd = -2;
			copy_str(g->dst, sizeof(g->dst), "");
		}
	}
}

static struct coll *coll_new(void)
{
	struct coll *c = own(calloc(1, sizeof(*c)));

	c->m.target = "/etc/resolv.conf";
	c->m.target_ino = 0;
	c->m.our_keys = "resolvstale-live-";
	return c;
}

static struct rs_audit_feed *feed_new(struct coll *c)
{
	struct rs_audit_feed *f = rs_audit_feed_new(on_audit_event, c);

	cr_assert_not_null(f);
	cr_assert_lt(n_feeds, sizeof(feeds) / sizeof(feeds[0]));
	feeds[n_feeds++] = f;
	return f;
}

static void feed_done(struct coll *c, struct rs_audit_feed *f)
{
	rs_audit_feed_flush(f);
	c->stats = *rs_audit_feed_stats(f);
	for (size_t i = 0; i < n_feeds; i++)
		if (feeds[i] == f)
			feeds[i] = feeds[--n_feeds];
	rs_audit_feed_free(f);
}

static void feed(struct rs_audit_feed *f, const char *data, size_t len)
{
	int r = rs_audit_feed_text(f, data, len);

	cr_assert_eq(r, 0, "rs_audit_feed_text(%zu bytes) = %d", len, r);
}

/* The whole buffer in one call, then the end of input. */
static struct coll *run_all(const char *data, size_t len)
{
	struct coll *c = coll_new();
	struct rs_audit_feed *f = feed_new(c);

	feed(f, data, len);
	feed_done(c, f);
	return c;
}

static struct coll *run_str(const char *text)
{
	return run_all(text, strlen(text));
}

/* A fixed-seed generator: the same chunks on every run. */
static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static struct coll *run_chunks(const char *data, size_t len, uint32_t seed, size_t max_chunk)
{
	struct coll *c = coll_new();
	struct rs_audit_feed *f = feed_new(c);

	for (size_t off = 0; off < len;) {
		size_t n = 1 + xorshift(&seed) % max_chunk;
		if (n > len - off)
			n = len - off;
		feed(f, data + off, n);
		off += n;
	}
	feed_done(c, f);
	return c;
}

static struct coll *run_lines(const char *data, size_t len)
{
	struct coll *c = coll_new();
	struct rs_audit_feed *f = feed_new(c);

	for (size_t off = 0; off < len;) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - (data + off)) + 1 : len - off;
		feed(f, data + off, n);
		off += n;
	}
	feed_done(c, f);
	return c;
}

static size_t count_type(const struct coll *c, enum rs_event_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_got; i++)
		n += c->got[i].type == t;
	return n;
}

static const struct seen *seen_serial(const struct coll *c, uint64_t serial)
{
	for (size_t i = 0; i < c->n_seen; i++)
		if (c->seen[i].serial == serial)
			return &c->seen[i];
	cr_assert_fail("no audit event with serial %llu", (unsigned long long)serial);
	return NULL;
}

/* --- what the capture must give ------------------------------------------ */

struct want_dns {
	int32_t pid;
	const char *comm, *exe, *syscall, *dst;
	uint16_t port;
	int err;
	int64_t fd;
};

struct want_cfg {
	enum rs_event_type type;
	int32_t pid;
	const char *comm, *syscall;
};

#define PY       "python3", "/usr/bin/python3.11"
#define DIG      "isc-net-0000", "/usr/bin/dig"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* raw.log: python's getaddrinfo twice, its unconnected sendto, the IPv6 and
 * the IPv4-mapped connects, dig's TCP connect in progress. Not dnsmasq's
 * replies (sendmsg to the client's port) nor the daemon's netlink sends. */
static const struct want_dns raw_dns[] = {
	{9051, PY, "connect", "127.53.0.1", 53, 0, 3},
	{9051, PY, "connect", "127.53.0.1", 53, 0, 3},
	{9051, PY, "sendto", "127.53.0.1", 53, 0, 3},
	{9051, PY, "connect", "::1", 53, 0, 4},
	{9051, PY, "connect", "::ffff:127.53.0.1", 53, 0, 5},
	{9052, DIG, "connect", "127.53.0.1", 53, EINPROGRESS, 14},
};

static const struct want_cfg raw_cfg[] = {
	{RS_EV_CONFIG_STAT, 9051, "python3", "newfstatat"},
	{RS_EV_CONFIG_OPEN, 9051, "python3", "openat"},
	{RS_EV_CONFIG_STAT, 9051, "python3", "newfstatat"},
	{RS_EV_CONFIG_OPEN, 9052, "dig", "openat"},
	{RS_EV_CONFIG_OPEN, 9055, "cat", "openat"},
	{RS_EV_CONFIG_OPEN, 9056, "sed", "openat"},
	{RS_EV_CONFIG_WRITE, 9056, "sed", "rename"},
	{RS_EV_CONFIG_OPEN, 9057, "sed", "openat"},
	{RS_EV_CONFIG_WRITE, 9057, "sed", "rename"},
};

/* enriched.log: the same scenario, a second run (other pids). */
static const struct want_dns enriched_dns[] = {
	{9089, PY, "connect", "127.53.0.1", 53, 0, 3},
	{9089, PY, "connect", "127.53.0.1", 53, 0, 3},
	{9089, PY, "sendto", "127.53.0.1", 53, 0, 3},
	{9089, PY, "connect", "::1", 53, 0, 4},
	{9089, PY, "connect", "::ffff:127.53.0.1", 53, 0, 5},
	{9090, DIG, "connect", "127.53.0.1", 53, EINPROGRESS, 14},
};

static const struct want_cfg enriched_cfg[] = {
	{RS_EV_CONFIG_STAT, 9089, "python3", "newfstatat"},
	{RS_EV_CONFIG_OPEN, 9089, "python3", "openat"},
	{RS_EV_CONFIG_STAT, 9089, "python3", "newfstatat"},
	{RS_EV_CONFIG_OPEN, 9090, "dig", "openat"},
	{RS_EV_CONFIG_OPEN, 9093, "cat", "openat"},
	{RS_EV_CONFIG_OPEN, 9094, "sed", "openat"},
	{RS_EV_CONFIG_WRITE, 9094, "sed", "rename"},
	{RS_EV_CONFIG_OPEN, 9095, "sed", "openat"},
	{RS_EV_CONFIG_WRITE, 9095, "sed", "rename"},
};

static void assert_dns_list(const struct coll *c, const struct want_dns *w, size_t n)
{
	size_t k = 0;

	cr_assert_eq(count_type(c, RS_EV_DNS_SEND), n, "%zu DNS sends, expected %zu",
		     count_type(c, RS_EV_DNS_SEND), n);
	for (size_t i = 0; i < c->n_got; i++) {
		const struct got *g = &c->got[i];
		if (g->type != RS_EV_DNS_SEND)
			continue;
		cr_assert_eq(g->pid, w[k].pid, "dns %zu: pid %d", k, g->pid);
		cr_assert_str_eq(g->comm, w[k].comm, "dns %zu", k);
		cr_assert_str_eq(g->exe, w[k].exe, "dns %zu", k);
		cr_assert_str_eq(g->syscall, w[k].syscall, "dns %zu", k);
		cr_assert_str_eq(g->dst, w[k].dst, "dns %zu", k);
		cr_assert_eq(g->port, w[k].port, "dns %zu: port %u", k, g->port);
		cr_assert_eq(g->err, w[k].err, "dns %zu: err %d", k, g->err);
		cr_assert_eq(g->fd, w[k].fd, "dns %zu: fd %lld", k, (long long)g->fd);
		cr_assert_eq(g->ppid, 9008);
		cr_assert_eq(g->uid, 0);
		cr_assert_eq(g->auid, 4294967295LL);
		k++;
	}
}

static void assert_cfg_list(const struct coll *c, const struct want_cfg *w, size_t n)
{
	size_t k = 0;

	cr_assert_eq(c->n_got - count_type(c, RS_EV_DNS_SEND), n, "%zu config events, expected %zu",
		     c->n_got - count_type(c, RS_EV_DNS_SEND), n);
	for (size_t i = 0; i < c->n_got; i++) {
		const struct got *g = &c->got[i];
		if (g->type == RS_EV_DNS_SEND)
			continue;
		cr_assert_eq(g->type, w[k].type, "config %zu: type %d", k, g->type);
		cr_assert_eq(g->pid, w[k].pid, "config %zu: pid %d", k, g->pid);
		cr_assert_str_eq(g->comm, w[k].comm, "config %zu", k);
		cr_assert_str_eq(g->syscall, w[k].syscall, "config %zu", k);
		cr_assert_str_eq(g->path, "/etc/resolv.conf", "config %zu", k);
		cr_assert_eq(g->err, 0, "config %zu", k);
		k++;
	}
}

static void assert_raw_result(const struct coll *c)
{
	assert_dns_list(c, raw_dns, NELEM(raw_dns));
	assert_cfg_list(c, raw_cfg, NELEM(raw_cfg));
}

/* Whether two event lists are the same, field by field, in the same order. */
static void assert_same_events(const struct coll *a, const struct coll *b, bool same_pids)
{
	cr_assert_eq(a->n_got, b->n_got, "%zu events against %zu", a->n_got, b->n_got);
	for (size_t i = 0; i < a->n_got; i++) {
		const struct got *x = &a->got[i], *y = &b->got[i];
		cr_assert_eq(x->type, y->type, "event %zu", i);
		cr_assert_str_eq(x->comm, y->comm, "event %zu", i);
		cr_assert_str_eq(x->exe, y->exe, "event %zu", i);
		cr_assert_str_eq(x->syscall, y->syscall, "event %zu", i);
		cr_assert_str_eq(x->dst, y->dst, "event %zu", i);
		cr_assert_eq(x->port, y->port, "event %zu", i);
		cr_assert_eq(x->err, y->err, "event %zu", i);
		cr_assert_eq(x->fd, y->fd, "event %zu", i);
		cr_assert_str_eq(x->path, y->path, "event %zu", i);
		cr_assert_eq(x->ppid, y->ppid, "event %zu", i);
		cr_assert_eq(x->uid, y->uid, "event %zu", i);
		cr_assert_eq(x->auid, y->auid, "event %zu", i);
		if (same_pids) {
			cr_assert_eq(x->pid, y->pid, "event %zu", i);
			cr_assert_eq(x->serial, y->serial, "event %zu", i);
			cr_assert_eq(x->time_ns, y->time_ns, "event %zu", i);
		}
	}
}

/* The i-th distinct pid of a list, by first appearance. */
static int pid_rank(const struct coll *c, int32_t pid)
{
	int rank = 0;

	for (size_t i = 0; i < c->n_got; i++) {
		bool first = true;
		for (size_t j = 0; j < i; j++)
			if (c->got[j].pid == c->got[i].pid)
				first = false;
		if (c->got[i].pid == pid)
			return rank;
		rank += first;
	}
	return -1;
}

static int cmp_got(const void *a, const void *b)
{
	const struct got *x = a, *y = b;

	if (x->serial != y->serial)
		return x->serial < y->serial ? -1 : 1;
	return (int)x->type - (int)y->type;
}

static char *fixture(const char *name, size_t *len)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "audit/%s", name);
	return own(rs_test_fixture(rel, len));
}

/* --- rs_audit_decode_proctitle ------------------------------------------------ */

Test(audit_decode_str, proctitle)
{
	char out[64], small[8];

	/* argv joined by NULs, in hex: the NULs become spaces. */
	cr_assert_eq(rs_audit_decode_proctitle("636174002F6574632F7265736F6C762E636F6E66", out,
					       sizeof(out)),
		     0);
	cr_assert_str_eq(out, "cat /etc/resolv.conf");
	/* A trailing NUL does not leave a trailing space. */
	cr_assert_eq(rs_audit_decode_proctitle("6469670000", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "dig");
	/* One argument without special bytes: audit quotes it. */
	cr_assert_eq(rs_audit_decode_proctitle("\"sleep\"", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "sleep");
	/* Bounded by the output. */
	cr_assert_eq(rs_audit_decode_proctitle("636174002F6574632F7265736F6C762E636F6E66", small,
					       sizeof(small)),
		     0);
	cr_assert_str_eq(small, "cat /et");
	cr_assert_eq(rs_audit_decode_proctitle(NULL, out, sizeof(out)), -ENOENT);
	cr_assert_eq(rs_audit_decode_proctitle("", out, sizeof(out)), -ENOENT);
	cr_assert_eq(rs_audit_decode_proctitle("abc", out, 0), -EINVAL);
	/* Odd length or not hex: taken as written. */
	cr_assert_eq(rs_audit_decode_proctitle("abc", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "abc");
}

/* --- rs_audit_decode_str ----------------------------------------------------- */

Test(audit_decode_str, quoted)
{
	char out[64];

	cr_assert_eq(rs_audit_decode_str("\"python3\"", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "python3");
	cr_assert_eq(rs_audit_decode_str("\"/usr/bin/python3.11\"", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/usr/bin/python3.11");
	cr_assert_eq(rs_audit_decode_str("\"\"", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "");
	/* A quoted value that looks like hex stays as written. */
	cr_assert_eq(rs_audit_decode_str("\"6869\"", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "6869");
}

Test(audit_decode_str, hex)
{
	char out[64];

	/* comm "my comm": a space makes audit write it in hex. */
	cr_assert_eq(rs_audit_decode_str("6D7920636F6D6D", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "my comm");
	cr_assert_eq(rs_audit_decode_str("6d7920636f6d6d", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "my comm");
	/* A quote inside also forces hex: "a"b */
	cr_assert_eq(rs_audit_decode_str("22612262", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "\"a\"b");
	/* proctitle: NUL-separated arguments; the string ends at the first. */
	cr_assert_eq(
		rs_audit_decode_str("636174002F6574632F7265736F6C762E636F6E66", out, sizeof(out)),
		0);
	cr_assert_str_eq(out, "cat");
}

Test(audit_decode_str, absent_values)
{
	char out[16] = "junk";

	cr_assert_eq(rs_audit_decode_str("(null)", out, sizeof(out)), -ENOENT);
	cr_assert_str_eq(out, "");
	strcpy(out, "junk");
	cr_assert_eq(rs_audit_decode_str("?", out, sizeof(out)), -ENOENT);
	cr_assert_str_eq(out, "");
	strcpy(out, "junk");
	cr_assert_eq(rs_audit_decode_str("(none)", out, sizeof(out)), -ENOENT);
	cr_assert_str_eq(out, "");
	strcpy(out, "junk");
	cr_assert_eq(rs_audit_decode_str(NULL, out, sizeof(out)), -ENOENT);
	cr_assert_str_eq(out, "");
	cr_assert_eq(rs_audit_decode_str("x", out, 0), -EINVAL);
}

Test(audit_decode_str, bare)
{
	char out[64];

	cr_assert_eq(rs_audit_decode_str("remove_rule", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "remove_rule");
	cr_assert_eq(rs_audit_decode_str("NORMAL", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "NORMAL");
	/* Not all hex digits: bare, even at an even length. */
	cr_assert_eq(rs_audit_decode_str("12345g", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "12345g");
	cr_assert_eq(rs_audit_decode_str("", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "");
}

Test(audit_decode_str, unterminated_quote)
{
	char out[64];

	cr_assert_eq(rs_audit_decode_str("\"python3", out, sizeof(out)), -EINVAL);
	cr_assert_str_eq(out, "python3");
	cr_assert_eq(rs_audit_decode_str("\"", out, sizeof(out)), -EINVAL);
	cr_assert_str_eq(out, "");
	/* What follows the closing quote is not part of the value. */
	cr_assert_eq(rs_audit_decode_str("\"a\"bc", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "a");
}

Test(audit_decode_str, odd_length_hex_is_bare)
{
	char out[64];

	cr_assert_eq(rs_audit_decode_str("6D7920636F6D6", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "6D7920636F6D6");
	cr_assert_eq(rs_audit_decode_str("abc", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "abc");
}

Test(audit_decode_str, truncation)
{
	char out[4];

	memset(out, 'X', sizeof(out));
	cr_assert_eq(rs_audit_decode_str("\"python3\"", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "pyt");
	memset(out, 'X', sizeof(out));
	cr_assert_eq(rs_audit_decode_str("6D7920636F6D6D", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "my ");
	memset(out, 'X', sizeof(out));
	cr_assert_eq(rs_audit_decode_str("remove_rule", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "rem");
	memset(out, 'X', sizeof(out));
	cr_assert_eq(rs_audit_decode_str("\"python3\"", out, 1), 0);
	cr_assert_eq(out[0], '\0');
	cr_assert_eq(out[1], 'X');
}

/* --- rs_audit_decode_sockaddr ------------------------------------------------ */

static const char *sa_text(const struct rs_addr *a)
{
	static char buf[RS_ADDR_STRLEN];

	return rs_addr_format(a, buf, sizeof(buf));
}

Test(audit_decode_sockaddr, ipv4_from_capture)
{
	struct rs_addr a;
	uint16_t port = 1;

	cr_assert_eq(rs_audit_decode_sockaddr("020000357F3500010000000000000000", &a, &port),
		     AF_INET);
	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(ntohl(a.u.v4.s_addr), 0x7f350001u);
	cr_assert_eq(port, 53);
	cr_assert_str_eq(sa_text(&a), "127.53.0.1");
	/* dnsmasq's reply to 127.0.0.1:36944 */
	cr_assert_eq(rs_audit_decode_sockaddr("020090507F0000010000000000000000", &a, &port),
		     AF_INET);
	cr_assert_eq(port, 36944);
	cr_assert_str_eq(sa_text(&a), "127.0.0.1");
	/* lower case, and no sin_zero padding */
	cr_assert_eq(rs_audit_decode_sockaddr("020000357f350001", &a, &port), AF_INET);
	cr_assert_eq(port, 53);
	cr_assert_str_eq(sa_text(&a), "127.53.0.1");
}

Test(audit_decode_sockaddr, ipv6_loopback_from_capture)
{
	struct rs_addr a;
	uint16_t port = 0;

	cr_assert_eq(rs_audit_decode_sockaddr(
			     "0A000035000000000000000000000000000000000000000100000000", &a, &port),
		     AF_INET6);
	cr_assert_eq(a.family, AF_INET6);
	cr_assert_eq(port, 53);
	cr_assert_str_eq(sa_text(&a), "::1");
	cr_assert_str_eq(a.scope, "");
}

Test(audit_decode_sockaddr, ipv4_mapped_from_capture)
{
	struct rs_addr a, v4;
	uint16_t port = 0;

	cr_assert_eq(rs_audit_decode_sockaddr(
			     "0A0000350000000000000000000000000000FFFF7F35000100000000", &a, &port),
		     AF_INET6);
	cr_assert_eq(a.family, AF_INET6, "a mapped address stays IPv6");
	cr_assert_eq(port, 53);
	cr_assert_str_eq(sa_text(&a), "::ffff:127.53.0.1");
	cr_assert_eq(rs_addr_parse("127.53.0.1", &v4), 0);
	cr_assert(rs_addr_same_server(&a, &v4));
}

Test(audit_decode_sockaddr, ipv6_scope_id)
{
	struct rs_addr a;
	uint16_t port = 0;

	/* fe80::1 port 53, sin6_scope_id 2 (host order, little endian). */
	cr_assert_eq(rs_audit_decode_sockaddr(
			     "0A00003500000000FE80000000000000000000000000000102000000", &a, &port),
		     AF_INET6);
	cr_assert_eq(port, 53);
	cr_assert_str_eq(a.scope, "2");
	cr_assert_str_eq(sa_text(&a), "fe80::1%2");
}

Test(audit_decode_sockaddr, netlink_and_unix)
{
	struct rs_addr a;
	uint16_t port = 7;

	/* The daemon's own netlink sends in the capture. */
	cr_assert_eq(rs_audit_decode_sockaddr("100000000000000000000000", &a, &port), AF_NETLINK);
	cr_assert_eq(a.family, 0);
	cr_assert_eq(port, 0);
	/* AF_UNIX "/dev/log" */
	port = 7;
	cr_assert_eq(rs_audit_decode_sockaddr("01002F6465762F6C6F6700", &a, &port), AF_UNIX);
	cr_assert_eq(a.family, 0);
	cr_assert_eq(port, 0);
}

Test(audit_decode_sockaddr, malformed)
{
	struct rs_addr a;
	uint16_t port = 9;

	cr_assert_eq(rs_audit_decode_sockaddr("020000357F35000G", &a, &port), -EINVAL);
	cr_assert_eq(a.family, 0);
	cr_assert_eq(port, 0);
	cr_assert_eq(rs_audit_decode_sockaddr("020000357F350001 ", &a, &port), -EINVAL);
	cr_assert_eq(rs_audit_decode_sockaddr("020000357F3500010", &a, &port), -EINVAL);
	cr_assert_eq(rs_audit_decode_sockaddr("\"020000357F350001\"", &a, &port), -EINVAL);
	cr_assert_eq(rs_audit_decode_sockaddr(NULL, &a, &port), -EINVAL);
	/* Longer than any struct sockaddr. */
	char big[600];
	memset(big, '0', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[1] = '2';
	cr_assert_eq(rs_audit_decode_sockaddr(big, &a, &port), -EINVAL);
}

Test(audit_decode_sockaddr, too_short)
{
	struct rs_addr a;
	uint16_t port = 9;

	cr_assert_eq(rs_audit_decode_sockaddr("", &a, &port), -EINVAL);
	cr_assert_eq(rs_audit_decode_sockaddr("02", &a, &port), -EINVAL);
	/* AF_INET needs 8 bytes, AF_INET6 24. */
	cr_assert_eq(rs_audit_decode_sockaddr("020000357F35", &a, &port), -EINVAL);
	cr_assert_eq(a.family, 0);
	cr_assert_eq(port, 0);
	/* 23 bytes of a struct sockaddr_in6: the address is cut. */
	cr_assert_eq(rs_audit_decode_sockaddr("0A00003500000000000000000000000000000000000000", &a,
					      &port),
		     -EINVAL);
	cr_assert_eq(a.family, 0);
	cr_assert_eq(port, 0);
}

/* --- the captured logs ---------------------------------------------------- */

Test(audit_feed, raw_log_exact_events)
{
	size_t len;
	char *buf = fixture("raw.log", &len);
	struct coll *c = run_all(buf, len);

	assert_raw_result(c);
	/* Every record is one line; the events are grouped by serial. */
	cr_assert_eq(c->stats.records, 213);
	cr_assert_eq(c->stats.events, 53);
	cr_assert_eq(c->stats.bad, 0);
	cr_assert_eq(c->n_seen, 53);
	/* The first DNS send, to the nanosecond. */
	cr_assert_eq(c->got[2].type, RS_EV_DNS_SEND);
	cr_assert_eq(c->got[2].serial, 201);
	cr_assert_eq(c->got[2].time_ns, 1795300301137000000LL);
}

Test(audit_feed, enriched_log_exact_events)
{
	size_t len;
	char *buf = fixture("enriched.log", &len);
	struct coll *c = run_all(buf, len);

	assert_dns_list(c, enriched_dns, NELEM(enriched_dns));
	assert_cfg_list(c, enriched_cfg, NELEM(enriched_cfg));
	cr_assert_eq(c->stats.records, 213);
	cr_assert_eq(c->stats.events, 53);
}

Test(audit_feed, raw_and_enriched_agree)
{
	size_t rlen, elen;
	char *r = fixture("raw.log", &rlen), *e = fixture("enriched.log", &elen);
	struct coll *cr = run_all(r, rlen), *ce = run_all(e, elen);

	/* Two runs of the same scenario: pids and serials differ, so pids are
	 * compared by order of first appearance. */
	assert_same_events(cr, ce, false);
	for (size_t i = 0; i < cr->n_got; i++)
		cr_assert_eq(pid_rank(cr, cr->got[i].pid), pid_rank(ce, ce->got[i].pid),
			     "event %zu: pid %d against %d", i, cr->got[i].pid, ce->got[i].pid);
	/* The same audit events, with the same shape. */
	cr_assert_eq(cr->n_seen, ce->n_seen);
	for (size_t i = 0; i < cr->n_seen; i++) {
		const struct seen *x = &cr->seen[i], *y = &ce->seen[i];
		cr_assert_eq(x->n_records, y->n_records, "audit event %zu", i);
		cr_assert_str_eq(x->syscall, y->syscall, "audit event %zu", i);
		cr_assert_str_eq(x->key, y->key, "audit event %zu", i);
		cr_assert_str_eq(x->comm, y->comm, "audit event %zu", i);
		cr_assert_eq(x->has_sockaddr, y->has_sockaddr, "audit event %zu", i);
		cr_assert_eq(x->family, y->family, "audit event %zu", i);
		cr_assert_eq(x->has_config_change, y->has_config_change, "audit event %zu", i);
		cr_assert_str_eq(x->cc_op, y->cc_op, "audit event %zu", i);
		cr_assert_str_eq(x->cc_key, y->cc_key, "audit event %zu", i);
		cr_assert_eq(x->n_paths, y->n_paths, "audit event %zu", i);
		cr_assert_str_eq(x->cwd, y->cwd, "audit event %zu", i);
	}
}

Test(audit_feed, raw_log_event_fields)
{
	size_t len;
	char *buf = fixture("raw.log", &len);
	struct coll *c = run_all(buf, len);
	const struct seen *s;

	/* dig's TCP connect: in progress, not a success. */
	s = seen_serial(c, 211);
	cr_assert(s->has_syscall);
	cr_assert_str_eq(s->syscall, "connect");
	cr_assert_eq(s->syscall_nr, 42);
	cr_assert(!s->success);
	cr_assert_eq(s->exit, -115);
	cr_assert_str_eq(s->key, "resolvstale-live-dns");
	cr_assert_eq(s->n_records, 3);
	cr_assert_eq(s->time_ns, 1795300301261000000LL);
	/* sed's rename: nine PATH items, the first eight kept. */
	s = seen_serial(c, 214);
	cr_assert_str_eq(s->syscall, "rename");
	cr_assert_eq(s->n_records, 12);
	cr_assert_eq(s->n_paths, RS_AUDIT_MAX_PATHS);
	cr_assert_str_eq(s->cwd, "/work/main");
	/* dnsmasq's reply: a send, not to port 53. */
	s = seen_serial(c, 202);
	cr_assert_str_eq(s->syscall, "sendmsg");
	cr_assert(s->has_sockaddr);
	cr_assert_eq(s->port, 36944);
	/* The daemon removing its own rule. */
	s = seen_serial(c, 217);
	cr_assert(s->has_config_change);
	cr_assert_str_eq(s->cc_op, "remove_rule");
	cr_assert_str_eq(s->cc_key, "resolvstale-live-write");
	cr_assert_eq(s->pid, 9045);
	cr_assert_str_eq(s->key, "");
	cr_assert_str_eq(s->comm, "resolvstale");
	/* auditd's own DAEMON_START: one record, no syscall. */
	s = seen_serial(c, 3050);
	cr_assert(!s->has_syscall);
	cr_assert_eq(s->n_records, 1);
}

Test(audit_feed, random_chunks)
{
	size_t len;
	char *buf = fixture("raw.log", &len);
	struct coll *whole = run_all(buf, len);
	static const size_t max_chunk[] = {1, 7, 64, 333, 4096};

	for (size_t i = 0; i < NELEM(max_chunk); i++) {
		struct coll *c = run_chunks(buf, len, 0x5eed1234u + (uint32_t)i, max_chunk[i]);
		assert_raw_result(c);
		assert_same_events(whole, c, true);
		cr_assert_eq(c->n_seen, whole->n_seen, "max chunk %zu", max_chunk[i]);
		cr_assert_eq(c->stats.records, 213);
	}
}

Test(audit_feed, random_chunks_enriched)
{
	size_t len;
	char *buf = fixture("enriched.log", &len);
	struct coll *whole = run_all(buf, len);
	struct coll *c = run_chunks(buf, len, 42, 97);

	assert_same_events(whole, c, true);
	assert_dns_list(c, enriched_dns, NELEM(enriched_dns));
}

Test(audit_feed, line_by_line)
{
	size_t len;
	char *buf = fixture("raw.log", &len);
	struct coll *whole = run_all(buf, len);
	struct coll *c = run_lines(buf, len);

	assert_raw_result(c);
	assert_same_events(whole, c, true);
	cr_assert_eq(c->n_seen, whole->n_seen);
	buf = fixture("enriched.log", &len);
	whole = run_all(buf, len);
	c = run_lines(buf, len);
	assert_dns_list(c, enriched_dns, NELEM(enriched_dns));
	assert_same_events(whole, c, true);
}

/* --- hostile and unusual input -------------------------------------------- */

struct line {
	const char *p;
	size_t len; /* with the newline */
	uint64_t serial;
};

static uint64_t line_serial(const char *p, size_t len)
{
	const char *m = memmem(p, len, "msg=audit(", 10);
	uint64_t v = 0;

	cr_assert_not_null(m);
	m = memchr(m, ':', len - (size_t)(m - p));
	cr_assert_not_null(m);
	for (m++; *m >= '0' && *m <= '9'; m++)
		v = v * 10 + (uint64_t)(*m - '0');
	return v;
}

static size_t split_lines(const char *buf, size_t len, struct line *out, size_t max)
{
	size_t n = 0;

	for (size_t off = 0; off < len && n < max;) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t l = nl != NULL ? (size_t)(nl - (buf + off)) + 1 : len - off;
		out[n].p = buf + off;
		out[n].len = l;
		out[n].serial = line_serial(buf + off, l);
		n++;
		off += l;
	}
	return n;
}

struct text {
	char *p;
	size_t len, cap;
};

static void text_add(struct text *t, const char *p, size_t len)
{
	if (t->len + len + 1 > t->cap) {
		t->cap = (t->len + len + 1) * 2;
		t->p = own_realloc(t->p, t->cap);
	}
	memcpy(t->p + t->len, p, len);
	t->len += len;
	t->p[t->len] = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_add(t, s, strlen(s));
}

/* Events sorted by serial: for inputs where completion order may change. */
static void sort_got(struct coll *c)
{
	qsort(c->got, c->n_got, sizeof(c->got[0]), cmp_got);
}

Test(audit_feed, interleaved_events)
{
	size_t len, n;
	char *buf = fixture("raw.log", &len);
	struct line *l = own(calloc(300, sizeof(*l)));
	struct text t = {0};
	struct coll *whole = run_all(buf, len), *c;
	size_t ia[300], ib[300], na = 0, nb = 0, ev = 0;

	n = split_lines(buf, len, l, 300);
	cr_assert_eq(n, 213);
	/* Two streams: even-numbered events and odd-numbered ones, then one line
	 * of each in turn, as two CPUs' records can reach a reader. */
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && l[i].serial != l[i - 1].serial)
			ev++;
		if (ev % 2 == 0)
			ia[na++] = i;
		else
			ib[nb++] = i;
	}
	for (size_t i = 0; i < na || i < nb; i++) {
		if (i < na)
			text_add(&t, l[ia[i]].p, l[ia[i]].len);
		if (i < nb)
			text_add(&t, l[ib[i]].p, l[ib[i]].len);
	}
	cr_assert_eq(t.len, len);
	c = run_all(t.p, t.len);
	cr_assert_eq(c->n_seen, whole->n_seen, "%zu audit events, expected %zu", c->n_seen,
		     whole->n_seen);
	sort_got(c);
	sort_got(whole);
	assert_same_events(whole, c, true);
	for (size_t i = 0; i < c->n_seen; i++) {
		const struct seen *x = seen_serial(whole, c->seen[i].serial);
		cr_assert_eq(c->seen[i].n_records, x->n_records, "serial %llu",
			     (unsigned long long)x->serial);
	}
}

Test(audit_feed, two_events_alternating_records)
{
	/* dig's connect (211) and cat's open (212), record by record. */
	static const char *text =
		"type=SYSCALL msg=audit(1795300301.261:211): arch=c000003e syscall=42 "
		"success=no exit=-115 a0=e a1=7f0b7c201cf0 a2=10 a3=7f0b7dd79994 items=0 "
		"ppid=9008 pid=9052 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
		"sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"isc-net-0000\" "
		"exe=\"/usr/bin/dig\" key=\"resolvstale-live-dns\"\n"
		"type=SYSCALL msg=audit(1795300301.277:212): arch=c000003e syscall=257 "
		"success=yes exit=3 a0=ffffff9c a1=7ffda88e3a53 a2=0 a3=0 items=1 ppid=9008 "
		"pid=9055 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
		"fsgid=0 tty=(none) ses=4294967295 comm=\"cat\" exe=\"/usr/bin/cat\" "
		"key=\"resolvstale-live-conf\"\n"
		"type=SOCKADDR msg=audit(1795300301.261:211): "
		"saddr=020000357F3500010000000000000000\n"
		"type=CWD msg=audit(1795300301.277:212): cwd=\"/work/main\"\n"
		"type=PROCTITLE msg=audit(1795300301.261:211): "
		"proctitle="
		"646967002B746370002B74696D653D31002B74726965733D3100403132372E35332E302E31"
		"00686F73742E746573742E6578616D706C65\n"
		"type=PATH msg=audit(1795300301.277:212): item=0 name=\"/etc/resolv.conf\" "
		"inode=915 dev=00:27 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL "
		"cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n"
		"type=PROCTITLE msg=audit(1795300301.277:212): "
		"proctitle=636174002F6574632F7265736F6C762E636F6E66\n";
	struct coll *c = run_str(text);

	cr_assert_eq(c->n_seen, 2);
	cr_assert_eq(c->n_got, 2);
	sort_got(c);
	cr_assert_eq(c->got[0].type, RS_EV_DNS_SEND);
	cr_assert_eq(c->got[0].pid, 9052);
	cr_assert_str_eq(c->got[0].dst, "127.53.0.1");
	cr_assert_eq(c->got[0].err, EINPROGRESS);
	cr_assert_eq(c->got[1].type, RS_EV_CONFIG_OPEN);
	cr_assert_eq(c->got[1].pid, 9055);
	cr_assert_str_eq(c->got[1].comm, "cat");
	cr_assert_eq(seen_serial(c, 211)->n_records, 3);
	cr_assert_str_eq(seen_serial(c, 211)->proctitle,
			 "dig +tcp +time=1 +tries=1 @127.53.0.1 host.test.example");
	cr_assert_str_eq(seen_serial(c, 212)->proctitle, "cat /etc/resolv.conf");
	cr_assert_eq(seen_serial(c, 212)->n_records, 4);
}

/* A line no parser would take, deterministic for a seed. */
static void random_line(struct text *t, uint32_t *seed, size_t len, bool with_nul)
{
	char b[512];

	cr_assert_leq(len, sizeof(b));
	for (size_t i = 0; i < len; i++) {
		char ch = (char)(xorshift(seed) & 0xff);
		if (ch == '\n' || (!with_nul && ch == '\0'))
			ch = '~';
		b[i] = ch;
	}
	text_add(t, b, len);
	text_str(t, "\n");
}

static void garbage_line(struct text *t, unsigned kind, uint32_t *seed)
{
	switch (kind % 7) {
	case 0:
		random_line(t, seed, 1 + xorshift(seed) % 200, false);
		break;
	case 1:
		text_str(t, "type=SYSCALL\n");
		break;
	case 2:
		text_str(t, "\n");
		break;
	case 3: {
		char *big = malloc(10 * 1024 + 2);
		cr_assert_not_null(big);
		memset(big, 'A', 10 * 1024);
		memcpy(big, "type=PROCTITLE proctitle=", 25);
		big[10 * 1024] = '\n';
		text_add(t, big, 10 * 1024 + 1);
		free(big);
		break;
	}
	case 4:
		text_str(t, "type=SYSCALL msg=audit(: arch=c000003e syscall=42\n");
		break;
	case 5:
		random_line(t, seed, 1 + xorshift(seed) % 100, true);
		break;
	case 6:
		text_str(t, "msg=audit(1795300301.000:99999): "
			    "saddr=020000357F3500010000000000000000\n");
		break;
	}
}

Test(audit_feed, garbage_between_events)
{
	size_t len, n;
	char *buf = fixture("raw.log", &len);
	struct line *l = own(calloc(300, sizeof(*l)));
	struct text t = {0};
	uint32_t seed = 0xbadc0deu;
	unsigned kind = 0;
	struct coll *c;

	n = split_lines(buf, len, l, 300);
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || l[i].serial != l[i - 1].serial)
			garbage_line(&t, kind++, &seed);
		text_add(&t, l[i].p, l[i].len);
	}
	garbage_line(&t, 3, &seed);
	c = run_all(t.p, t.len);
	assert_raw_result(c);
	/* The same, fed in small pieces. */
	c = run_chunks(t.p, t.len, 7, 50);
	assert_raw_result(c);
}

Test(audit_feed, garbage_inside_events)
{
	size_t len, n;
	char *buf = fixture("raw.log", &len);
	struct line *l = own(calloc(300, sizeof(*l)));
	struct text t = {0};
	uint32_t seed = 0x1234567u;
	unsigned kind = 0;
	struct coll *c;

	n = split_lines(buf, len, l, 300);
	/* Between the records of one event, too. */
	for (size_t i = 0; i < n; i++) {
		text_add(&t, l[i].p, l[i].len);
		if (i % 2 == 0)
			garbage_line(&t, kind++, &seed);
	}
	c = run_all(t.p, t.len);
	assert_raw_result(c);
}

Test(audit_feed, truncated_final_line)
{
	size_t len;
	char *buf = fixture("raw.log", &len);
	struct text t = {0};
	struct coll *c;

	/* A connect whose SOCKADDR record never arrived: the writer died. */
	text_add(&t, buf, len);
	text_str(&t, "type=SYSCALL msg=audit(1795300310.001:900): arch=c000003e syscall=42 "
		     "success=yes exit=0 a0=3 a1=7fbc1cf35454 a2=10 a3=7ffe70424464 items=0 "
		     "ppid=9008 pid=9051 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 "
		     "egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"python3\" "
		     "exe=\"/usr/bin/python3.11\" key=\"resolvstale-live-dns\"\n"
		     "type=SOCKADDR msg=audit(1795300310.001:900): saddr=020000357F");
	c = run_all(t.p, t.len);
	assert_raw_result(c);
	c = run_lines(t.p, t.len);
	assert_raw_result(c);
}

Test(audit_feed, cut_in_the_middle_of_an_event)
{
	size_t len;
	char *buf = fixture("raw.log", &len);
	const char *cut = strstr(buf, "type=SOCKADDR msg=audit(1795300301.261:211): saddr=0200");
	struct coll *c;

	/* Everything before dig's SOCKADDR, and half of it. */
	cr_assert_not_null(cut);
	c = run_all(buf, (size_t)(cut - buf) + 52);
	cr_assert_eq(count_type(c, RS_EV_DNS_SEND), 5);
	assert_dns_list(c, raw_dns, 5);
	cr_assert_eq(c->n_got, 5 + 4, "the 4 config events before dig's connect");
}

Test(audit_feed, empty_and_nothing)
{
	struct coll *c = run_str("");

	cr_assert_eq(c->n_seen, 0);
	cr_assert_eq(c->stats.records, 0);
	c = run_str("\n\n\n");
	cr_assert_eq(c->n_got, 0);
}

/* --- hand-written records ------------------------------------------------- */

#define SYSCALL_TAIL                                                                               \
	"ppid=1 pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "    \
	"sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"old32\" exe=\"/opt/old32/bin/old32\" "

static struct coll *socketcall(const char *a0, const char *saddr)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "type=SYSCALL msg=audit(1700000000.100:1001): arch=40000003 syscall=102 "
		 "success=yes exit=0 a0=%s a1=ffd0e2a0 a2=0 a3=0 items=0 " SYSCALL_TAIL
		 "key=\"resolvstale-live-dns\"\n"
		 "type=SOCKADDR msg=audit(1700000000.100:1001): saddr=%s\n"
		 "type=PROCTITLE msg=audit(1700000000.100:1001): proctitle=\"old32\"\n",
		 a0, saddr);
	return run_str(text);
}

Test(audit_classify, i386_socketcall_connect)
{
	struct coll *c = socketcall("3", "020000357F3500010000000000000000");

	cr_assert_eq(c->n_seen, 1);
	cr_assert_str_eq(c->seen[0].syscall, "socketcall");
	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_DNS_SEND);
	cr_assert_str_eq(c->got[0].syscall, "connect");
	cr_assert_eq(c->got[0].fd, -1, "socketcall's a0 is the call, not the fd");
	cr_assert_str_eq(c->got[0].dst, "127.53.0.1");
	cr_assert_eq(c->got[0].port, 53);
	cr_assert_eq(c->got[0].err, 0);
	cr_assert_eq(c->got[0].pid, 4242);
	cr_assert_eq(c->got[0].ppid, 1);
	cr_assert_eq(c->got[0].uid, 1000);
	cr_assert_eq(c->got[0].auid, 1000);
	cr_assert_str_eq(c->got[0].comm, "old32");
	cr_assert_str_eq(c->got[0].exe, "/opt/old32/bin/old32");
	cr_assert_eq(c->got[0].time_ns, 1700000000100000000LL);
}

Test(audit_classify, i386_socketcall_sendto_and_others)
{
	struct coll *c = socketcall("b", "020000357F3500010000000000000000");

	cr_assert_eq(c->n_got, 1);
	cr_assert_str_eq(c->got[0].syscall, "sendto");
	cr_assert_eq(c->got[0].fd, -1);
	c = socketcall("10", "0A000035000000000000000000000000000000000000000100000000");
	cr_assert_eq(c->n_got, 1);
	cr_assert_str_eq(c->got[0].syscall, "sendmsg");
	cr_assert_str_eq(c->got[0].dst, "::1");
	c = socketcall("14", "020000357F3500010000000000000000");
	cr_assert_eq(c->n_got, 1);
	cr_assert_str_eq(c->got[0].syscall, "sendmmsg");
	/* socket(2) and bind(2) through socketcall are not sends. */
	c = socketcall("1", "020000357F3500010000000000000000");
	cr_assert_eq(c->n_seen, 1);
	cr_assert_eq(c->n_got, 0);
	c = socketcall("2", "020000357F3500010000000000000000");
	cr_assert_eq(c->n_got, 0);
}

static struct coll *x86_64_send(int nr, const char *result, const char *saddr, const char *key)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "type=SYSCALL msg=audit(1700000001.000:1002): arch=c000003e syscall=%d %s "
		 "a0=7 a1=7ffc00000000 a2=10 a3=0 items=0 " SYSCALL_TAIL "key=%s\n"
		 "type=SOCKADDR msg=audit(1700000001.000:1002): saddr=%s\n"
		 "type=PROCTITLE msg=audit(1700000001.000:1002): proctitle=\"old32\"\n",
		 nr, result, key, saddr);
	return run_str(text);
}

Test(audit_classify, failed_connect)
{
	struct coll *c = x86_64_send(42, "success=no exit=-111", "020000357F3500010000000000000000",
				     "\"resolvstale-live-dns\"");

	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_DNS_SEND);
	cr_assert_str_eq(c->got[0].syscall, "connect");
	cr_assert_eq(c->got[0].err, ECONNREFUSED);
	cr_assert_eq(c->got[0].fd, 7);
}

Test(audit_classify, sendto_other_port)
{
	/* mDNS to 224.0.0.251:5353 */
	struct coll *c = x86_64_send(44, "success=yes exit=40", "020014E9E00000FB0000000000000000",
				     "\"resolvstale-live-dns\"");

	cr_assert_eq(c->n_seen, 1);
	cr_assert_eq(c->seen[0].port, 5353);
	cr_assert_eq(c->n_got, 0);
	/* Port 53 on a socket family we do not know: nothing either. */
	c = x86_64_send(44, "success=yes exit=40", "110000350000000000000000", "(null)");
	cr_assert_eq(c->n_got, 0);
}

Test(audit_classify, dns_send_without_key)
{
	/* Rules of auditd's own (another key, or none) still show a DNS send. */
	struct coll *c = x86_64_send(46, "success=yes exit=40", "020000357F3500010000000000000000",
				     "(null)");

	cr_assert_eq(c->n_got, 1);
	cr_assert_str_eq(c->got[0].syscall, "sendmsg");
	cr_assert_eq(c->got[0].fd, 7);
}

static struct coll *open_event(const char *key, const char *a2, const char *cwd, const char *name,
			       const char *nametype, const char *inode, uint64_t target_ino)
{
	char text[4096];
	struct coll *c = coll_new();
	struct rs_audit_feed *f;

	c->m.target_ino = target_ino;
	snprintf(text, sizeof(text),
		 "type=SYSCALL msg=audit(1700000002.500:1003): arch=c000003e syscall=257 "
		 "success=yes exit=3 a0=ffffff9c a1=7ffda88e3a53 a2=%s a3=0 items=1 ppid=1 "
		 "pid=777 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 "
		 "tty=(none) ses=3 comm=\"nscd\" exe=\"/usr/sbin/nscd\" key=%s\n"
		 "type=CWD msg=audit(1700000002.500:1003): cwd=%s\n"
		 "type=PATH msg=audit(1700000002.500:1003): item=0 name=%s inode=%s dev=00:27 "
		 "mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=%s cap_fp=0 cap_fi=0 cap_fe=0 "
		 "cap_fver=0 cap_frootid=0\n"
		 "type=PROCTITLE msg=audit(1700000002.500:1003): proctitle=6E736364\n",
		 a2, key, cwd, name, inode, nametype);
	f = feed_new(c);
	feed(f, text, strlen(text));
	feed_done(c, f);
	return c;
}

Test(audit_classify, path_match_with_other_key)
{
	struct coll *c = open_event("\"audit-rules-resolvconf\"", "80000", "\"/\"",
				    "\"/etc/resolv.conf\"", "NORMAL", "915", 0);

	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_OPEN);
	cr_assert_eq(c->got[0].pid, 777);
	cr_assert_str_eq(c->got[0].comm, "nscd");
	cr_assert_str_eq(c->got[0].syscall, "openat");
	cr_assert_str_eq(c->got[0].path, "/etc/resolv.conf");
	cr_assert_eq(c->got[0].err, 0);
}

Test(audit_classify, path_match_relative_to_cwd)
{
	struct coll *c =
		open_event("(null)", "0", "\"/etc\"", "\"resolv.conf\"", "NORMAL", "915", 0);

	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_OPEN);
	cr_assert_str_eq(c->got[0].path, "/etc/resolv.conf");
	/* The same name elsewhere is another file. */
	c = open_event("(null)", "0", "\"/tmp\"", "\"resolv.conf\"", "NORMAL", "915", 0);
	cr_assert_eq(c->n_got, 0);
}

Test(audit_classify, path_no_match)
{
	struct coll *c =
		open_event("\"other\"", "0", "\"/\"", "\"/etc/hosts\"", "NORMAL", "916", 0);

	cr_assert_eq(c->n_seen, 1);
	cr_assert_eq(c->n_got, 0);
	/* A PARENT item names the directory, not the file. */
	c = open_event("\"other\"", "0", "\"/\"", "\"/etc/resolv.conf\"", "PARENT", "915", 0);
	cr_assert_eq(c->n_got, 0);
}

Test(audit_classify, path_match_by_inode)
{
	/* Opened through another name (a bind mount, a hard link). */
	struct coll *c = open_event("\"other\"", "0", "\"/\"", "\"/run/resolv.alias\"", "NORMAL",
				    "915", 915);

	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_OPEN);
}

Test(audit_classify, open_for_write)
{
	/* O_WRONLY|O_TRUNC */
	struct coll *c = open_event("\"resolvstale-live-write\"", "201", "\"/\"",
				    "\"/etc/resolv.conf\"", "NORMAL", "915", 0);

	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_WRITE);
	cr_assert_str_eq(c->got[0].syscall, "openat");
	/* O_RDWR, matched by path only */
	c = open_event("(null)", "2", "\"/\"", "\"/etc/resolv.conf\"", "NORMAL", "915", 0);
	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_WRITE);
	/* O_RDONLY|O_CREAT */
	c = open_event("(null)", "40", "\"/\"", "\"/etc/resolv.conf\"", "NORMAL", "915", 0);
	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_WRITE);
	/* O_RDONLY|O_CLOEXEC|O_NOFOLLOW: a read */
	c = open_event("(null)", "a0000", "\"/\"", "\"/etc/resolv.conf\"", "NORMAL", "915", 0);
	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_OPEN);
}

Test(audit_classify, failed_stat_keeps_errno)
{
	static const char *text =
		"type=SYSCALL msg=audit(1700000003.000:1004): arch=c000003e syscall=332 "
		"success=no exit=-2 a0=ffffff9c a1=7ffda88e3a53 a2=0 a3=7ff items=1 ppid=1 pid=778 "
		"auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 "
		"fsgid=1000 tty=(none) ses=3 comm=\"go-app\" exe=\"/usr/local/bin/go-app\" "
		"key=\"resolvstale-live-conf\"\n"
		"type=CWD msg=audit(1700000003.000:1004): cwd=\"/\"\n"
		"type=PATH msg=audit(1700000003.000:1004): item=0 name=\"/etc/resolv.conf\" "
		"nametype=UNKNOWN cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n"
		"type=PROCTITLE msg=audit(1700000003.000:1004): proctitle=676F2D617070\n";
	struct coll *c = run_str(text);

	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_STAT);
	cr_assert_str_eq(c->got[0].syscall, "statx");
	cr_assert_eq(c->got[0].err, ENOENT);
	cr_assert_eq(c->got[0].uid, 1000);
}

Test(audit_classify, config_change_record)
{
	static const char *text =
		"type=CONFIG_CHANGE msg=audit(1700000004.000:1005): auid=1000 ses=3 "
		"subj=unconfined op=remove_rule key=\"resolvstale-live-dns\" list=4 res=1\n"
		"type=SYSCALL msg=audit(1700000004.000:1005): arch=c000003e syscall=44 "
		"success=yes exit=1076 a0=3 a1=7ffe0c1b5f40 a2=434 a3=0 items=0 ppid=1 pid=4321 "
		"auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 "
		"comm=\"auditctl\" exe=\"/usr/sbin/auditctl\" key=(null)\n"
		"type=SOCKADDR msg=audit(1700000004.000:1005): saddr=100000000000000000000000\n"
		"type=PROCTITLE msg=audit(1700000004.000:1005): "
		"proctitle=617564697463746C002D44\n";
	struct coll *c = run_str(text);

	cr_assert_eq(c->n_seen, 1);
	cr_assert(c->seen[0].has_config_change);
	cr_assert_str_eq(c->seen[0].cc_op, "remove_rule");
	cr_assert_str_eq(c->seen[0].cc_key, "resolvstale-live-dns");
	cr_assert_eq(c->seen[0].cc_pid, 0, "this CONFIG_CHANGE names no pid");
	cr_assert_eq(c->seen[0].pid, 4321);
	cr_assert_str_eq(c->seen[0].comm, "auditctl");
	cr_assert_eq(c->n_got, 0);
}

Test(audit_classify, config_change_alone_with_pid)
{
	/* Older kernels: the record stands alone and names the pid. */
	struct coll *c =
		run_str("type=CONFIG_CHANGE msg=audit(1700000005.000:1006): pid=5555 "
			"uid=0 auid=1000 ses=3 op=remove_rule key=\"resolvstale-live-conf\" "
			"list=4 res=1\n");

	cr_assert_eq(c->n_seen, 1);
	cr_assert(c->seen[0].has_config_change);
	cr_assert(!c->seen[0].has_syscall);
	cr_assert_str_eq(c->seen[0].cc_op, "remove_rule");
	cr_assert_str_eq(c->seen[0].cc_key, "resolvstale-live-conf");
	cr_assert_eq(c->seen[0].cc_pid, 5555);
	cr_assert_eq(c->n_got, 0);
}

Test(audit_feed, node_prefix)
{
	static const char *text =
		"node=host1 type=SYSCALL msg=audit(1700000006.000:1007): arch=c000003e syscall=42 "
		"success=yes exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 " SYSCALL_TAIL
		"key=\"resolvstale-live-dns\"\n"
		"node=host1 type=SOCKADDR msg=audit(1700000006.000:1007): "
		"saddr=020000357F3500010000000000000000\n"
		"node=host1 type=PROCTITLE msg=audit(1700000006.000:1007): proctitle=\"old32\"\n"
		"type=SYSCALL msg=audit(1700000006.010:1008): arch=c000003e syscall=42 "
		"success=yes exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 " SYSCALL_TAIL
		"key=\"resolvstale-live-dns\"\n"
		"type=SOCKADDR msg=audit(1700000006.010:1008): "
		"saddr=020000357F3500010000000000000000\n"
		"type=PROCTITLE msg=audit(1700000006.010:1008): proctitle=\"old32\"\n";
	struct coll *c = run_str(text);

	cr_assert_eq(c->n_seen, 2);
	cr_assert_str_eq(seen_serial(c, 1007)->node, "host1");
	cr_assert_str_eq(seen_serial(c, 1008)->node, "", "the node of one event does not stick");
	cr_assert_eq(c->n_got, 2);
	cr_assert_eq(c->got[0].type, RS_EV_DNS_SEND);
}

Test(audit_feed, hex_encoded_strings)
{
	/* A comm with a space, an exe path with one, a key in hex. */
	static const char *text =
		"type=SYSCALL msg=audit(1700000007.000:1009): arch=c000003e syscall=42 "
		"success=yes exit=0 a0=9 a1=7ffc00000000 a2=10 a3=0 items=0 ppid=1 pid=31337 "
		"auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 "
		"fsgid=1000 tty=(none) ses=3 comm=6D7920636F6D6D "
		"exe=2F6F70742F6D79206170702F62696E "
		"key=7265736F6C767374616C652D6C6976652D646E73\n"
		"type=SOCKADDR msg=audit(1700000007.000:1009): "
		"saddr=020000357F3500010000000000000000\n"
		"type=PROCTITLE msg=audit(1700000007.000:1009): proctitle=6D7920636F6D6D\n";
	struct coll *c = run_str(text);

	cr_assert_eq(c->n_seen, 1);
	cr_assert_str_eq(c->seen[0].key, "resolvstale-live-dns");
	cr_assert_eq(c->n_got, 1);
	cr_assert_str_eq(c->got[0].comm, "my comm");
	cr_assert_str_eq(c->got[0].exe, "/opt/my app/bin");
	cr_assert_eq(c->got[0].fd, 9);
}

Test(audit_feed, unknown_arch_gives_number)
{
	struct coll *c =
		run_str("type=SYSCALL msg=audit(1700000008.000:1010): arch=deadbeef syscall=42 "
			"success=yes exit=0 a0=3 a1=0 a2=10 a3=0 items=0 " SYSCALL_TAIL
			"key=\"resolvstale-live-dns\"\n"
			"type=SOCKADDR msg=audit(1700000008.000:1010): "
			"saddr=020000357F3500010000000000000000\n");

	cr_assert_eq(c->n_seen, 1);
	cr_assert_str_eq(c->seen[0].syscall, "42");
	cr_assert_eq(c->seen[0].syscall_nr, 42);
	cr_assert_eq(c->n_got, 0, "a syscall we cannot name is not called a send");
}

Test(audit_feed, sockaddr_without_syscall)
{
	/* The SYSCALL record was lost: the address alone proves nobody. */
	struct coll *c =
		run_str("type=SOCKADDR msg=audit(1700000009.000:1011): "
			"saddr=020000357F3500010000000000000000\n"
			"type=PROCTITLE msg=audit(1700000009.000:1011): proctitle=6469670A\n");

	cr_assert_eq(c->n_seen, 1);
	cr_assert(!c->seen[0].has_syscall);
	cr_assert(c->seen[0].has_sockaddr);
	cr_assert_eq(c->n_got, 0);
}

Test(audit_classify, pure_call)
{
	struct rs_audit_event *ae = own(calloc(1, sizeof(*ae)));
	struct rs_audit_match m = {"/etc/resolv.conf", 0, 0, "resolvstale-live-"};
	struct rs_event out[2];

	ae->has_syscall = true;
	strcpy(ae->syscall, "sendto");
	ae->success = true;
	ae->a0 = 5;
	ae->pid = 10;
	ae->ppid = -1;
	ae->uid = ae->auid = -1;
	ae->has_sockaddr = true;
	cr_assert_eq(rs_addr_parse("192.0.2.53", &ae->addr), 0);
	ae->port = 53;
	cr_assert_eq(rs_audit_classify(ae, &m, out, 0), 0);
	cr_assert_eq(rs_audit_classify(ae, &m, out, 2), 1);
	cr_assert_eq(out[0].type, RS_EV_DNS_SEND);
	cr_assert_null(out[0].proc.comm, "an empty comm is unknown");
	cr_assert_null(out[0].proc.exe);
	cr_assert_eq(out[0].u.dns.fd, 5);
	ae->has_syscall = false;
	cr_assert_eq(rs_audit_classify(ae, &m, out, 2), 0);
}

Test(audit_classify, syscall_sets)
{
	cr_assert(rs_audit_is_stat("newfstatat"));
	cr_assert(rs_audit_is_stat("statx"));
	cr_assert(rs_audit_is_stat("stat64"));
	cr_assert(!rs_audit_is_stat("openat"));
	cr_assert(rs_audit_is_open("openat2"));
	cr_assert(rs_audit_is_open("open"));
	cr_assert(!rs_audit_is_open("connect"));
	cr_assert(rs_audit_is_write("rename"));
	cr_assert(rs_audit_is_write("renameat2"));
	cr_assert(rs_audit_is_write("unlinkat"));
	cr_assert(!rs_audit_is_write("openat"));
	cr_assert(!rs_audit_is_write(""));
}

Test(audit_decode_sockaddr, ipv6_without_scope_id)
{
	struct rs_addr a;
	uint16_t port = 0;

	/* 24 bytes: family, port, flowinfo, address; no sin6_scope_id. */
	cr_assert_eq(rs_audit_decode_sockaddr("0A000035000000000000000000000000000000000000"
					      "0001",
					      &a, &port),
		     AF_INET6);
	cr_assert_eq(port, 53);
	cr_assert_str_eq(sa_text(&a), "::1");
}

Test(audit_feed, zero_length_feed)
{
	struct coll *c = coll_new();
	struct rs_audit_feed *f = feed_new(c);

	feed(f, "", 0);
	feed_done(c, f);
	cr_assert_eq(c->n_seen, 0);
}

Test(audit_feed, long_record_in_a_valid_event)
{
	/* A 10 KiB PROCTITLE (hex of a long command line) ends a DNS connect. */
	struct text t = {0};
	struct coll *c;

	text_str(&t, "type=SYSCALL msg=audit(1700000010.000:1012): arch=c000003e syscall=42 "
		     "success=yes exit=0 a0=3 a1=7ffc00000000 a2=10 a3=0 items=0 " SYSCALL_TAIL
		     "key=\"resolvstale-live-dns\"\n"
		     "type=SOCKADDR msg=audit(1700000010.000:1012): "
		     "saddr=020000357F3500010000000000000000\n"
		     "type=PROCTITLE msg=audit(1700000010.000:1012): proctitle=");
	for (int i = 0; i < 5 * 1024; i++)
		text_str(&t, "41");
	text_str(&t, "\n");
	c = run_all(t.p, t.len);
	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_DNS_SEND);
	cr_assert_eq(c->got[0].pid, 4242);
}

/* The netlink path: the same records as (type, payload) pairs, as the kernel
 * sends them, give the same events as the log text. */
Test(audit_feed, netlink_records_like_log_lines)
{
	size_t len, n;
	char *buf = fixture("raw.log", &len);
	struct line *l = own(calloc(300, sizeof(*l)));
	struct coll *whole = run_all(buf, len), *c = coll_new();
	struct rs_audit_feed *f;

	n = split_lines(buf, len, l, 300);
	f = feed_new(c);
	for (size_t i = 0; i < n; i++) {
		char type[64], payload[4096];
		const char *msg = memmem(l[i].p, l[i].len, " msg=", 5);
		size_t tl, pl;
		int nr;

		cr_assert(strncmp(l[i].p, "type=", 5) == 0);
		cr_assert_not_null(msg);
		tl = (size_t)(msg - l[i].p) - 5;
		cr_assert_lt(tl, sizeof(type));
		memcpy(type, l[i].p + 5, tl);
		type[tl] = '\0';
		nr = audit_name_to_msg_type(type);
		cr_assert_gt(nr, 0, "record type %s", type);
		/* The payload as the kernel sends it: no newline, a NUL. */
		pl = l[i].len - (size_t)(msg + 5 - l[i].p) - 1;
		cr_assert_lt(pl, sizeof(payload));
		memcpy(payload, msg + 5, pl);
		payload[pl] = '\0';
		cr_assert_eq(rs_audit_feed_record(f, nr, payload, pl + 1), 0);
	}
	feed_done(c, f);
	assert_raw_result(c);
	assert_same_events(whole, c, true);
	cr_assert_eq(c->stats.records, 213);
}

Test(audit_classify, socketcall_receive_is_not_a_send)
{
	/* recvfrom(2) through socketcall (12): the SOCKADDR is the sender. */
	struct coll *c = socketcall("c", "020000357F3500010000000000000000");

	cr_assert_eq(c->n_seen, 1);
	cr_assert_eq(c->seen[0].port, 53);
	cr_assert_eq(c->n_got, 0);
}

static struct coll *arch_send(const char *arch, int nr)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "type=SYSCALL msg=audit(1700000012.000:1014): arch=%s syscall=%d success=yes "
		 "exit=0 a0=5 a1=ffd0e2a0 a2=10 a3=0 items=0 " SYSCALL_TAIL
		 "key=\"resolvstale-live-dns\"\n"
		 "type=SOCKADDR msg=audit(1700000012.000:1014): "
		 "saddr=020000357F3500010000000000000000\n",
		 arch, nr);
	return run_str(text);
}

Test(audit_classify, other_architectures)
{
	/* i386's own connect(2) (since Linux 4.3): a0 is the fd again. */
	struct coll *c = arch_send("40000003", 362);

	cr_assert_eq(c->n_got, 1);
	cr_assert_str_eq(c->got[0].syscall, "connect");
	cr_assert_eq(c->got[0].fd, 5);
	/* aarch64 connect and sendto */
	c = arch_send("c00000b7", 203);
	cr_assert_eq(c->n_got, 1);
	cr_assert_str_eq(c->got[0].syscall, "connect");
	c = arch_send("c00000b7", 206);
	cr_assert_eq(c->n_got, 1);
	cr_assert_str_eq(c->got[0].syscall, "sendto");
	/* x86_64 recvfrom from port 53 (a reply) is no send. */
	c = arch_send("c000003e", 45);
	cr_assert_eq(c->n_seen, 1);
	cr_assert_str_eq(c->seen[0].syscall, "recvfrom");
	cr_assert_eq(c->n_got, 0);
}

/* --- what src/audit_rec.c gets wrong (see the report in each test) -------- */

/* A process whose cwd is "/" opens "etc/resolv.conf": the joined name must be
 * "/etc/resolv.conf", not "//etc/resolv.conf". */
Test(audit_classify, relative_name_with_root_cwd)
{
	struct coll *c =
		open_event("(null)", "0", "\"/\"", "\"etc/resolv.conf\"", "NORMAL", "915", 0);

	cr_assert_eq(c->n_got, 1, "openat(AT_FDCWD, \"etc/resolv.conf\") with cwd \"/\" missed");
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_OPEN);
}

/* openat(dirfd, "resolv.conf"): the name is relative to dirfd, not to the cwd,
 * so a cwd of /etc proves nothing (the file here is another inode). */
Test(audit_classify, relative_name_through_dirfd)
{
	char text[4096];
	struct coll *c;

	snprintf(text, sizeof(text),
		 "type=SYSCALL msg=audit(1700000011.000:1013): arch=c000003e syscall=257 "
		 "success=yes exit=4 a0=3 a1=7ffda88e3a53 a2=0 a3=0 items=1 ppid=1 pid=779 "
		 "auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "
		 "ses=3 comm=\"tar\" exe=\"/usr/bin/tar\" key=\"other\"\n"
		 "type=CWD msg=audit(1700000011.000:1013): cwd=\"/etc\"\n"
		 "type=PATH msg=audit(1700000011.000:1013): item=0 name=\"resolv.conf\" "
		 "inode=424242 dev=00:2a mode=0100644 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL "
		 "cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n"
		 "type=PROCTITLE msg=audit(1700000011.000:1013): proctitle=746172\n");
	c = run_str(text);
	cr_assert_eq(c->n_seen, 1);
	cr_assert_eq(c->n_got, 0, "an open relative to dirfd 3 was taken as /etc/resolv.conf");
}

/* A crafted exit value: no undefined behaviour, and no invented errno. */
Test(audit_classify, exit_int64_min)
{
	struct coll *c =
		x86_64_send(42, "success=no exit=-9223372036854775808",
			    "020000357F3500010000000000000000", "\"resolvstale-live-dns\"");

	cr_assert_eq(c->n_got, 1);
	cr_assert(c->got[0].err >= 0 && c->got[0].err <= 4095, "err %d", c->got[0].err);
	/* The config path computes err the same way. */
	c = run_str("type=SYSCALL msg=audit(1700000013.000:1015): arch=c000003e syscall=262 "
		    "success=no exit=-9223372036854775808 a0=ffffff9c a1=0 a2=0 a3=0 "
		    "items=1 " SYSCALL_TAIL "key=\"resolvstale-live-conf\"\n"
		    "type=PATH msg=audit(1700000013.000:1015): item=0 name=\"/etc/resolv.conf\" "
		    "inode=915 nametype=NORMAL\n");
	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].type, RS_EV_CONFIG_STAT);
	cr_assert(c->got[0].err >= 0 && c->got[0].err <= 4095, "err %d", c->got[0].err);
}

Test(audit_classify, exit_outside_errno_range)
{
	/* -4294967297 is no errno: it must not become err 1 (EPERM). */
	struct coll *c =
		x86_64_send(42, "success=no exit=-4294967297", "020000357F3500010000000000000000",
			    "\"resolvstale-live-dns\"");

	cr_assert_eq(c->n_got, 1);
	cr_assert_eq(c->got[0].err, 0, "exit -4294967297 read as errno %d", c->got[0].err);
}
