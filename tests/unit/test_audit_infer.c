/* rs_audit_infer_*: sends on sockets connected earlier (no SOCKADDR record),
 * attributed to the destination of the last connect to port 53 on the same
 * (node, pid, fd). Audit text (shapes of tests/fixtures/audit/raw.log) goes
 * through rs_audit_feed; the callback runs rs_audit_classify, then
 * rs_audit_infer_apply, as replay does. The capacity tests build events by
 * hand: thousands of them. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>

#include "resolvstale/audit_rec.h"
#include "testutil.h"

#define MAX_GOT 64

/* One rs_event, copied out of the callback. */
struct got {
	uint64_t serial;
	enum rs_event_type type;
	enum rs_source source;
	int64_t time_ns;
	int32_t pid, ppid;
	int64_t uid, auid;
	char comm[64], exe[128], cmdline[128];
	char syscall[32];
	char dst[RS_ADDR_STRLEN];
	uint16_t port;
	enum rs_proto proto;
	int err;
	int64_t fd;
	bool inferred;
};

struct coll {
	struct rs_audit_infer *ai;
	struct rs_audit_match m;
	struct got got[MAX_GOT];
	size_t n_got;
	size_t n_events;
};

/* Freed by the suite's fini, which also runs when an assertion ends a test
 * early (LeakSanitizer would report every failed assertion as a leak). */
static struct coll *colls[8];
static size_t n_colls;
static struct rs_audit_feed *feed_open;
static struct rs_audit_event *hand_ev;
static bool releasing;

static void release_all(void)
{
	releasing = true;
	rs_audit_feed_free(feed_open);
	feed_open = NULL;
	for (size_t i = 0; i < n_colls; i++) {
		rs_audit_infer_free(colls[i]->ai);
		free(colls[i]);
	}
	n_colls = 0;
	free(hand_ev);
	hand_ev = NULL;
	releasing = false;
}

TestSuite(audit_infer, .fini = release_all);

static struct coll *coll_new(size_t capacity)
{
	struct coll *c = calloc(1, sizeof(*c));

	cr_assert_not_null(c);
	cr_assert_lt(n_colls, sizeof(colls) / sizeof(colls[0]));
	colls[n_colls++] = c;
	c->ai = rs_audit_infer_new(capacity);
	cr_assert_not_null(c->ai);
	c->m.target = "/etc/resolv.conf";
	c->m.our_keys = "resolvstale-live-";
	return c;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src != NULL ? src : "(NULL)");
}

static void keep(struct coll *c, const struct rs_event *out, size_t n, uint64_t serial)
{
	for (size_t i = 0; i < n; i++) {
		const struct rs_event *ev = &out[i];
		struct got *g;

		cr_assert_lt(c->n_got, MAX_GOT, "too many events");
		g = &c->got[c->n_got++];
		g->serial = serial;
		g->type = ev->type;
		g->source = ev->source;
		g->time_ns = ev->time_ns;
		g->pid = ev->proc.pid;
		g->ppid = ev->proc.ppid;
		g->uid = ev->proc.uid;
		g->auid = ev->proc.auid;
		copy_str(g->comm, sizeof(g->comm), ev->proc.comm);
		copy_str(g->exe, sizeof(g->exe), ev->proc.exe);
		copy_str(g->cmdline, sizeof(g->cmdline), ev->proc.cmdline);
		if (ev->type != RS_EV_DNS_SEND) {
			copy_str(g->syscall, sizeof(g->syscall), ev->u.config.syscall);
			continue;
		}
		copy_str(g->syscall, sizeof(g->syscall), ev->u.dns.syscall);
		rs_addr_format(&ev->u.dns.dst, g->dst, sizeof(g->dst));
		g->port = ev->u.dns.port;
		g->proto = ev->u.dns.proto;
		g->err = ev->u.dns.err;
		g->fd = ev->u.dns.fd;
		g->inferred = ev->u.dns.inferred;
	}
}

