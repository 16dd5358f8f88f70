/* The verdict engine: event sequences in, verdicts out (DESIGN.md §5, §10).
 *
 * Suite "engine" runs without a store (memory only); suite "engine_store"
 * gives the engine a real store in a fresh directory under /tmp, removed at
 * the end, and reads back what rs_engine_tick() wrote. Time is never waited
 * for: every tick gets an explicit now_ns. */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/engine.h"
#include "resolvstale/event.h"
#include "resolvstale/generation.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sock.h"
#include "resolvstale/store.h"
#include "testutil.h"

#define SEC    1000000000LL
#define T      (1700000000LL * SEC) /* the change of generation 1 */
#define BOOT   (T - 1000 * SEC)
#define ST_OLD 50000ULL  /* clock ticks (100 Hz): started at T - 500 s */
#define ST_NEW 100100ULL /* started at T + 1 s */

#define RETIRED   "192.0.2.1"
#define RETIRED_L "127.0.0.53"
#define CURRENT   "198.51.100.1"

static struct rs_addr cur[1], ret[2];
static struct rs_engine *eng;
static struct rs_store *st;
static char dir[64], db[128], err[256];

/* What the callbacks saw and do. */
static int want_calls;
static int32_t want_pid[8];
static uint64_t want_st[8];
static bool want_feeds_facts;
static int alive_calls;
static int alive_ret;
static int32_t dead_pid; /* alive() answers 0 for this pid only, if set */

static void addr(struct rs_addr *a, const char *text)
{
	cr_assert_eq(rs_addr_parse(text, a), 0, "%s", text);
}

static void setup(void)
{
	addr(&cur[0], CURRENT);
	addr(&ret[0], RETIRED);
	addr(&ret[1], RETIRED_L);
	eng = NULL;
	st = NULL;
	dir[0] = '\0';
	want_calls = alive_calls = 0;
	want_feeds_facts = false;
	alive_ret = 1;
	dead_pid = 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	rs_engine_free(eng);
	rs_store_close(st);
	if (dir[0] == '/')
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup_store(void)
{
	setup();
	strcpy(dir, "/tmp/rs-engine-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/state.db", dir);
	cr_assert_eq(rs_store_open(db, RS_STORE_WRITE, &st, err, sizeof(err)), 0, "%s", err);
}

TestSuite(engine, .init = setup, .fini = teardown);
TestSuite(engine_store, .init = setup_store, .fini = teardown);

/* --- callbacks -------------------------------------------------------------- */

static void feed_info_full(int32_t pid, uint64_t starttime, int64_t t, enum rs_config_domain dom,
			   uint64_t netns, bool reads_once, int64_t start_ns);

static void want_facts(void *ctx, int32_t pid, uint64_t starttime)
{
	if (want_calls < 8) {
		want_pid[want_calls] = pid;
		want_st[want_calls] = starttime;
	}
	want_calls++;
	if (want_feeds_facts)
		feed_info_full(pid, starttime, T + 1 * SEC, RS_DOMAIN_HOST, 0, true, 0);
}

static int alive(void *ctx, int32_t pid, uint64_t starttime)
{
	alive_calls++;
	if (dead_pid != 0)
		return pid == dead_pid ? 0 : 1;
	return alive_ret;
}

/* --- helpers ------------------------------------------------------------------ */

/* Not NULL: see engine.no_extra_retired_is_null_safe. */
static struct rs_addr no_extra[1];

static void base_opts(struct rs_engine_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->extra_retired = no_extra;
	o->n_extra_retired = 0;
	o->grace_ns = 2 * SEC;
	o->boot_ns = BOOT;
	o->clk_tck = 100;
	o->store = st;
	o->want_facts = want_facts;
	o->alive = alive;
}

/* A new engine with generation 1 (change at T, retired RETIRED and RETIRED_L). */
static void start(const struct rs_engine_opts *o)
{
	cr_assert_eq(rs_engine_new(o, &eng), 0);
	cr_assert_not_null(eng);
	cr_assert_eq(rs_engine_set_generation(eng, 1, T, cur, 1, ret, 2), 0);
	cr_assert_eq(rs_engine_generation(eng), 1);
}

static void start_default(void)
{
	struct rs_engine_opts o;

	base_opts(&o);
	start(&o);
}

static struct rs_event event(enum rs_event_type type, int32_t pid, uint64_t starttime, int64_t t)
{
	struct rs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.source = RS_SRC_AUDIT;
	ev.time_ns = t;
	ev.proc.pid = pid;
	ev.proc.starttime = starttime;
	ev.proc.ppid = 1;
	ev.proc.uid = 1000;
	ev.proc.auid = 1000;
	ev.proc.comm = "client";
	ev.proc.exe = "/usr/bin/client";
	ev.proc.cmdline = "client --flag";
	return ev;
}

static void feed_send_exe(int32_t pid, uint64_t starttime, int64_t t, const char *dst,
			  const char *exe)
{
	struct rs_event ev = event(RS_EV_DNS_SEND, pid, starttime, t);

	ev.proc.exe = exe;
	addr(&ev.u.dns.dst, dst);
	ev.u.dns.port = 53;
	ev.u.dns.proto = RS_PROTO_UDP;
	ev.u.dns.syscall = "sendto";
	ev.u.dns.fd = -1;
	rs_engine_feed(eng, &ev);
}

static void feed_send(int32_t pid, uint64_t starttime, int64_t t, const char *dst)
{
	feed_send_exe(pid, starttime, t, dst, "/usr/bin/client");
}

static void feed_config(enum rs_event_type type, int32_t pid, uint64_t starttime, int64_t t)
{
	struct rs_event ev = event(type, pid, starttime, t);

	ev.source = RS_SRC_FANOTIFY;
	ev.u.config.path = "/etc/resolv.conf";
	ev.u.config.syscall = "openat";
	rs_engine_feed(eng, &ev);
}

static void feed_info_ns(int32_t pid, uint64_t starttime, int64_t t, enum rs_config_domain dom,
			 uint64_t netns, bool reads_once, int64_t start_ns, const char *config_ns)
{
	struct rs_event ev = event(RS_EV_PROCESS_INFO, pid, starttime, t);
	struct rs_proc_facts f;
	struct rs_runtime rt;

	ev.source = RS_SRC_PROCSCAN;
	memset(&f, 0, sizeof(f));
	f.id.pid = pid;
	f.id.starttime = starttime;
	f.id.ppid = 1;
	f.id.uid = 1000;
	f.id.auid = -1;
	snprintf(f.id.comm, sizeof(f.id.comm), "client");
	f.id.exe = (char *)"/usr/bin/client";
	f.cmdline = (char *)"client --flag";
	f.start_ns = start_ns;
	f.netns = netns;
	f.domain = dom;
	f.config_ns = (char *)config_ns;
	memset(&rt, 0, sizeof(rt));
	rt.kind = RS_RT_CARES;
	rt.primary.path = RS_PATH_CARES;
	rt.primary.rule = RS_RELOAD_READS_ONCE;
	ev.u.info.facts = &f;
	ev.u.info.runtime = reads_once ? &rt : NULL;
	rs_engine_feed(eng, &ev);
}

static void feed_info_full(int32_t pid, uint64_t starttime, int64_t t, enum rs_config_domain dom,
			   uint64_t netns, bool reads_once, int64_t start_ns)
{
	feed_info_ns(pid, starttime, t, dom, netns, reads_once, start_ns, NULL);
}

/* Facts of a host process whose resolver reads resolv.conf once. */
static void feed_info(int32_t pid, uint64_t starttime, int64_t t)
{
	feed_info_full(pid, starttime, t, RS_DOMAIN_HOST, 0, true, 0);
}

static void feed_exit(int32_t pid, uint64_t starttime, int64_t t)
{
	struct rs_event ev = event(RS_EV_PROCESS_EXIT, pid, starttime, t);

	rs_engine_feed(eng, &ev);
}

static struct rs_vresult verdict_of(int32_t pid, uint64_t starttime)
{
	struct rs_vresult r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = rs_engine_verdict(eng, pid, starttime, &r);
	cr_assert_eq(rc, 0, "rs_engine_verdict(%d, %llu) = %d", pid, (unsigned long long)starttime,
		     rc);
	return r;
}

static bool unknown(int32_t pid, uint64_t starttime)
{
	struct rs_vresult r;

	return rs_engine_verdict(eng, pid, starttime, &r) == -ENOENT;
}

#define assert_verdict_of(pid, starttime, want)                                                    \
	do {                                                                                       \
		struct rs_vresult r_ = verdict_of(pid, starttime);                                 \
		cr_assert_eq(r_.verdict, (want), "pid %d: %s, want %s (%s)", (int)(pid),           \
			     rs_verdict_name(r_.verdict), rs_verdict_name(want), r_.reason);       \
	} while (0)

static const struct rs_engine_stats *stats(void)
{
	return rs_engine_stats(eng);
}

static uint64_t count_of(enum rs_verdict v)
{
	uint64_t counts[RS_V_COUNT];

	rs_engine_counts(eng, counts);
	return counts[v];
}

/* Verdict rows of a generation, copied out of the callback. */
struct vrow {
	int32_t pid;
	uint64_t starttime;
	enum rs_verdict verdict;
	uint64_t stale_count;
	int64_t last_stale_ns, first_seen_ns, exit_ns;
	char stale_dst[RS_ADDR_STRLEN];
	char comm[RS_COMM_MAX], exe[64];
	bool exited;
};

struct vrows {
	struct vrow row[64];
	size_t n;
};

static int collect_vrow(void *ctx, const struct rs_store_vrow *v)
{
	struct vrows *rows = ctx;
	struct vrow *r;

	cr_assert_lt(rows->n, 64);
	r = &rows->row[rows->n++];
	memset(r, 0, sizeof(*r));
	r->pid = v->pid;
	r->starttime = v->starttime;
	r->verdict = v->verdict;
	r->stale_count = v->stale_count;
	r->last_stale_ns = v->last_stale_ns;
	r->first_seen_ns = v->first_seen_ns;
	r->exit_ns = v->exit_ns;
	r->exited = v->exited;
	snprintf(r->stale_dst, sizeof(r->stale_dst), "%s", v->stale_dst ? v->stale_dst : "");
	snprintf(r->comm, sizeof(r->comm), "%s", v->comm ? v->comm : "");
	snprintf(r->exe, sizeof(r->exe), "%s", v->exe ? v->exe : "");
	return 0;
}

static void read_verdicts(int64_t generation, struct vrows *rows)
{
	rows->n = 0;
	cr_assert_eq(rs_store_foreach_verdict(st, generation, collect_vrow, rows), 0, "%s",
		     rs_store_errmsg(st));
}

static const struct vrow *find_row(const struct vrows *rows, int32_t pid)
{
	for (size_t i = 0; i < rows->n; i++)
		if (rows->row[i].pid == pid)
			return &rows->row[i];
	cr_assert_fail("no verdict row for pid %d", pid);
	return NULL;
}

struct evrows {
	struct rs_evidence e[32];
	size_t n;
};

static int collect_ev(void *ctx, const struct rs_evidence *e)
{
	struct evrows *rows = ctx;

	cr_assert_lt(rows->n, 32);
	rows->e[rows->n++] = *e;
	return 0;
}

static void read_evidence(int64_t generation, int32_t pid, uint64_t starttime, struct evrows *rows)
{
	rows->n = 0;
	cr_assert_eq(rs_store_foreach_evidence(st, generation, pid, starttime, collect_ev, rows), 0,
		     "%s", rs_store_errmsg(st));
}

static const struct rs_evidence *find_ev(const struct evrows *rows, enum rs_ev_kind kind)
{
	for (size_t i = 0; i < rows->n; i++)
		if (rows->e[i].kind == kind)
			return &rows->e[i];
	cr_assert_fail("no %s row", rs_ev_kind_name(kind));
	return NULL;
}

static int tick(int64_t now)
{
	int r = rs_engine_tick(eng, now);

	cr_assert_geq(r, 0, "rs_engine_tick = %d (%s)", r, st ? rs_store_errmsg(st) : "");
	if (st != NULL)
		cr_assert_eq(rs_store_flush(st), 0, "%s", rs_store_errmsg(st));
	return r;
}

/* === memory only ============================================================ */

Test(engine, nothing_before_the_first_generation)
{
	struct rs_engine_opts o;
	uint64_t counts[RS_V_COUNT];

	base_opts(&o);
	cr_assert_eq(rs_engine_new(&o, &eng), 0);
	cr_assert_eq(rs_engine_generation(eng), -1);
	feed_send(100, ST_OLD, T + 5 * SEC, RETIRED);
	cr_assert(unknown(100, ST_OLD));
	cr_assert_eq(rs_engine_tick(eng, T + 6 * SEC), 0);
	cr_assert_eq(stats()->events, 1);
	cr_assert_eq(stats()->entries, 0);
	cr_assert_eq(want_calls, 0);
	rs_engine_counts(eng, counts);
	for (int v = 0; v < RS_V_COUNT; v++)
		cr_assert_eq(counts[v], 0);
}

Test(engine, no_extra_retired_is_null_safe)
{
	struct rs_engine_opts o;

	base_opts(&o);
	o.extra_retired = NULL; /* no --retired given */
	o.n_extra_retired = 0;
	/* Regression: NULL arrays with a count of 0 (no --retired, no current
	 * server) must not reach memcpy (UBSan: null pointer argument). */
	cr_assert_eq(rs_engine_new(&o, &eng), 0);
	cr_assert_eq(rs_engine_set_generation(eng, 1, T, NULL, 0, ret, 2), 0);
	feed_send(100, ST_OLD, T + 3 * SEC, RETIRED);
	assert_verdict_of(100, ST_OLD, RS_V_STALE);
}

Test(engine, rejects_too_many_extra_retired)
{
	struct rs_engine_opts o;
	static struct rs_addr many[RS_ENGINE_MAX_RETIRED + 1];

	base_opts(&o);
	o.extra_retired = many;
	o.n_extra_retired = RS_ENGINE_MAX_RETIRED + 1;
	eng = (struct rs_engine *)0x1;
	cr_assert_eq(rs_engine_new(&o, &eng), -E2BIG);
	cr_assert_null(eng);
}

Test(engine, events_before_the_change_are_late)
{
	start_default();
	feed_send(100, ST_OLD, T - 1, RETIRED);
	feed_info(101, ST_OLD, T - 5 * SEC);
	feed_config(RS_EV_CONFIG_OPEN, 102, ST_OLD, T - SEC);
	cr_assert_eq(stats()->late, 3);
	cr_assert_eq(stats()->events, 3);
	cr_assert_eq(stats()->entries, 0);
	cr_assert(unknown(100, ST_OLD));
	cr_assert(unknown(101, ST_OLD));
	cr_assert_eq(want_calls, 0);

	/* At T exactly it belongs to the new generation. */
	feed_send(100, ST_OLD, T, CURRENT);
	cr_assert_eq(stats()->late, 3);
	cr_assert_eq(stats()->entries, 1);
	assert_verdict_of(100, ST_OLD, RS_V_RELOADED);
}

Test(engine, events_without_a_process_are_ignored)
{
	start_default();
	feed_send(0, 0, T + 5 * SEC, RETIRED);
	feed_send(-3, ST_OLD, T + 5 * SEC, RETIRED);
	cr_assert_eq(stats()->entries, 0);
	cr_assert_eq(want_calls, 0);
}

Test(engine, send_to_retired_after_grace_is_stale)
{
	start_default();
	feed_send(100, ST_OLD, T + 1 * SEC, RETIRED); /* in flight */
	cr_assert_neq(verdict_of(100, ST_OLD).verdict, RS_V_STALE);
	feed_send(100, ST_OLD, T + 3 * SEC, RETIRED);
	{
		struct rs_vresult r = verdict_of(100, ST_OLD);

		cr_assert_eq(r.verdict, RS_V_STALE, "%s", r.reason);
		cr_assert_eq(r.last_stale_ns, T + 3 * SEC);
		cr_assert_geq(r.stale_count, 1);
		cr_assert(rs_addr_equal(&r.stale_dst, &ret[0]));
	}
	/* A process that only sent within the grace window is not stale. */
	feed_send(101, ST_OLD, T + 1 * SEC, RETIRED);
	cr_assert_neq(verdict_of(101, ST_OLD).verdict, RS_V_STALE);

	cr_assert_eq(count_of(RS_V_STALE), 0, "counts are those of the last tick");
	cr_assert_eq(tick(T + 4 * SEC), 0, "nothing is written without a store");
	cr_assert_eq(count_of(RS_V_STALE), 1);
	cr_assert_eq(stats()->entries, 2);
	cr_assert_eq(stats()->peak, 2);
	cr_assert_eq(stats()->events, 3);
}

Test(engine, mapped_ipv6_send_is_stale)
{
	start_default();
	feed_send(100, ST_OLD, T + 3 * SEC, "::ffff:192.0.2.1");
	{
		struct rs_vresult r = verdict_of(100, ST_OLD);

		cr_assert_eq(r.verdict, RS_V_STALE, "%s", r.reason);
		cr_assert_eq(r.stale_dst.family, AF_INET, "the engine keeps the IPv4 form");
	}
}

Test(engine, socket_seen_to_retired_is_stale)
{
	struct rs_event ev;
	struct rs_sock k;

	start_default();
	memset(&k, 0, sizeof(k));
	k.inode = 4711;
	k.proto = RS_PROTO_UDP;
	k.family = AF_INET;
	addr(&k.local, "10.0.0.5");
	addr(&k.remote, RETIRED);
	k.lport = 40000;
	k.rport = 53;
	k.state = 1;
	ev = event(RS_EV_SOCKET_SEEN, 100, ST_OLD, T + 5 * SEC);
	ev.source = RS_SRC_PROCSCAN;
	ev.u.socket.sock = &k;
	ev.u.socket.fd = 7;
	ev.u.socket.first = true;
	rs_engine_feed(eng, &ev);
	{
		struct rs_vresult r = verdict_of(100, ST_OLD);

		cr_assert_eq(r.verdict, RS_V_STALE, "%s", r.reason);
		cr_assert_not_null(strstr(r.reason, "socket"), "%s", r.reason);
	}
	/* A socket to another port is not DNS. */
	k.rport = 853;
	ev.proc.pid = 101;
	rs_engine_feed(eng, &ev);
	cr_assert_neq(verdict_of(101, ST_OLD).verdict, RS_V_STALE);
}

Test(engine, idle_reads_once_process_is_at_risk)
{
	start_default();
	feed_info(200, ST_OLD, T + 1 * SEC);
	assert_verdict_of(200, ST_OLD, RS_V_AT_RISK);
	/* Without a recognised runtime it is unaffected. */
	feed_info_full(201, ST_OLD, T + 1 * SEC, RS_DOMAIN_HOST, 0, false, 0);
	assert_verdict_of(201, ST_OLD, RS_V_UNAFFECTED);
	/* In another config domain it is other-config. */
	feed_info_full(202, ST_OLD, T + 1 * SEC, RS_DOMAIN_OTHER, 0, true, 0);
	assert_verdict_of(202, ST_OLD, RS_V_OTHER_CONFIG);
	/* PROCESS_INFO is no evidence: nobody is asked for facts. */
	cr_assert_eq(want_calls, 0);
}

Test(engine, start_comes_from_starttime_boot_and_clk_tck)
{
	struct rs_engine_opts o;

	base_opts(&o);
	o.clk_tck = 250;
	start(&o);
	/* 999 s after boot: one second before the change. */
	feed_info(300, 250 * 999, T + 1 * SEC);
	assert_verdict_of(300, 250 * 999, RS_V_AT_RISK);
	/* 1001 s after boot: one second after it. */
	feed_info(301, 250 * 1001, T + 2 * SEC);
	{
		struct rs_vresult r = verdict_of(301, 250 * 1001);

		cr_assert_eq(r.verdict, RS_V_UNAFFECTED, "%s", r.reason);
		cr_assert_not_null(strstr(r.reason, "started after"), "%s", r.reason);
	}
	/* And a process that started after the change and sends to a retired
	 * server was given it explicitly. */
	feed_send(301, 250 * 1001, T + 5 * SEC, RETIRED);
	{
		struct rs_vresult r = verdict_of(301, 250 * 1001);

		cr_assert_eq(r.verdict, RS_V_STALE, "%s", r.reason);
		cr_assert(r.explicit_server);
	}
}

Test(engine, facts_start_is_used_when_boot_time_is_unknown)
{
	struct rs_engine_opts o;

	base_opts(&o);
	o.boot_ns = 0;
	start(&o);
	feed_info_full(300, ST_NEW, T + 1 * SEC, RS_DOMAIN_HOST, 0, true, T - 100 * SEC);
	assert_verdict_of(300, ST_NEW, RS_V_AT_RISK);
	feed_info_full(301, ST_OLD, T + 1 * SEC, RS_DOMAIN_HOST, 0, true, T + 10 * SEC);
	assert_verdict_of(301, ST_OLD, RS_V_UNAFFECTED);
	/* Start unknown altogether: not provably alive before the change. */
	feed_info_full(302, ST_OLD, T + 1 * SEC, RS_DOMAIN_HOST, 0, true, 0);
	cr_assert_neq(verdict_of(302, ST_OLD).verdict, RS_V_AT_RISK);
}

/* --- synthetic identities ------------------------------------------------------- */

Test(engine, unknown_starttime_shares_an_identity_within_5s)
{
	start_default();
	feed_send_exe(400, 0, T + 3 * SEC, RETIRED, "/usr/bin/dig");
	feed_send_exe(400, 0, T + 6 * SEC, RETIRED, "/usr/bin/dig");
	feed_send_exe(400, 0, T + 7 * SEC, RETIRED, "/usr/bin/dig");
	cr_assert_eq(stats()->entries, 1);
	tick(T + 8 * SEC);
	cr_assert_eq(count_of(RS_V_STALE), 1);
	cr_assert_eq(want_calls, 0, "nobody can read the facts of a process that is gone");
}

Test(engine, unknown_starttime_with_another_exe_is_another_process)
{
	start_default();
	feed_send_exe(400, 0, T + 3 * SEC, RETIRED, "/usr/bin/dig");
	feed_send_exe(400, 0, T + 4 * SEC, RETIRED, "/usr/bin/host");
	cr_assert_eq(stats()->entries, 2);
	tick(T + 5 * SEC);
	cr_assert_eq(count_of(RS_V_STALE), 2);
}

Test(engine, unknown_starttime_after_a_gap_is_another_process)
{
	start_default();
	feed_send_exe(400, 0, T + 3 * SEC, RETIRED, "/usr/bin/dig");
	feed_send_exe(400, 0, T + 9 * SEC, RETIRED, "/usr/bin/dig");
	cr_assert_eq(stats()->entries, 2);
}

Test(engine, unknown_starttime_is_never_merged_with_a_known_one)
{
	start_default();
	feed_send(400, ST_OLD, T + 3 * SEC, CURRENT);
	feed_send(400, 0, T + 3 * SEC, RETIRED);
	cr_assert_eq(stats()->entries, 2);
	assert_verdict_of(400, ST_OLD, RS_V_RELOADED);
	cr_assert(unknown(400, 0), "the synthetic identity is not 0");
	tick(T + 4 * SEC);
	cr_assert_eq(count_of(RS_V_STALE), 1);
	cr_assert_eq(count_of(RS_V_RELOADED), 1);
}

/* --- callbacks ------------------------------------------------------------------ */

Test(engine, want_facts_is_called_once_per_new_process)
{
	start_default();
	feed_send(500, ST_OLD, T + 3 * SEC, RETIRED);
	feed_send(500, ST_OLD, T + 4 * SEC, RETIRED);
	feed_config(RS_EV_CONFIG_OPEN, 500, ST_OLD, T + 5 * SEC);
	cr_assert_eq(want_calls, 1);
	cr_assert_eq(want_pid[0], 500);
	cr_assert_eq(want_st[0], ST_OLD);
	feed_send(501, ST_NEW, T + 3 * SEC, CURRENT);
	feed_send(501, ST_NEW, T + 6 * SEC, CURRENT);
	cr_assert_eq(want_calls, 2);
	cr_assert_eq(want_pid[1], 501);
	cr_assert_eq(want_st[1], ST_NEW);
	/* Same pid, another starttime: another process. */
	feed_send(501, ST_NEW + 7, T + 7 * SEC, CURRENT);
	cr_assert_eq(want_calls, 3);
	cr_assert_eq(want_st[2], ST_NEW + 7);
}

Test(engine, want_facts_is_not_called_when_facts_came_first)
{
	start_default();
	feed_info(502, ST_OLD, T + 1 * SEC);
	feed_send(502, ST_OLD, T + 3 * SEC, CURRENT);
	cr_assert_eq(want_calls, 0);
}

Test(engine, want_facts_may_feed_process_info_back)
{
	start_default();
	want_feeds_facts = true;
	feed_send(503, ST_OLD, T + 1 * SEC, RETIRED); /* in flight: not stale */
	cr_assert_eq(want_calls, 1);
	assert_verdict_of(503, ST_OLD, RS_V_AT_RISK);
	feed_send(503, ST_OLD, T + 3 * SEC, RETIRED);
	cr_assert_eq(want_calls, 1);
	assert_verdict_of(503, ST_OLD, RS_V_STALE);
	cr_assert_eq(stats()->entries, 1);
}

Test(engine, alive_zero_marks_exited_after_exit_check)
{
	struct rs_engine_opts o;

	base_opts(&o);
	o.exit_check_ns = 1 * SEC;
	start(&o);
	alive_ret = 0;
	feed_info(600, ST_OLD, T + 2 * SEC);
	tick(T + 2 * SEC + SEC / 2);
	cr_assert_eq(alive_calls, 0, "checked less than exit_check_ns ago");
	cr_assert_eq(count_of(RS_V_AT_RISK), 1);
	assert_verdict_of(600, ST_OLD, RS_V_AT_RISK);

	tick(T + 3 * SEC + SEC / 2);
	cr_assert_eq(alive_calls, 1);
	assert_verdict_of(600, ST_OLD, RS_V_UNAFFECTED); /* exited idle */
	cr_assert_eq(count_of(RS_V_AT_RISK), 0);
	cr_assert_eq(count_of(RS_V_UNAFFECTED), 1);

	tick(T + 10 * SEC);
	cr_assert_eq(alive_calls, 1, "an exited process is not checked again");
	cr_assert_eq(stats()->entries, 1, "without a store nothing is evicted");
}

Test(engine, alive_unknown_or_running_keeps_the_process)
{
	struct rs_engine_opts o;

	base_opts(&o);
	o.exit_check_ns = 1 * SEC;
	start(&o);
	alive_ret = -ESRCH;
	feed_info(600, ST_OLD, T + 2 * SEC);
	tick(T + 4 * SEC);
	tick(T + 6 * SEC);
	cr_assert_eq(alive_calls, 2);
	assert_verdict_of(600, ST_OLD, RS_V_AT_RISK);
	alive_ret = 1;
	tick(T + 8 * SEC);
	cr_assert_eq(alive_calls, 3);
	assert_verdict_of(600, ST_OLD, RS_V_AT_RISK);
}

Test(engine, process_exit_event_marks_exited)
{
	start_default();
	feed_info(600, ST_OLD, T + 2 * SEC);
	assert_verdict_of(600, ST_OLD, RS_V_AT_RISK);
	feed_exit(600, ST_OLD, T + 3 * SEC);
	assert_verdict_of(600, ST_OLD, RS_V_UNAFFECTED);
	/* The exit of a process never seen creates nothing. */
	feed_exit(601, ST_OLD, T + 3 * SEC);
	cr_assert_eq(stats()->entries, 1);
	cr_assert(unknown(601, ST_OLD));
}

/* --- sequences ------------------------------------------------------------------ */

Test(engine, clean_switch_recovers_and_a_relapse_is_stale)
{
	start_default();
	feed_send(700, ST_OLD, T + 3 * SEC, RETIRED);
	assert_verdict_of(700, ST_OLD, RS_V_STALE);
	feed_send(700, ST_OLD, T + 5 * SEC, CURRENT);
	assert_verdict_of(700, ST_OLD, RS_V_RECOVERED);
	feed_send(700, ST_OLD, T + 7 * SEC, RETIRED);
	assert_verdict_of(700, ST_OLD, RS_V_STALE);
	feed_send(700, ST_OLD, T + 9 * SEC, CURRENT);
	{
		struct rs_vresult r = verdict_of(700, ST_OLD);

		cr_assert_eq(r.verdict, RS_V_STALE, "two paths stay stale: %s", r.reason);
		cr_assert_not_null(strstr(r.reason, "two resolver paths"), "%s", r.reason);
	}
}

Test(engine, current_then_retired_is_two_paths)
{
	start_default();
	feed_send(701, ST_OLD, T + 3 * SEC, CURRENT);
	feed_send(701, ST_OLD, T + 4 * SEC, RETIRED);
	feed_send(701, ST_OLD, T + 5 * SEC, CURRENT);
	assert_verdict_of(701, ST_OLD, RS_V_STALE);
}

Test(engine, stale_row_kept_when_a_current_send_arrives_out_of_order)
{
	start_default();
	feed_send(702, ST_OLD, T + 10 * SEC, RETIRED);
	feed_send(702, ST_OLD, T + 5 * SEC, CURRENT); /* happened earlier, reported later */
	assert_verdict_of(702, ST_OLD, RS_V_STALE);
}

Test(engine, config_open_after_the_change_is_reloaded)
{
	start_default();
	feed_info(703, ST_OLD, T + 1 * SEC);
	feed_config(RS_EV_CONFIG_STAT, 703, ST_OLD, T + 2 * SEC);
	assert_verdict_of(703, ST_OLD, RS_V_AT_RISK);
	feed_config(RS_EV_CONFIG_OPEN, 703, ST_OLD, T + 3 * SEC);
	assert_verdict_of(703, ST_OLD, RS_V_RELOADED);
}

/* --- loopback and network namespaces ------------------------------------------------- */

Test(engine, retired_loopback_counts_only_where_the_file_is_read)
{
	struct rs_engine_opts o;

	base_opts(&o);
	o.self_netns = 0xaaa;
	start(&o);
	/* A host process in namespace 0xbbb: that namespace reads the file. */
	feed_info_full(800, ST_OLD, T + 1 * SEC, RS_DOMAIN_HOST, 0xbbb, false, 0);
	feed_send(800, ST_OLD, T + 3 * SEC, RETIRED_L);
	assert_verdict_of(800, ST_OLD, RS_V_STALE);
	/* A container with its own file in 0xccc: its 127.0.0.53 is another server. */
	feed_info_full(801, ST_OLD, T + 1 * SEC, RS_DOMAIN_OTHER, 0xccc, false, 0);
	feed_send(801, ST_OLD, T + 3 * SEC, RETIRED_L);
	assert_verdict_of(801, ST_OLD, RS_V_OTHER_CONFIG);
	/* The daemon's own namespace reads the file. */
	feed_info_full(802, ST_OLD, T + 1 * SEC, RS_DOMAIN_UNKNOWN, 0xaaa, false, 0);
	feed_send(802, ST_OLD, T + 3 * SEC, RETIRED_L);
	assert_verdict_of(802, ST_OLD, RS_V_STALE);
	/* An unknown domain in an unknown namespace: not until a host process
	 * shows that namespace reads the file. */
	feed_info_full(803, ST_OLD, T + 1 * SEC, RS_DOMAIN_UNKNOWN, 0xddd, false, 0);
	feed_send(803, ST_OLD, T + 3 * SEC, RETIRED_L);
	cr_assert_neq(verdict_of(803, ST_OLD).verdict, RS_V_STALE);
	tick(T + 4 * SEC);
	cr_assert_eq(count_of(RS_V_STALE), 2);
	feed_info_full(804, ST_OLD, T + 5 * SEC, RS_DOMAIN_HOST, 0xddd, false, 0);
	tick(T + 6 * SEC); /* 803 is decided again */
	cr_assert_eq(count_of(RS_V_STALE), 3);
	assert_verdict_of(803, ST_OLD, RS_V_STALE);
	/* A process whose namespace could not be read: never host-wide. */
	feed_send(805, ST_OLD, T + 7 * SEC, RETIRED_L);
	cr_assert_neq(verdict_of(805, ST_OLD).verdict, RS_V_STALE);
}

/* --- the retired set ------------------------------------------------------------------ */

Test(engine, extra_retired_counts_and_current_is_never_retired)
{
	struct rs_engine_opts o;
	struct rs_addr extra[2], both[2];

	addr(&extra[0], "203.0.113.53");
	addr(&extra[1], CURRENT); /* a mistake: it is in force */
	base_opts(&o);
	o.extra_retired = extra;
	o.n_extra_retired = 2;
	cr_assert_eq(rs_engine_new(&o, &eng), 0);
	both[0] = ret[0];
	both[1] = cur[0];
	cr_assert_eq(rs_engine_set_generation(eng, 1, T, cur, 1, both, 2), 0);
	feed_send(900, ST_OLD, T + 3 * SEC, "203.0.113.53");
	assert_verdict_of(900, ST_OLD, RS_V_STALE);
	feed_send(901, ST_OLD, T + 3 * SEC, CURRENT);
	assert_verdict_of(901, ST_OLD, RS_V_RELOADED);
	feed_send(902, ST_OLD, T + 3 * SEC, RETIRED);
	assert_verdict_of(902, ST_OLD, RS_V_STALE);
}

Test(engine, set_generation_starts_afresh)
{
	struct rs_addr cur2[1], ret2[1];
	const int64_t t2 = T + 100 * SEC;

	start_default();
	feed_send(1000, ST_OLD, T + 3 * SEC, RETIRED);
	feed_send(1001, ST_OLD, T + 3 * SEC, CURRENT);
	cr_assert_eq(stats()->entries, 2);

	addr(&cur2[0], "203.0.113.1");
	ret2[0] = cur[0];
	cr_assert_eq(rs_engine_set_generation(eng, 2, t2, cur2, 1, ret2, 1), 0);
	cr_assert_eq(rs_engine_generation(eng), 2);
	cr_assert_eq(stats()->entries, 0);
	cr_assert(unknown(1000, ST_OLD));
	cr_assert(unknown(1001, ST_OLD));

	feed_send(1000, ST_OLD, T + 50 * SEC, RETIRED);
	cr_assert_eq(stats()->late, 1);
	cr_assert(unknown(1000, ST_OLD));

	/* 192.0.2.1 is not retired by generation 2: the retired set is the one given. */
	feed_send(1000, ST_OLD, t2 + 5 * SEC, RETIRED);
	cr_assert_neq(verdict_of(1000, ST_OLD).verdict, RS_V_STALE);
	feed_send(1001, ST_OLD, t2 + 5 * SEC, CURRENT);
	assert_verdict_of(1001, ST_OLD, RS_V_STALE);
	feed_send(1002, ST_OLD, t2 + 5 * SEC, "203.0.113.1");
	assert_verdict_of(1002, ST_OLD, RS_V_RELOADED);
	cr_assert_eq(want_calls, 5, "the new generation asks again");
}

/* --- bounds ------------------------------------------------------------------------- */

Test(engine, events_lost_are_counted)
{
	struct rs_event ev;

	start_default();
	ev = event(RS_EV_EVENTS_LOST, 0, 0, T + 3 * SEC);
	ev.source = RS_SRC_FANOTIFY;
	ev.u.lost.count = 12;
	ev.u.lost.reason = "fanotify queue overflow";
	rs_engine_feed(eng, &ev);
	rs_engine_feed(eng, &ev);
	cr_assert_eq(stats()->lost, 2);
	cr_assert_eq(stats()->entries, 0);
}

Test(engine, max_entries_bounds_memory)
{
	struct rs_engine_opts o;

	base_opts(&o);
	o.max_entries = 2;
	start(&o);
	feed_send(1100, ST_OLD, T + 3 * SEC, RETIRED);
	feed_send(1101, ST_OLD, T + 3 * SEC, RETIRED);
	cr_assert_eq(stats()->full, 0);
	feed_send(1102, ST_OLD, T + 3 * SEC, RETIRED);
	cr_assert_eq(stats()->full, 1);
	feed_send(1102, ST_OLD, T + 4 * SEC, RETIRED);
	cr_assert_eq(stats()->full, 2);
	cr_assert_eq(stats()->entries, 2);
	cr_assert_eq(stats()->peak, 2);
	cr_assert(unknown(1102, ST_OLD));
	cr_assert_eq(want_calls, 2);
	/* Known processes go on. */
	feed_send(1100, ST_OLD, T + 5 * SEC, RETIRED);
	cr_assert_eq(stats()->full, 2);
	assert_verdict_of(1100, ST_OLD, RS_V_STALE);
}

Test(engine, too_many_rows_are_counted)
{
	char dst[32];

	start_default();
	for (int i = 1; i <= 100; i++) {
		snprintf(dst, sizeof(dst), "10.0.%d.%d", i / 250, i % 250 + 1);
		feed_send(1200, ST_OLD, T + 3 * SEC + i, dst);
	}
	cr_assert_gt(stats()->rows_full, 0);
	cr_assert_lt(stats()->rows_full, 100);
	cr_assert_eq(stats()->entries, 1);
	(void)verdict_of(1200, ST_OLD);
}

/* A recursive resolver (unbound, named) sends to many authoritative servers on
 * port 53, and forwards a zone to the retired server. */
Test(engine, stale_send_after_many_other_destinations_is_stale)
{
	char dst[32];

	start_default();
	for (int i = 1; i <= 40; i++) {
		snprintf(dst, sizeof(dst), "203.0.113.%d", i + 100);
		feed_send(1201, ST_OLD, T + 3 * SEC + i, dst);
	}
	feed_send(1201, ST_OLD, T + 10 * SEC, RETIRED);
	/* Regression: with MAX_ROWS rows for other destinations (a recursive
	 * resolver), the send to a retired server still decides the verdict: it
	 * takes the place of a row that decides nothing. */
	assert_verdict_of(1201, ST_OLD, RS_V_STALE);
}

/* === with a store ========================================================== */

Test(engine_store, tick_writes_verdicts_and_evidence)
{
	struct vrows rows;
	struct evrows evs;
	uint64_t mem[RS_V_COUNT], db_counts[RS_V_COUNT];
	const struct vrow *v;
	const struct rs_evidence *e;

	start_default();
	feed_send(100, ST_OLD, T + 3 * SEC, RETIRED);
	feed_send(100, ST_OLD, T + 4 * SEC, RETIRED);
	feed_send(100, ST_OLD, T + 5 * SEC, RETIRED);
	feed_info(101, ST_OLD, T + 1 * SEC);
	feed_send(102, ST_OLD, T + 3 * SEC, CURRENT);
	feed_config(RS_EV_CONFIG_OPEN, 103, ST_OLD, T + 3 * SEC);
	feed_info(104, ST_NEW, T + 2 * SEC);

	cr_assert_eq(tick(T + 6 * SEC), 5);
	cr_assert_eq(stats()->writes, 5);
	cr_assert_eq(stats()->store_errors, 0);
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 5);
	for (size_t i = 0; i < rows.n; i++) {
		struct rs_vresult r = verdict_of(rows.row[i].pid, rows.row[i].starttime);

		cr_assert_eq(rows.row[i].verdict, r.verdict, "pid %d", rows.row[i].pid);
	}
	cr_assert_eq(find_row(&rows, 100)->verdict, RS_V_STALE);
	cr_assert_eq(find_row(&rows, 101)->verdict, RS_V_AT_RISK);
	cr_assert_eq(find_row(&rows, 102)->verdict, RS_V_RELOADED);
	cr_assert_eq(find_row(&rows, 103)->verdict, RS_V_RELOADED);
	cr_assert_eq(find_row(&rows, 104)->verdict, RS_V_UNAFFECTED);
	cr_assert_eq(rows.row[0].pid, 100, "stale first");

	v = find_row(&rows, 100);
	cr_assert_eq(v->starttime, ST_OLD);
	cr_assert_eq(v->stale_count, 3);
	cr_assert_eq(v->last_stale_ns, T + 5 * SEC);
	cr_assert_str_eq(v->stale_dst, RETIRED);
	cr_assert_str_eq(v->comm, "client");
	cr_assert_str_eq(v->exe, "/usr/bin/client");
	cr_assert_not(v->exited);

	rs_engine_counts(eng, mem);
	cr_assert_eq(rs_store_verdict_counts(st, 1, db_counts), 0);
	for (int k = 0; k < RS_V_COUNT; k++)
		cr_assert_eq(mem[k], db_counts[k], "%s: %llu in memory, %llu stored",
			     rs_verdict_name((enum rs_verdict)k), (unsigned long long)mem[k],
			     (unsigned long long)db_counts[k]);

	read_evidence(1, 100, ST_OLD, &evs);
	cr_assert_eq(evs.n, 1, "three sends, one row");
	e = &evs.e[0];
	cr_assert_eq(e->kind, RS_EK_SEND);
	cr_assert_eq(e->source, RS_SRC_AUDIT);
	cr_assert(rs_addr_equal(&e->dst, &ret[0]));
	cr_assert_eq(e->port, 53);
	cr_assert_eq(e->proto, RS_PROTO_UDP);
	cr_assert_str_eq(e->syscall, "sendto");
	cr_assert_eq(e->first_ns, T + 3 * SEC);
	cr_assert_eq(e->last_ns, T + 5 * SEC);
	cr_assert_eq(e->count, 3);
	read_evidence(1, 103, ST_OLD, &evs);
	cr_assert_eq(evs.n, 1);
	cr_assert_eq(evs.e[0].kind, RS_EK_OPEN);
	cr_assert_eq(evs.e[0].dst.family, 0);
	read_evidence(1, 101, ST_OLD, &evs);
	cr_assert_eq(evs.n, 0, "facts are no evidence");

	/* Nothing changed: nothing written. */
	cr_assert_eq(tick(T + 7 * SEC), 0);
	cr_assert_eq(stats()->writes, 5);
	/* One more send: that process only. */
	feed_send(100, ST_OLD, T + 8 * SEC, RETIRED);
	cr_assert_eq(tick(T + 9 * SEC), 1);
	read_evidence(1, 100, ST_OLD, &evs);
	cr_assert_eq(evs.n, 1);
	cr_assert_eq(evs.e[0].count, 4);
	cr_assert_eq(evs.e[0].last_ns, T + 8 * SEC);
}