static void on_event(void *ctx, const struct rs_audit_event *ae)
{
	struct coll *c = ctx;
	struct rs_event out[4];
	size_t n;

	if (releasing)
		return;
	c->n_events++;
	n = rs_audit_classify(ae, &c->m, out, 4);
	n = rs_audit_infer_apply(c->ai, ae, out, n, 4);
	cr_assert_leq(n, 4);
	keep(c, out, n, ae->serial);
}

/* --- audit text, one event at a time ------------------------------------------ */

#define IDS                                                                                        \
	"auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) "      \
	"ses=4294967295"

#define X86_64 "c000003e"
#define I386   "40000003"
#define ARM    "40000028"

#define OLD_V4   "020000357F3500010000000000000000" /* 127.53.0.1:53 */
#define NEW_V4   "020000357F3500020000000000000000" /* 127.53.0.2:53 */
#define HTTPS_V4 "020001BB5DB8D8220000000000000000" /* 93.184.216.34:443 */
#define LO_V6    "0A000035000000000000000000000000000000000000000100000000"
#define MAPPED   "0A0000350000000000000000000000000000FFFF7F35000100000000"
#define UNSPEC   "00000000000000000000000000000000" /* connect(AF_UNSPEC) */

struct text {
	char buf[32768];
	size_t len;
	unsigned serial;
	unsigned ms;
};

/* One event: SYSCALL, SOCKADDR if saddr, PROCTITLE. result is
 * "success=yes exit=0" or the like; node "" for no prefix. */
static void ev_text(struct text *t, const char *node, const char *arch, int nr, const char *result,
		    uint64_t a0, int pid, const char *comm, const char *saddr)
{
	char pre[80] = "", m[64];
	int k;

	if (node[0] != '\0')
		snprintf(pre, sizeof(pre), "node=%s ", node);
	t->serial = t->serial ? t->serial + 1 : 301;
	t->ms += 10;
	snprintf(m, sizeof(m), "msg=audit(1795300400.%03u:%u):", t->ms, t->serial);
	k = snprintf(t->buf + t->len, sizeof(t->buf) - t->len,
		     "%stype=SYSCALL %s arch=%s syscall=%d %s a0=%llx a1=7ffd2c3e1a10 a2=10 a3=0 "
		     "items=0 ppid=9008 pid=%d " IDS " comm=\"%s\" exe=\"/usr/bin/%s\" "
		     "key=\"site-net\"\n",
		     pre, m, arch, nr, result, (unsigned long long)a0, pid, comm, comm);
	cr_assert_lt((size_t)k, sizeof(t->buf) - t->len);
	t->len += (size_t)k;
	if (saddr != NULL) {
		k = snprintf(t->buf + t->len, sizeof(t->buf) - t->len,
			     "%stype=SOCKADDR %s saddr=%s\n", pre, m, saddr);
		cr_assert_lt((size_t)k, sizeof(t->buf) - t->len);
		t->len += (size_t)k;
	}
	k = snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%stype=PROCTITLE %s proctitle=%s\n",
		     pre, m, "2F7573722F62696E2F707974686F6E33002F6F70742F70726F62652E7079");
	cr_assert_lt((size_t)k, sizeof(t->buf) - t->len);
	t->len += (size_t)k;
}

/* x86_64 shorthands */
#define OK         "success=yes exit=0"
#define SENT       "success=yes exit=35"
#define CONNECT    42
#define SENDTO     44
#define SENDMSG    46
#define SENDMMSG   307
#define WRITE      1
#define WRITEV     20
#define READ       0
#define RECVFROM   45
#define CLOSE      3
#define SETSOCKOPT 54

static void connect_to(struct text *t, int pid, uint64_t fd, const char *saddr)
{
	ev_text(t, "", X86_64, CONNECT, OK, fd, pid, "python3", saddr);
}

static void send_on(struct text *t, int pid, uint64_t fd)
{
	ev_text(t, "", X86_64, SENDTO, SENT, fd, pid, "python3", NULL);
}

static struct coll *run(struct text *t, size_t capacity)
{
	struct coll *c = coll_new(capacity);