Test(engine_store, unknown_starttime_is_stored_synthetic_and_exited)
{
	struct vrows rows;

	start_default();
	feed_send_exe(150, 0, T + 3 * SEC, RETIRED, "/usr/bin/dig");
	tick(T + 4 * SEC);
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_eq(rows.row[0].pid, 150);
	cr_assert_neq(rows.row[0].starttime & RS_ENGINE_SYNTHETIC, 0);
	cr_assert_eq(rows.row[0].verdict, RS_V_STALE);
	cr_assert(rows.row[0].exited);
}

/* A stale process that exits: written, evicted, and resumed by a late event. */
static void stale_then_evicted(int32_t pid)
{
	struct rs_engine_opts o;
	struct vrows rows;

	base_opts(&o);
	o.exit_check_ns = 1 * SEC;
	o.evict_after_ns = 5 * SEC;
	start(&o);
	alive_ret = 0;
	feed_send(pid, ST_OLD, T + 3 * SEC, RETIRED);
	feed_send(pid, ST_OLD, T + 3 * SEC + 1, RETIRED);
	tick(T + 3 * SEC + SEC / 2);
	cr_assert_eq(alive_calls, 0);
	tick(T + 4 * SEC + SEC / 2); /* exits */
	cr_assert_eq(alive_calls, 1);
	cr_assert_eq(stats()->evicted, 0, "kept evict_after_ns after its last activity");
	cr_assert_eq(stats()->entries, 1);
	tick(T + 9 * SEC);
	cr_assert_eq(stats()->evicted, 1);
	cr_assert_eq(stats()->entries, 0);
	cr_assert(unknown(pid, ST_OLD));
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_eq(rows.row[0].verdict, RS_V_STALE);
	cr_assert(rows.row[0].exited);
	cr_assert_eq(rows.row[0].stale_count, 2);
}

Test(engine_store, exited_process_is_evicted_and_late_event_reloads_it)
{
	struct evrows evs;
	struct vrows rows;

	stale_then_evicted(110);
	feed_config(RS_EV_CONFIG_STAT, 110, ST_OLD, T + 10 * SEC);
	cr_assert_eq(stats()->loaded, 1);
	cr_assert_eq(stats()->entries, 1);
	{
		struct rs_vresult r = verdict_of(110, ST_OLD);

		cr_assert_eq(r.verdict, RS_V_STALE, "%s", r.reason);
		cr_assert_eq(r.stale_count, 2);
		cr_assert_eq(r.last_stale_ns, T + 3 * SEC + 1);
	}

	/* A late stale send adds to the stored row, it does not replace it. */
	feed_send(110, ST_OLD, T + 5 * SEC, RETIRED);
	tick(T + 11 * SEC);
	read_evidence(1, 110, ST_OLD, &evs);
	cr_assert_eq(evs.n, 2);
	cr_assert_eq(find_ev(&evs, RS_EK_SEND)->count, 3);
	cr_assert_eq(find_ev(&evs, RS_EK_SEND)->first_ns, T + 3 * SEC);
	cr_assert_eq(find_ev(&evs, RS_EK_SEND)->last_ns, T + 5 * SEC);
	cr_assert_eq(find_ev(&evs, RS_EK_STAT)->count, 1);
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_eq(rows.row[0].verdict, RS_V_STALE);
	cr_assert_eq(rows.row[0].stale_count, 3);
}