	feed_open = rs_audit_feed_new(on_event, c);
	cr_assert_not_null(feed_open);
	cr_assert_eq(rs_audit_feed_text(feed_open, t->buf, t->len), 0);
	rs_audit_feed_flush(feed_open);
	rs_audit_feed_free(feed_open);
	feed_open = NULL;
	return c;
}

static size_t n_inferred(const struct coll *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_got; i++)
		n += c->got[i].type == RS_EV_DNS_SEND && c->got[i].inferred;
	return n;
}

/* The events of the audit event with this serial. */
static size_t of_serial(const struct coll *c, uint64_t serial, const struct got **first)
{
	size_t n = 0;

	*first = NULL;
	for (size_t i = 0; i < c->n_got; i++) {
		if (c->got[i].serial != serial)
			continue;
		if (n++ == 0)
			*first = &c->got[i];
	}
	return n;
}

static void assert_inferred(const struct coll *c, uint64_t serial, const char *dst,
			    const char *syscall)
{
	const struct got *g;

	cr_assert_eq(of_serial(c, serial, &g), 1, "serial %llu: one event",
		     (unsigned long long)serial);
	cr_assert_eq(g->type, RS_EV_DNS_SEND, "serial %llu", (unsigned long long)serial);
	cr_assert(g->inferred, "serial %llu: inferred", (unsigned long long)serial);
	cr_assert_str_eq(g->dst, dst, "serial %llu", (unsigned long long)serial);
	cr_assert_eq(g->port, 53);
	cr_assert_str_eq(g->syscall, syscall, "serial %llu", (unsigned long long)serial);
}

static void assert_nothing(const struct coll *c, uint64_t serial)
{
	const struct got *g;

	cr_assert_eq(of_serial(c, serial, &g), 0, "serial %llu: no event, got %s to %s",
		     (unsigned long long)serial, g ? g->syscall : "", g ? g->dst : "");
}

/* --- learn, infer, forget -------------------------------------------------------- */

Test(audit_infer, learn_then_infer_with_the_send_s_own_fields)
{
	struct text t = {0};
	const struct got *g;
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);                                      /* 301 */
	ev_text(&t, "", X86_64, SENDTO, SENT, 5, 9071, "probe-worker", NULL); /* 302 */
	c = run(&t, 16);

	cr_assert_eq(c->n_events, 2);
	cr_assert_eq(of_serial(c, 301, &g), 1);
	cr_assert_eq(g->type, RS_EV_DNS_SEND);
	cr_assert_not(g->inferred, "the connect itself is no inference");
	cr_assert_str_eq(g->syscall, "connect");

	assert_inferred(c, 302, "127.53.0.1", "sendto");
	of_serial(c, 302, &g);
	cr_assert_eq(g->source, RS_SRC_AUDIT);
	cr_assert_eq(g->proto, RS_PROTO_UNKNOWN);
	cr_assert_eq(g->fd, 5);
	cr_assert_eq(g->err, 0);
	cr_assert_eq(g->pid, 9071);
	cr_assert_eq(g->ppid, 9008);
	cr_assert_eq(g->uid, 0);
	cr_assert_eq(g->auid, 4294967295LL);
	/* Who and when: the send's, not the connect's. */
	cr_assert_str_eq(g->comm, "probe-worker");
	cr_assert_str_eq(g->exe, "/usr/bin/probe-worker");
	cr_assert_str_eq(g->cmdline, "/usr/bin/python3 /opt/probe.py");
	cr_assert_eq(g->time_ns, 1795300400020000000LL);

	const struct rs_audit_infer_stats *s = rs_audit_infer_stats(c->ai);
	cr_assert_eq(s->learned, 1);
	cr_assert_eq(s->inferred, 1);
	cr_assert_eq(s->forgotten, 0);
	cr_assert_eq(s->evicted, 0);
}

Test(audit_infer, every_send_while_connected)
{
	struct text t = {0};
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);
	for (int i = 0; i < 5; i++)
		send_on(&t, 9071, 5);
	c = run(&t, 16);
	cr_assert_eq(n_inferred(c), 5);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->inferred, 5);
}