Test(engine_store, late_events_after_eviction_keep_two_paths_stale)
{
	struct rs_engine_opts o;

	/* Reference: the same events without eviction are stale (a send to the
	 * current server, then one to the retired server again). */
	base_opts(&o);
	o.store = NULL;
	start(&o);
	feed_send(120, ST_OLD, T + 3 * SEC, RETIRED);
	feed_send(120, ST_OLD, T + 5 * SEC, CURRENT);
	feed_send(120, ST_OLD, T + 5 * SEC + SEC / 2, RETIRED);
	feed_send(120, ST_OLD, T + 5 * SEC + 4 * SEC / 5, CURRENT);
	assert_verdict_of(120, ST_OLD, RS_V_STALE);
	rs_engine_free(eng);
	eng = NULL;

	/* Now the process exits and is evicted after its first two sends; the
	 * last two arrive late (an audit backlog) and resume it from the store. */
	base_opts(&o);
	o.exit_check_ns = 1 * SEC;
	o.evict_after_ns = 5 * SEC;
	start(&o);
	alive_ret = 0;
	feed_send(120, ST_OLD, T + 3 * SEC, RETIRED);
	feed_send(120, ST_OLD, T + 5 * SEC, CURRENT);
	tick(T + 5 * SEC + SEC / 10);
	tick(T + 6 * SEC + SEC / 5); /* exits */
	tick(T + 20 * SEC);          /* evicted */
	cr_assert_eq(stats()->evicted, 1);
	feed_send(120, ST_OLD, T + 5 * SEC + SEC / 2, RETIRED);
	feed_send(120, ST_OLD, T + 5 * SEC + 4 * SEC / 5, CURRENT);
	cr_assert_eq(stats()->loaded, 1);
	/* Regression: after a reload the count of sends to current servers is
	 * rebuilt from the loaded rows, so a process with two resolver paths
	 * stays stale (not "recovered"). */
	assert_verdict_of(120, ST_OLD, RS_V_STALE);
}

Test(engine_store, set_generation_writes_the_previous_one)
{
	struct rs_addr cur2[1];
	struct vrows rows;

	start_default();
	feed_send(140, ST_OLD, T + 3 * SEC, RETIRED);
	feed_info(141, ST_OLD, T + 1 * SEC);
	addr(&cur2[0], "203.0.113.1");
	cr_assert_eq(rs_engine_set_generation(eng, 2, T + 100 * SEC, cur2, 1, cur, 1), 0);
	cr_assert_eq(rs_store_flush(st), 0);
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 2);
	cr_assert_eq(find_row(&rows, 140)->verdict, RS_V_STALE);
	cr_assert_eq(find_row(&rows, 141)->verdict, RS_V_AT_RISK);
	read_verdicts(2, &rows);
	cr_assert_eq(rows.n, 0);

	/* The same process in the new generation starts from nothing. */
	feed_send(140, ST_OLD, T + 105 * SEC, "203.0.113.1");
	cr_assert_eq(stats()->loaded, 0);
	assert_verdict_of(140, ST_OLD, RS_V_RELOADED);
	tick(T + 106 * SEC);
	read_verdicts(2, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_eq(rows.row[0].verdict, RS_V_RELOADED);
	read_verdicts(1, &rows);
	cr_assert_eq(find_row(&rows, 140)->verdict, RS_V_STALE, "generation 1 is final");
}