Test(audit_infer, forgotten_at_a_connect_elsewhere)
{
	struct text t = {0};
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);   /* 301 */
	send_on(&t, 9071, 5);              /* 302 inferred */
	connect_to(&t, 9071, 5, HTTPS_V4); /* 303: fd 5 leads to port 443 now */
	send_on(&t, 9071, 5);              /* 304 */
	c = run(&t, 16);
	assert_inferred(c, 302, "127.53.0.1", "sendto");
	assert_nothing(c, 303);
	assert_nothing(c, 304);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->forgotten, 1);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->inferred, 1);
}

Test(audit_infer, forgotten_at_a_disconnect_and_a_connect_without_sockaddr)
{
	struct text t = {0};
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4); /* 301 */
	connect_to(&t, 9071, 5, UNSPEC); /* 302: connect(AF_UNSPEC) dissolves it */
	send_on(&t, 9071, 5);            /* 303 */
	connect_to(&t, 9071, 6, OLD_V4); /* 304 */
	connect_to(&t, 9071, 6, NULL);   /* 305: a connect whose address was not logged */
	send_on(&t, 9071, 6);            /* 306 */
	c = run(&t, 16);
	assert_nothing(c, 303);
	assert_nothing(c, 306);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->forgotten, 2);
}

Test(audit_infer, a_new_dns_connect_replaces_the_destination)
{
	struct text t = {0};
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);
	connect_to(&t, 9071, 5, NEW_V4);
	send_on(&t, 9071, 5); /* 303 */
	c = run(&t, 16);
	assert_inferred(c, 303, "127.53.0.2", "sendto");
	cr_assert_eq(rs_audit_infer_stats(c->ai)->learned, 2);
}

Test(audit_infer, ipv6_and_mapped_destinations)
{
	struct text t = {0};
	struct coll *c;

	connect_to(&t, 9071, 4, LO_V6);
	connect_to(&t, 9071, 5, MAPPED);
	send_on(&t, 9071, 4); /* 303 */
	send_on(&t, 9071, 5); /* 304 */
	c = run(&t, 16);
	assert_inferred(c, 303, "::1", "sendto");
	assert_inferred(c, 304, "::ffff:127.53.0.1", "sendto");
}

Test(audit_infer, connect_in_progress_is_learned)
{
	/* dig +tcp: connect returns EINPROGRESS (raw.log serial 211), then
	 * writes the query on the socket. */
	struct text t = {0};
	struct coll *c;

	ev_text(&t, "", X86_64, CONNECT, "success=no exit=-115", 0xe, 9052, "isc-net-0000",
		OLD_V4); /* 301 */
	ev_text(&t, "", X86_64, WRITEV, "success=yes exit=37", 0xe, 9052, "isc-net-0000",
		NULL); /* 302 */
	c = run(&t, 16);
	assert_inferred(c, 302, "127.53.0.1", "writev");
	cr_assert_eq(rs_audit_infer_stats(c->ai)->learned, 1);
}

Test(audit_infer, a_failed_send_keeps_its_errno)
{
	struct text t = {0};
	const struct got *g;
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);
	ev_text(&t, "", X86_64, SENDTO, "success=no exit=-111", 5, 9071, "python3", NULL);
	c = run(&t, 16);
	assert_inferred(c, 302, "127.53.0.1", "sendto");
	of_serial(c, 302, &g);
	cr_assert_eq(g->err, ECONNREFUSED);
}

/* --- who shares a mapping: nobody ------------------------------------------------ */

Test(audit_infer, no_cross_talk_between_pids)
{
	struct text t = {0};
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);   /* 301 P */
	send_on(&t, 9072, 5);              /* 302 Q, same fd number, never connected */
	connect_to(&t, 9072, 5, HTTPS_V4); /* 303 Q reconnects its fd 5: not P's */
	send_on(&t, 9071, 5);              /* 304 P: still known */
	connect_to(&t, 9072, 5, NEW_V4);   /* 305 Q to the new server */
	send_on(&t, 9072, 5);              /* 306 Q: the new server */
	send_on(&t, 9071, 5);              /* 307 P: still the old one */
	c = run(&t, 16);
	assert_nothing(c, 302);
	assert_inferred(c, 304, "127.53.0.1", "sendto");
	assert_inferred(c, 306, "127.53.0.2", "sendto");
	assert_inferred(c, 307, "127.53.0.1", "sendto");
	cr_assert_eq(rs_audit_infer_stats(c->ai)->forgotten, 0,
		     "a connect elsewhere on an fd nobody in that pid knew forgets nothing");
}

Test(audit_infer, no_cross_talk_between_fds)
{
	struct text t = {0};
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);
	send_on(&t, 9071, 6); /* 302 */
	send_on(&t, 9071, 4); /* 303 */
	send_on(&t, 9071, 5); /* 304 */
	c = run(&t, 16);
	assert_nothing(c, 302);
	assert_nothing(c, 303);
	assert_inferred(c, 304, "127.53.0.1", "sendto");
}

Test(audit_infer, no_cross_talk_between_nodes)
{
	struct text t = {0};
	struct coll *c;

	ev_text(&t, "alpha", X86_64, CONNECT, OK, 5, 9071, "python3", OLD_V4);  /* 301 */
	ev_text(&t, "beta", X86_64, SENDTO, SENT, 5, 9071, "python3", NULL);    /* 302 */
	ev_text(&t, "", X86_64, SENDTO, SENT, 5, 9071, "python3", NULL);        /* 303 */
	ev_text(&t, "beta", X86_64, CONNECT, OK, 5, 9071, "python3", HTTPS_V4); /* 304 */
	ev_text(&t, "alpha", X86_64, SENDTO, SENT, 5, 9071, "python3", NULL);   /* 305 */
	ev_text(&t, "", X86_64, CONNECT, OK, 5, 9071, "python3", NEW_V4);       /* 306 */
	ev_text(&t, "alpha", X86_64, SENDTO, SENT, 5, 9071, "python3", NULL);   /* 307 */
	ev_text(&t, "", X86_64, SENDTO, SENT, 5, 9071, "python3", NULL);        /* 308 */
	c = run(&t, 16);
	assert_nothing(c, 302);
	assert_nothing(c, 303);
	assert_inferred(c, 305, "127.53.0.1", "sendto");
	assert_inferred(c, 307, "127.53.0.1", "sendto");
	assert_inferred(c, 308, "127.53.0.2", "sendto");
}

/* --- which calls ------------------------------------------------------------------ */

Test(audit_infer, every_addressless_send)
{
	static const struct {
		const char *arch;
		int connect_nr, send_nr;
		const char *name;
	} calls[] = {
		{X86_64, CONNECT, SENDTO, "sendto"},
		{X86_64, CONNECT, SENDMSG, "sendmsg"},
		{X86_64, CONNECT, SENDMMSG, "sendmmsg"},
		{X86_64, CONNECT, WRITE, "write"},
		{X86_64, CONNECT, WRITEV, "writev"},
		{ARM, 283, 289, "send"},
		{ARM, 283, 290, "sendto"},
		{I386, 362, 369, "sendto"},
		{I386, 362, 345, "sendmmsg"},
		{I386, 362, 4, "write"},
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct text t = {0};
		struct coll *c;

		ev_text(&t, "", calls[i].arch, calls[i].connect_nr, OK, 7, 4242, "app", OLD_V4);
		ev_text(&t, "", calls[i].arch, calls[i].send_nr, SENT, 7, 4242, "app", NULL);
		c = run(&t, 16);
		cr_assert_eq(of_serial(c, 301, &(const struct got *){0}), 1,
			     "%s: the connect is a DNS send", calls[i].name);
		assert_inferred(c, 302, "127.53.0.1", calls[i].name);
		release_all();
	}
}