Test(engine_store, lost_events_are_recorded)
{
	struct rs_event ev;
	uint64_t events = 0;
	char sources[64];

	start_default();
	ev = event(RS_EV_EVENTS_LOST, 0, 0, T + 3 * SEC);
	ev.source = RS_SRC_FANOTIFY;
	ev.u.lost.count = 12;
	ev.u.lost.reason = "fanotify queue overflow";
	rs_engine_feed(eng, &ev);
	ev.u.lost.count = 3;
	rs_engine_feed(eng, &ev);
	tick(T + 4 * SEC);
	cr_assert_eq(rs_store_lost_summary(st, 1, &events, sources, sizeof(sources)), 0);
	cr_assert_eq(events, 15);
	cr_assert_str_eq(sources, "fanotify");
	cr_assert_eq(stats()->lost, 2);
}

Test(engine_store, full_table_evicts_exited_processes_then_counts_lost)
{
	struct rs_engine_opts o;
	uint64_t events = 0;
	char sources[64];

	base_opts(&o);
	o.max_entries = 2;
	o.exit_check_ns = 1 * SEC;
	o.evict_after_ns = 600 * SEC;
	start(&o);
	dead_pid = 130;
	feed_send(130, ST_OLD, T + 3 * SEC, RETIRED);
	feed_send(131, ST_OLD, T + 3 * SEC, RETIRED);
	tick(T + 5 * SEC); /* 130 exits and is written */
	cr_assert_eq(stats()->entries, 2);
	cr_assert_eq(stats()->evicted, 0);

	feed_send(132, ST_OLD, T + 6 * SEC, RETIRED);
	cr_assert_eq(stats()->full, 0, "an exited, written process made room");
	cr_assert_eq(stats()->evicted, 1);
	cr_assert_eq(stats()->entries, 2);
	assert_verdict_of(132, ST_OLD, RS_V_STALE);

	feed_send(133, ST_OLD, T + 6 * SEC, RETIRED);
	feed_send(133, ST_OLD, T + 7 * SEC, RETIRED);
	cr_assert_eq(stats()->full, 2);
	cr_assert(unknown(133, ST_OLD));
	tick(T + 8 * SEC);
	cr_assert_eq(rs_store_lost_summary(st, 1, &events, sources, sizeof(sources)), 0);
	cr_assert_geq(events, 2);
	cr_assert_not_null(strstr(sources, "engine"), "%s", sources);
}