Test(audit_infer, other_calls_on_a_known_fd_are_not_sends)
{
	static const int nrs[] = {READ,       RECVFROM,         CLOSE,
				  SETSOCKOPT, 47 /* recvmsg */, 51 /* getsockname */};
	struct text t = {0};
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);
	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		ev_text(&t, "", X86_64, nrs[i], OK, 5, 9071, "python3", NULL);
	send_on(&t, 9071, 5); /* still known: none of them forgot it */
	c = run(&t, 16);
	cr_assert_eq(n_inferred(c), 1);
	assert_inferred(c, 301 + 1 + sizeof(nrs) / sizeof(nrs[0]), "127.53.0.1", "sendto");
}

Test(audit_infer, a_send_with_an_address_is_not_inferred)
{
	struct text t = {0};
	const struct got *g;
	struct coll *c;

	connect_to(&t, 9071, 5, OLD_V4);
	/* sendto with its own address on the connected UDP socket: the
	 * address logged is the one that counts. */
	ev_text(&t, "", X86_64, SENDTO, SENT, 5, 9071, "python3", NEW_V4);   /* 302 */
	ev_text(&t, "", X86_64, SENDTO, SENT, 5, 9071, "python3", HTTPS_V4); /* 303 */
	c = run(&t, 16);
	cr_assert_eq(of_serial(c, 302, &g), 1);
	cr_assert_not(g->inferred);
	cr_assert_str_eq(g->dst, "127.53.0.2");
	assert_nothing(c, 303);
}

Test(audit_infer, socketcall_is_not_followed)
{
	/* i386 socketcall: a0 is the call number (3 = connect), the fd is
	 * behind a1. Neither learned nor inferred. */
	struct text t = {0};
	const struct got *g;
	struct coll *c;

	ev_text(&t, "", I386, 102, OK, 3, 4242, "old32", OLD_V4);      /* 301 socketcall connect */
	ev_text(&t, "", I386, 102, SENT, 9, 4242, "old32", NULL);      /* 302 socketcall send */
	ev_text(&t, "", I386, 102, SENT, 11, 4242, "old32", NULL);     /* 303 socketcall sendto */
	ev_text(&t, "", X86_64, SENDTO, SENT, 3, 4242, "old32", NULL); /* 304: fd 3, not a call */
	ev_text(&t, "", I386, 369, SENT, 3, 4242, "old32", NULL);      /* 305 i386 sendto fd 3 */
	c = run(&t, 16);
	cr_assert_eq(of_serial(c, 301, &g), 1, "classify sees the socketcall connect");
	cr_assert_not(g->inferred);
	assert_nothing(c, 302);
	assert_nothing(c, 303);
	assert_nothing(c, 304);
	assert_nothing(c, 305);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->learned, 0);
}

Test(audit_infer, records_without_syscall)
{
	struct text t = {0};
	struct coll *c;
	static const char lone[] =
		"type=SOCKADDR msg=audit(1795300400.500:400): saddr=" OLD_V4 "\n"
		"type=USER_CMD msg=audit(1795300400.510:401): pid=9071 uid=0 auid=0 ses=1 "
		"msg='cwd=\"/\" cmd=\"true\" exe=\"/usr/bin/sudo\" terminal=pts/0 res=success'\n";

	connect_to(&t, 9071, 5, OLD_V4);
	memcpy(t.buf + t.len, lone, sizeof(lone) - 1);
	t.len += sizeof(lone) - 1;
	c = run(&t, 16);
	cr_assert_eq(c->n_events, 3);
	assert_nothing(c, 400);
	assert_nothing(c, 401);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->learned, 1);
}

/* --- by hand: the output array, the capacity --------------------------------------- */

static struct rs_audit_event *hand(void)
{
	if (hand_ev == NULL) {
		hand_ev = calloc(1, sizeof(*hand_ev));
		cr_assert_not_null(hand_ev);
	}
	memset(hand_ev, 0, sizeof(*hand_ev));
	hand_ev->has_syscall = true;
	hand_ev->success = true;
	hand_ev->ppid = 1;
	snprintf(hand_ev->comm, sizeof(hand_ev->comm), "app");
	return hand_ev;
}

static void hand_connect(struct rs_audit_infer *ai, int32_t pid, uint64_t fd, const char *dst,
			 uint16_t port)
{
	struct rs_audit_event *ae = hand();
	struct rs_event out[1];

	snprintf(ae->syscall, sizeof(ae->syscall), "connect");
	ae->pid = pid;
	ae->a0 = fd;
	ae->has_sockaddr = true;
	cr_assert_eq(rs_addr_parse(dst, &ae->addr), 0);
	ae->port = port;
	cr_assert_eq(rs_audit_infer_apply(ai, ae, out, 0, 1), 0, "a connect adds nothing");
}

/* Whether a send by pid on fd is inferred (and to where). */
static bool hand_send(struct rs_audit_infer *ai, int32_t pid, uint64_t fd, char *dst, size_t len)
{
	struct rs_audit_event *ae = hand();
	struct rs_event out[1];
	size_t n;

	snprintf(ae->syscall, sizeof(ae->syscall), "sendmmsg");
	ae->pid = pid;
	ae->a0 = fd;
	n = rs_audit_infer_apply(ai, ae, out, 0, 1);
	if (n == 1 && dst != NULL)
		rs_addr_format(&out[0].u.dns.dst, dst, len);
	return n == 1;
}

Test(audit_infer, full_output_array_is_left_alone)
{
	struct coll *c = coll_new(16);
	struct rs_audit_event *ae;
	struct rs_event out[2];

	hand_connect(c->ai, 9071, 5, "127.53.0.1", 53);
	ae = hand();
	snprintf(ae->syscall, sizeof(ae->syscall), "sendto");
	ae->pid = 9071;
	ae->a0 = 5;
	memset(out, 0xa5, sizeof(out));
	cr_assert_eq(rs_audit_infer_apply(c->ai, ae, out, 1, 1), 1, "n == max: nothing added");
	cr_assert_eq(((unsigned char *)&out[1])[0], 0xa5, "out[max] untouched");
	cr_assert_eq(rs_audit_infer_stats(c->ai)->inferred, 0);
	cr_assert_eq(rs_audit_infer_apply(c->ai, ae, out, 1, 2), 2, "room for one: added");
	cr_assert(out[1].u.dns.inferred);
	cr_assert_eq(out[1].type, RS_EV_DNS_SEND);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->inferred, 1);
}

Test(audit_infer, many_sockets_within_capacity)
{
	/* 1000 processes with 4 DNS sockets each in a table sized for them:
	 * every one is remembered. */
	struct coll *c = coll_new(65536);
	char dst[RS_ADDR_STRLEN];
	size_t found = 0;

	for (int32_t pid = 1000; pid < 2000; pid++)
		for (uint64_t fd = 3; fd < 7; fd++)
			hand_connect(c->ai, pid, fd, pid % 2 ? "127.53.0.1" : "::1", 53);
	for (int32_t pid = 1000; pid < 2000; pid++)
		for (uint64_t fd = 3; fd < 7; fd++)
			if (hand_send(c->ai, pid, fd, dst, sizeof(dst)) &&
			    strcmp(dst, pid % 2 ? "127.53.0.1" : "::1") == 0)
				found++;
	cr_assert_eq(found, 4000);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->evicted, 0);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->learned, 4000);
}

Test(audit_infer, capacity_evicts_the_least_recently_used)
{
	/* A small table (64 entries at least), 10000 sockets: A is used after
	 * every new one and stays; B, learned with A and never used again, goes. */
	struct coll *c = coll_new(64);
	const struct rs_audit_infer_stats *s = rs_audit_infer_stats(c->ai);
	char dst[RS_ADDR_STRLEN];
	size_t kept = 0;

	hand_connect(c->ai, 1, 5, "127.53.0.1", 53); /* A */
	hand_connect(c->ai, 2, 5, "127.53.0.2", 53); /* B */
	for (int32_t pid = 100; pid < 10100; pid++) {
		hand_connect(c->ai, pid, 3, "127.53.0.1", 53);
		cr_assert(hand_send(c->ai, 1, 5, dst, sizeof(dst)), "A lost after pid %d", pid);
		cr_assert_str_eq(dst, "127.53.0.1");
	}
	cr_assert_not(hand_send(c->ai, 2, 5, NULL, 0), "B, least recently used, evicted");
	cr_assert_eq(s->learned, 10002);
	cr_assert_gt(s->evicted, 0);
	/* What is left fits the capacity it was given, rounded up. */
	for (int32_t pid = 100; pid < 10100; pid++)
		kept += hand_send(c->ai, pid, 3, NULL, 0);
	cr_assert_leq(kept + 1, 128, "%zu entries kept for a capacity of 64", kept + 1);
	cr_assert_eq(s->learned - s->evicted, kept + 1 /* A */ + 0 /* B */,
		     "learned %llu, evicted %llu, kept %zu", (unsigned long long)s->learned,
		     (unsigned long long)s->evicted, kept + 1);
	/* The most recent one always stays. */
	cr_assert(hand_send(c->ai, 10099, 3, NULL, 0));
}