Test(engine_store, evicted_unknown_starttime_process_keeps_its_evidence)
{
	struct evrows evs;

	start_default(); /* evict_after_ns 10 s */
	feed_send_exe(160, 0, T + 3 * SEC, RETIRED, "/usr/bin/dig");
	tick(T + 3 * SEC + SEC / 2);
	tick(T + 14 * SEC); /* exited from the start (starttime unreadable): evicted */
	cr_assert_eq(stats()->evicted, 1);
	/* A late event of the same process (same pid and exe, 3 s after the
	 * first): it shares the synthetic identity. */
	feed_send_exe(160, 0, T + 6 * SEC, RETIRED, "/usr/bin/dig");
	cr_assert_eq(stats()->entries, 1);
	tick(T + 15 * SEC);
	{
		struct vrows rows;

		read_verdicts(1, &rows);
		cr_assert_eq(rows.n, 1, "one process");
		read_evidence(1, 160, rows.row[0].starttime, &evs);
	}
	cr_assert_eq(evs.n, 1);
	/* Regression: a synthetic identity is loaded back from the store too,
	 * so the stored row (absolute values) is extended, not replaced. */
	cr_assert_eq(evs.e[0].count, 2, "count %llu: the stored row was replaced",
		     (unsigned long long)evs.e[0].count);
	cr_assert_eq(evs.e[0].first_ns, T + 3 * SEC);
}

/* --- rs_retired_collect ----------------------------------------------------------------- */

static void gen_fill(struct rs_generation *g, int64_t number, const char *ns, const char *retired)
{
	memset(g, 0, sizeof(*g));
	g->number = number;
	g->time_ns = T + number * 100 * SEC;
	g->path = (char *)"/etc/resolv.conf";
	g->id.state = RS_FILE_OK;
	cr_assert_geq(rs_addrs_split(ns, g->ns, RS_RC_MAXNS), 0);
	g->n_ns = (size_t)rs_addrs_split(ns, g->ns, RS_RC_MAXNS);
	g->n_retired = (size_t)rs_addrs_split(retired, g->retired, RS_RC_MAXNS);
	g->writer.uid = g->writer.auid = -1;
}

static bool has(const struct rs_addr *list, int n, const char *text)
{
	struct rs_addr a;

	addr(&a, text);
	for (int i = 0; i < n; i++)
		if (rs_addr_equal(&list[i], &a))
			return true;
	return false;
}

Test(engine_store, retired_collect_spans_every_earlier_generation)
{
	struct rs_generation g0, g1, g2;
	struct rs_addr extra[3], out[16];
	int n;

	gen_fill(&g0, 0, "192.0.2.1 192.0.2.2", "");
	gen_fill(&g1, 1, "192.0.2.2 192.0.2.3", "192.0.2.1");
	gen_fill(&g2, 2, "192.0.2.3 192.0.2.4", "192.0.2.2");
	cr_assert_eq(rs_store_add_generation(st, &g0), 0, "%s", rs_store_errmsg(st));
	cr_assert_eq(rs_store_add_generation(st, &g1), 0, "%s", rs_store_errmsg(st));
	cr_assert_eq(rs_store_add_generation(st, &g2), 0, "%s", rs_store_errmsg(st));
	cr_assert_eq(rs_store_flush(st), 0);

	addr(&extra[0], "203.0.113.5");
	addr(&extra[1], "::ffff:192.0.2.1"); /* the same server as 192.0.2.1 */
	addr(&extra[2], "192.0.2.3");        /* in force: never retired */
	n = rs_retired_collect(st, &g2, extra, 3, out, 16);
	cr_assert_eq(n, 3);
	cr_assert(has(out, n, "192.0.2.2"));
	cr_assert(has(out, n, "192.0.2.1"));
	cr_assert(has(out, n, "203.0.113.5"));
	for (int i = 0; i < n; i++)
		cr_assert_eq(out[i].family, AF_INET, "unmapped");

	cr_assert_eq(rs_retired_collect(st, &g2, extra, 3, out, 2), 2, "bounded by max");

	/* Without a store: the generation's own retired list and the extras. */
	n = rs_retired_collect(NULL, &g2, extra, 3, out, 16);
	cr_assert_eq(n, 3);
	cr_assert(has(out, n, "192.0.2.2"));
	cr_assert(has(out, n, "192.0.2.1"));
	cr_assert(has(out, n, "203.0.113.5"));

	/* The first generation retires nothing but the extras. */
	n = rs_retired_collect(st, &g0, extra, 1, out, 16);
	cr_assert_eq(n, 1);
	cr_assert(has(out, n, "203.0.113.5"));

	/* A generation that brings back an old server does not retire it. */
	{
		struct rs_generation g3;

		gen_fill(&g3, 3, "192.0.2.1", "192.0.2.3 192.0.2.4");
		n = rs_retired_collect(st, &g3, NULL, 0, out, 16);
		cr_assert_eq(n, 3);
		cr_assert(has(out, n, "192.0.2.2"));
		cr_assert(has(out, n, "192.0.2.3"));
		cr_assert(has(out, n, "192.0.2.4"));
	}
}

Test(engine_store, retired_collect_from_built_generations_feeds_the_engine)
{
	struct rs_generation g0, g1;
	struct rs_addr out[16];
	int n;

	gen_fill(&g0, 0, "192.0.2.1", "");
	gen_fill(&g1, 1, CURRENT, "");
	cr_assert_eq(rs_store_add_generation(st, &g0), 0, "%s", rs_store_errmsg(st));
	cr_assert_eq(rs_store_add_generation(st, &g1), 0, "%s", rs_store_errmsg(st));
	n = rs_retired_collect(st, &g1, NULL, 0, out, 16);
	cr_assert_eq(n, 1);

	{
		struct rs_engine_opts o;

		base_opts(&o);
		cr_assert_eq(rs_engine_new(&o, &eng), 0);
		cr_assert_eq(rs_engine_set_generation(eng, 1, g1.time_ns, g1.ns, g1.n_ns, out,
						      (size_t)n),
			     0);
	}
	feed_send(170, ST_OLD, g1.time_ns + 3 * SEC, RETIRED);
	assert_verdict_of(170, ST_OLD, RS_V_STALE);
}