/* Evictions when learning `add` new sockets on top of `base` old ones, with
 * `churn` sockets learned and forgotten (reconnected elsewhere) in between. */
static uint64_t evictions_with_churn(size_t capacity, int base, int churn, int add)
{
	struct coll *c = coll_new(capacity);
	uint64_t before;

	for (int i = 0; i < base; i++)
		hand_connect(c->ai, 1000 + i, 5, "127.53.0.1", 53);
	for (int i = 0; i < churn; i++) {
		hand_connect(c->ai, 5000 + i, 5, "127.53.0.1", 53);
		hand_connect(c->ai, 5000 + i, 5, "93.184.216.34", 443);
	}
	before = rs_audit_infer_stats(c->ai)->evicted;
	for (int i = 0; i < add; i++)
		hand_connect(c->ai, 9000 + i, 5, "127.53.0.1", 53);
	cr_assert_eq(rs_audit_infer_stats(c->ai)->forgotten, (uint64_t)churn);
	return rs_audit_infer_stats(c->ai)->evicted - before;
}

Test(audit_infer, a_forgotten_entry_takes_no_room)
{
	/* The header: a connect elsewhere forgets the mapping, and the least
	 * recently used entry goes only for room. A forgotten entry holds no
	 * room: learning after churn evicts no more than learning without it
	 * (fewer, when the churn itself pushed old entries out). */
	for (int base = 8; base <= 48; base += 8) {
		uint64_t plain = evictions_with_churn(64, base, 0, 16);
		uint64_t churned = evictions_with_churn(64, base, 32, 16);
		cr_assert_leq(churned, plain,
			      "base %d: %llu evictions after 32 forgotten entries, %llu without",
			      base, (unsigned long long)churned, (unsigned long long)plain);
		release_all();
	}
}

/* A fixed-seed generator: the same sequence on every run. */
static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* Regression: a forgotten (free) slot must be reused before a live entry of
 * the same set is evicted. */
Test(audit_infer, nothing_evicted_while_few_are_remembered)
{
	/* Never more than 4 sockets remembered at once in a table for 64, but
	 * many learned and forgotten over time (fds reused): none may be
	 * evicted, every remembered one must still be known. */
	struct coll *c = coll_new(64);
	int32_t live[4];
	size_t n_live = 0;
	uint32_t seed = 20251122;
	int32_t next_pid = 100;

	for (int step = 0; step < 200000; step++) {
		if (n_live < 4 && (n_live == 0 || xorshift(&seed) % 2 == 0)) {
			live[n_live++] = next_pid;
			hand_connect(c->ai, next_pid++, 5, "127.53.0.1", 53);
		} else {
			size_t k = xorshift(&seed) % n_live;
			hand_connect(c->ai, live[k], 5, "93.184.216.34", 443);
			live[k] = live[--n_live];
		}
		cr_assert_eq(rs_audit_infer_stats(c->ai)->evicted, 0,
			     "step %d: an entry evicted with %zu remembered in a table for 64",
			     step, n_live);
	}
	for (size_t k = 0; k < n_live; k++)
		cr_assert(hand_send(c->ai, live[k], 5, NULL, 0));
}
