/* The store's schema 4: evidence, verdicts, processes known from events, lost
 * events, pruning of old generations, and the migration from schema 3. Each
 * test gets a fresh directory under /tmp, removed at the end. */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/generation.h"
#include "resolvstale/sock.h"
#include "resolvstale/store.h"
#include "resolvstale/verdict.h"
#include "testutil.h"

#define SEC 1000000000LL
#define T   (1700000000LL * SEC)

static char dir[64];
static char db[128];
static char err[256];
static struct rs_store *st;

static void setup(void)
{
	strcpy(dir, "/tmp/rs-storev-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/state.db", dir);
	err[0] = '\0';
	st = NULL;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	rs_store_close(st);
	if (dir[0] == '/')
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(store_verdict, .init = setup, .fini = teardown);

/* --- helpers --------------------------------------------------------------- */

static struct rs_store *open_ok(enum rs_store_mode mode)
{
	struct rs_store *s = NULL;
	int r = rs_store_open(db, mode, &s, err, sizeof(err));

	cr_assert_eq(r, 0, "rs_store_open = %d: %s", r, err);
	return s;
}

static void open_writer(void)
{
	st = open_ok(RS_STORE_WRITE);
}

static void flush(void)
{
	cr_assert_eq(rs_store_flush(st), 0, "%s", rs_store_errmsg(st));
}

static void addr(struct rs_addr *a, const char *text)
{
	cr_assert_eq(rs_addr_parse(text, a), 0, "%s", text);
}

/* One integer from a query on a separate read-only connection. */
static int64_t sql_int(const char *query)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	int64_t v;

	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, query, -1, &s, NULL), SQLITE_OK, "%s: %s", query,
		     sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "%s", query);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

static void sql_exec(const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql,
		     msg ? msg : "?");
	sqlite3_close(h);
}

static struct rs_evidence ev_traffic(enum rs_ev_kind kind, const char *dst, enum rs_proto proto,
				     const char *syscall, int64_t first, int64_t last,
				     uint64_t count)
{
	struct rs_evidence e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.source = kind == RS_EK_SOCKET ? RS_SRC_PROCSCAN : RS_SRC_AUDIT;
	addr(&e.dst, dst);
	e.port = 53;
	e.proto = proto;
	snprintf(e.syscall, sizeof(e.syscall), "%s", syscall);
	e.first_ns = first;
	e.last_ns = last;
	e.count = count;
	return e;
}

static struct rs_evidence ev_config(enum rs_ev_kind kind, int64_t when)
{
	struct rs_evidence e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.source = RS_SRC_FANOTIFY;
	snprintf(e.syscall, sizeof(e.syscall), "fanotify");
	e.first_ns = e.last_ns = when;
	e.count = 1;
	return e;
}

static void assert_ev_eq(const struct rs_evidence *got, const struct rs_evidence *want)
{
	char a[RS_ADDR_STRLEN], b[RS_ADDR_STRLEN];

	cr_assert_eq(got->kind, want->kind);
	cr_assert_eq(got->source, want->source);
	cr_assert_eq(got->dst.family, want->dst.family);
	if (want->dst.family != 0)
		cr_assert(rs_addr_equal(&got->dst, &want->dst), "%s, want %s",
			  rs_addr_format(&got->dst, a, sizeof(a)),
			  rs_addr_format(&want->dst, b, sizeof(b)));
	cr_assert_eq(got->port, want->port);
	if (want->kind == RS_EK_SEND || want->kind == RS_EK_SOCKET)
		cr_assert_eq(got->proto, want->proto);
	cr_assert_str_eq(got->syscall, want->syscall);
	cr_assert_eq(got->inferred, want->inferred);
	cr_assert_eq(got->first_ns, want->first_ns);
	cr_assert_eq(got->last_ns, want->last_ns);
	cr_assert_eq(got->count, want->count);
}

struct evrows {
	struct rs_evidence e[16];
	size_t n;
	int stop_after; /* return 7 after this many; 0: never */
};

static int collect_ev(void *ctx, const struct rs_evidence *e)
{
	struct evrows *rows = ctx;

	cr_assert_lt(rows->n, 16);
	rows->e[rows->n++] = *e;
	return rows->stop_after != 0 && (int)rows->n >= rows->stop_after ? 7 : 0;
}

static void read_evidence(int64_t gen, int32_t pid, uint64_t starttime, struct evrows *rows)
{
	rows->n = 0;
	rows->stop_after = 0;
	cr_assert_eq(rs_store_foreach_evidence(st, gen, pid, starttime, collect_ev, rows), 0, "%s",
		     rs_store_errmsg(st));
}

struct vrow {
	struct rs_store_vrow v; /* strings below, copied */
	char reason[RS_VERDICT_REASON_MAX], comm[64], exe[64], cmdline[64], unit[64],
		stale_dst[RS_ADDR_STRLEN], domain[16], runtime[32];
	bool has_comm, has_exe, has_cmdline, has_unit, has_stale_dst;
};

struct vrows {
	struct vrow r[32];
	size_t n;
	int stop_after;
};

#define COPY(field)                                                                                \
	do {                                                                                       \
		x->has_##field = v->field != NULL;                                                 \
		snprintf(x->field, sizeof(x->field), "%s", v->field ? v->field : "");              \
	} while (0)

static int collect_v(void *ctx, const struct rs_store_vrow *v)
{
	struct vrows *rows = ctx;
	struct vrow *x;

	cr_assert_lt(rows->n, 32);
	x = &rows->r[rows->n++];
	memset(x, 0, sizeof(*x));
	x->v = *v;
	snprintf(x->reason, sizeof(x->reason), "%s", v->reason ? v->reason : "");
	snprintf(x->domain, sizeof(x->domain), "%s", v->domain ? v->domain : "");
	snprintf(x->runtime, sizeof(x->runtime), "%s", v->runtime ? v->runtime : "");
	COPY(comm);
	COPY(exe);
	COPY(cmdline);
	COPY(unit);
	COPY(stale_dst);
	return rows->stop_after != 0 && (int)rows->n >= rows->stop_after ? 7 : 0;
}

static void read_verdicts(int64_t gen, struct vrows *rows)
{
	rows->n = 0;
	rows->stop_after = 0;
	cr_assert_eq(rs_store_foreach_verdict(st, gen, collect_v, rows), 0, "%s",
		     rs_store_errmsg(st));
}

static const struct vrow *row_of(const struct vrows *rows, int32_t pid)
{
	for (size_t i = 0; i < rows->n; i++)
		if (rows->r[i].v.pid == pid)
			return &rows->r[i];
	cr_assert_fail("no verdict row for pid %d", pid);
	return NULL;
}

/* A verdict with simple values. */
static void put_verdict(int64_t gen, int32_t pid, uint64_t starttime, enum rs_verdict verdict)
{
	struct rs_vresult res;
	struct rs_vseq seq;
	struct rs_store_verdict v;

	memset(&res, 0, sizeof(res));
	res.verdict = verdict;
	snprintf(res.reason, sizeof(res.reason), "because %d", pid);
	memset(&seq, 0, sizeof(seq));
	memset(&v, 0, sizeof(v));
	v.generation = gen;
	v.pid = pid;
	v.starttime = starttime;
	v.res = &res;
	v.seq = &seq;
	v.decided_ns = T + 10 * SEC;
	v.first_seen_ns = T + SEC;
	cr_assert_eq(rs_store_put_verdict(st, &v), 0, "%s", rs_store_errmsg(st));
}

static void touch(int32_t pid, uint64_t starttime, int64_t seen, int64_t exit_ns)
{
	struct rs_store_touch t;

	memset(&t, 0, sizeof(t));
	t.pid = pid;
	t.starttime = starttime;
	t.seen_ns = seen;
	t.exit_ns = exit_ns;
	t.ppid = -1;
	t.uid = t.auid = -1;
	cr_assert_eq(rs_store_touch_process(st, &t), 0, "%s", rs_store_errmsg(st));
}

static void add_gen(int64_t number)
{
	struct rs_generation g;

	memset(&g, 0, sizeof(g));
	g.number = number;
	g.time_ns = T + number * 100 * SEC;
	g.path = (char *)"/etc/resolv.conf";
	addr(&g.ns[0], "198.51.100.1");
	g.n_ns = 1;
	g.writer.uid = g.writer.auid = -1;
	cr_assert_eq(rs_store_add_generation(st, &g), 0, "%s", rs_store_errmsg(st));
}

/* --- evidence ------------------------------------------------------------------ */

Test(store_verdict, evidence_round_trip)
{
	struct rs_evidence want[5];
	struct evrows rows;

	open_writer();
	want[0] = ev_traffic(RS_EK_SEND, "192.0.2.1", RS_PROTO_UDP, "sendto", T + 1, T + 9 * SEC,
			     123456789012ULL);
	want[0].inferred = true;
	want[1] = ev_traffic(RS_EK_SEND, "fe80::53%eth0", RS_PROTO_TCP, "connect", T + 2, T + 2, 1);
	want[2] = ev_traffic(RS_EK_SOCKET, "2001:db8::53", RS_PROTO_UDP, "", T + 3, T + 5, 2);
	want[3] = ev_config(RS_EK_OPEN, T + 4);
	want[4] = ev_config(RS_EK_STAT, T + 5);
	want[4].source = RS_SRC_EBPF;
	want[0].source = RS_SRC_REPLAY;
	for (int i = 4; i >= 0; i--)
		cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &want[i]), 0, "%s",
			     rs_store_errmsg(st));
	/* Rows of another process, starttime and generation. */
	cr_assert_eq(rs_store_put_evidence(st, 1, 11, 100, &want[0]), 0);
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 101, &want[0]), 0);
	cr_assert_eq(rs_store_put_evidence(st, 2, 10, 100, &want[0]), 0);
	flush();

	read_evidence(1, 10, 100, &rows);
	cr_assert_eq(rows.n, 5);
	for (size_t i = 0; i < 5; i++)
		assert_ev_eq(&rows.e[i], &want[i]); /* oldest first */
	read_evidence(3, 10, 100, &rows);
	cr_assert_eq(rows.n, 0);

	/* And from a reader. */
	cr_assert_eq(rs_store_close(st), 0);
	st = open_ok(RS_STORE_READ);
	read_evidence(1, 10, 100, &rows);
	cr_assert_eq(rows.n, 5);
	assert_ev_eq(&rows.e[0], &want[0]);
}

Test(store_verdict, evidence_rows_hold_absolute_values)
{
	struct rs_evidence e =
		ev_traffic(RS_EK_SEND, "192.0.2.1", RS_PROTO_UDP, "sendto", T + 1, T + 2, 5);
	struct evrows rows;

	open_writer();
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	e.last_ns = T + 3;
	e.count = 7;
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	read_evidence(1, 10, 100, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_eq(rows.e[0].count, 7);
	cr_assert_eq(rows.e[0].last_ns, T + 3);

	/* Every part of the key makes its own row. */
	e.inferred = true;
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	e.proto = RS_PROTO_TCP;
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	snprintf(e.syscall, sizeof(e.syscall), "sendmsg");
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	e.source = RS_SRC_FANOTIFY;
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	e.port = 5353;
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	addr(&e.dst, "192.0.2.2");
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	read_evidence(1, 10, 100, &rows);
	cr_assert_eq(rows.n, 7);
}

Test(store_verdict, evidence_callback_stops_early)
{
	struct rs_evidence e = ev_config(RS_EK_OPEN, T);
	struct evrows rows;

	open_writer();
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	e.kind = RS_EK_STAT;
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e), 0);
	rows.n = 0;
	rows.stop_after = 1;
	cr_assert_eq(rs_store_foreach_evidence(st, 1, 10, 100, collect_ev, &rows), 7);
	cr_assert_eq(rows.n, 1);
}

/* --- verdicts ------------------------------------------------------------------ */

Test(store_verdict, verdict_round_trip)
{
	struct rs_vresult res;
	struct rs_vseq seq;
	struct rs_store_verdict v;
	struct vrows rows;
	const struct vrow *x;
	uint64_t starttime = 0x7fffffffffffff00ULL;

	open_writer();
	memset(&res, 0, sizeof(res));
	res.verdict = RS_V_STALE;
	snprintf(res.reason, sizeof(res.reason), "sent to retired 192.0.2.1 \"quoted\"\n\x1b[31m");
	res.last_stale_ns = T + 9 * SEC;
	res.stale_count = 42;
	res.explicit_server = true;
	res.own_file_lists = true;
	addr(&res.stale_dst, "2001:db8::53");
	seq.last_stale_ns = T + 9 * SEC;
	seq.new_after = 3;
	seq.new_before = 2;
	memset(&v, 0, sizeof(v));
	v.generation = 5;
	v.pid = 4242;
	v.starttime = starttime;
	v.res = &res;
	v.seq = &seq;
	v.decided_ns = T + 10 * SEC;
	v.first_seen_ns = T + 2 * SEC;
	v.exited = true;
	cr_assert_eq(rs_store_put_verdict(st, &v), 0, "%s", rs_store_errmsg(st));
	flush();

	read_verdicts(5, &rows);
	cr_assert_eq(rows.n, 1);
	x = &rows.r[0];
	cr_assert_eq(x->v.pid, 4242);
	cr_assert_eq(x->v.starttime, starttime);
	cr_assert_eq(x->v.verdict, RS_V_STALE);
	cr_assert_str_eq(x->reason, res.reason);
	cr_assert_eq(x->v.decided_ns, T + 10 * SEC);
	cr_assert_eq(x->v.first_seen_ns, T + 2 * SEC, "no process row: the verdict's");
	cr_assert_eq(x->v.last_stale_ns, T + 9 * SEC);
	cr_assert_eq(x->v.stale_count, 42);
	cr_assert_str_eq(x->stale_dst, "2001:db8::53");
	cr_assert(x->v.explicit_server);
	cr_assert(x->v.own_file_lists);
	cr_assert(x->v.exited);
	/* Nothing known of the process. */
	cr_assert_eq(x->v.ppid, -1);
	cr_assert_eq(x->v.uid, -1);
	cr_assert_not(x->has_comm);
	cr_assert_not(x->has_exe);
	cr_assert_not(x->has_cmdline);
	cr_assert_not(x->has_unit);
	cr_assert_eq(x->v.start_ns, 0);
	cr_assert_eq(x->v.exit_ns, 0);

	/* The sequence comes back through load_state. */
	{
		struct rs_vseq got;
		int64_t first = 0;
		struct evrows evs = {.n = 0};

		memset(&got, 0, sizeof(got));
		cr_assert_eq(
			rs_store_load_state(st, 5, 4242, starttime, collect_ev, &evs, &got, &first),
			1);
		cr_assert_eq(got.last_stale_ns, T + 9 * SEC);
		cr_assert_eq(got.new_after, 3);
		cr_assert_eq(got.new_before, 2);
		cr_assert_eq(first, T + 2 * SEC);
		cr_assert_eq(evs.n, 0);
	}

	read_verdicts(4, &rows);
	cr_assert_eq(rows.n, 0);
}

Test(store_verdict, verdict_without_stale_evidence_has_null_fields)
{
	struct vrows rows;

	open_writer();
	put_verdict(1, 10, 100, RS_V_AT_RISK);
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_eq(rows.r[0].v.last_stale_ns, 0);
	cr_assert_eq(rows.r[0].v.stale_count, 0);
	cr_assert_not(rows.r[0].has_stale_dst);
	cr_assert_not(rows.r[0].v.explicit_server);
	cr_assert_not(rows.r[0].v.exited);
}

Test(store_verdict, verdict_is_replaced)
{
	struct vrows rows;

	open_writer();
	put_verdict(1, 10, 100, RS_V_STALE);
	put_verdict(1, 10, 100, RS_V_RECOVERED);
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_eq(rows.r[0].v.verdict, RS_V_RECOVERED);
}

Test(store_verdict, verdicts_are_ordered_by_urgency_then_pid)
{
	static const struct {
		int32_t pid;
		enum rs_verdict v;
	} in[] = {
		{9, RS_V_UNAFFECTED}, {8, RS_V_RELOADED}, {7, RS_V_OTHER_CONFIG},
		{6, RS_V_RECOVERED},  {5, RS_V_AT_RISK},  {4, RS_V_STALE},
		{3, RS_V_STALE},      {2, RS_V_AT_RISK},  {1, RS_V_UNAFFECTED},
	};
	static const int32_t want[] = {3, 4, 2, 5, 6, 7, 8, 1, 9};
	struct vrows rows;
	uint64_t counts[RS_V_COUNT];

	open_writer();
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		put_verdict(1, in[i].pid, 100, in[i].v);
	put_verdict(2, 1, 100, RS_V_STALE);
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 9);
	for (size_t i = 0; i < 9; i++)
		cr_assert_eq(rows.r[i].v.pid, want[i], "row %zu: pid %d, want %d", i,
			     rows.r[i].v.pid, want[i]);

	cr_assert_eq(rs_store_verdict_counts(st, 1, counts), 0);
	cr_assert_eq(counts[RS_V_NONE], 0);
	cr_assert_eq(counts[RS_V_STALE], 2);
	cr_assert_eq(counts[RS_V_AT_RISK], 2);
	cr_assert_eq(counts[RS_V_RECOVERED], 1);
	cr_assert_eq(counts[RS_V_OTHER_CONFIG], 1);
	cr_assert_eq(counts[RS_V_RELOADED], 1);
	cr_assert_eq(counts[RS_V_UNAFFECTED], 2);
	cr_assert_eq(rs_store_verdict_counts(st, 3, counts), 0);
	for (int v = 0; v < RS_V_COUNT; v++)
		cr_assert_eq(counts[v], 0);

	rows.n = 0;
	rows.stop_after = 2;
	cr_assert_eq(rs_store_foreach_verdict(st, 1, collect_v, &rows), 7);
	cr_assert_eq(rows.n, 2);
}

Test(store_verdict, verdicts_of_a_newer_resolvstale_are_skipped)
{
	struct vrows rows;
	uint64_t counts[RS_V_COUNT];

	open_writer();
	put_verdict(1, 10, 100, RS_V_STALE);
	flush();
	cr_assert_eq(rs_store_close(st), 0);
	st = NULL;
	sql_exec("INSERT INTO verdicts (generation, pid, starttime, verdict, reason, decided_ns, "
		 "first_seen_ns, stale_count, explicit_server, own_file_lists, exited, "
		 "seq_last_stale_ns, seq_new_after, seq_new_before) VALUES (1, 11, 100, "
		 "'haunted', '', 0, 0, 0, 0, 0, 0, 0, 0, 0)");
	open_writer();
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_eq(rows.r[0].v.pid, 10);
	cr_assert_eq(rs_store_verdict_counts(st, 1, counts), 0);
	cr_assert_eq(counts[RS_V_STALE], 1);
}

Test(store_verdict, load_state)
{
	struct rs_evidence e1 = ev_traffic(RS_EK_SEND, "192.0.2.1", RS_PROTO_UDP, "sendto",
					   T + 3 * SEC, T + 4 * SEC, 2);
	struct rs_evidence e2 = ev_config(RS_EK_OPEN, T + 5 * SEC);
	struct rs_vseq seq;
	struct evrows evs;
	int64_t first;

	open_writer();
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e1), 0);
	cr_assert_eq(rs_store_put_evidence(st, 1, 10, 100, &e2), 0);

	/* Evidence but no verdict yet. */
	evs.n = 0;
	evs.stop_after = 0;
	memset(&seq, 0, sizeof(seq));
	first = 0;
	cr_assert_eq(rs_store_load_state(st, 1, 10, 100, collect_ev, &evs, &seq, &first), 0);

	put_verdict(1, 10, 100, RS_V_STALE);
	evs.n = 0;
	cr_assert_eq(rs_store_load_state(st, 1, 10, 100, collect_ev, &evs, &seq, &first), 1);
	cr_assert_eq(evs.n, 2);
	assert_ev_eq(&evs.e[0], &e1);
	assert_ev_eq(&evs.e[1], &e2);
	cr_assert_eq(first, T + SEC);

	/* Nothing for another generation or process. */
	evs.n = 0;
	cr_assert_eq(rs_store_load_state(st, 2, 10, 100, collect_ev, &evs, &seq, &first), 0);
	cr_assert_eq(rs_store_load_state(st, 1, 10, 99, collect_ev, &evs, &seq, &first), 0);
	cr_assert_eq(evs.n, 0);
}

/* --- processes known from events ------------------------------------------------- */

Test(store_verdict, touch_process_fills_only_what_is_unknown)
{
	struct rs_store_touch t;
	struct vrows rows;
	const struct vrow *x;

	open_writer();
	memset(&t, 0, sizeof(t));
	t.pid = 20;
	t.starttime = 200;
	t.seen_ns = T + 10 * SEC;
	t.ppid = -1;
	t.uid = t.auid = -1;
	t.exe = "/bin/a";
	cr_assert_eq(rs_store_touch_process(st, &t), 0, "%s", rs_store_errmsg(st));

	t.start_ns = T - 100 * SEC;
	t.seen_ns = T + 20 * SEC;
	t.exit_ns = T + 30 * SEC;
	t.ppid = 7;
	t.uid = 1000;
	t.auid = 1000;
	t.comm = "a";
	t.exe = "/bin/b";
	t.cmdline = "a -x";
	cr_assert_eq(rs_store_touch_process(st, &t), 0);

	t.start_ns = T - 50 * SEC;
	t.seen_ns = T + 15 * SEC; /* older than what is known */
	t.exit_ns = T + 40 * SEC;
	t.ppid = 9;
	t.uid = 0;
	t.comm = "zzz";
	t.exe = "/bin/c";
	t.cmdline = "zzz";
	cr_assert_eq(rs_store_touch_process(st, &t), 0);

	put_verdict(1, 20, 200, RS_V_STALE);
	flush();
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 1);
	x = &rows.r[0];
	cr_assert_str_eq(x->exe, "/bin/a", "a known exe is kept");
	cr_assert_str_eq(x->comm, "a", "an unknown comm is filled");
	cr_assert_str_eq(x->cmdline, "a -x");
	cr_assert_eq(x->v.ppid, 7);
	cr_assert_eq(x->v.uid, 1000);
	cr_assert_eq(x->v.start_ns, T - 100 * SEC);
	cr_assert_eq(x->v.exit_ns, T + 30 * SEC, "the first exit stays");
	cr_assert_eq(x->v.first_seen_ns, T + 10 * SEC);
	cr_assert_eq(x->v.last_seen_ns, T + 20 * SEC, "last_seen only grows");
	cr_assert_eq(sql_int("SELECT auid FROM processes WHERE pid = 20"), 1000);
	cr_assert_eq(sql_int("SELECT count(*) FROM processes"), 1);
}

Test(store_verdict, touch_does_not_overwrite_scanned_facts)
{
	struct rs_proc_facts f;
	struct rs_store_process p;
	struct rs_store_touch t;
	struct vrows rows;
	const struct vrow *x;

	open_writer();
	memset(&f, 0, sizeof(f));
	f.id.pid = 30;
	f.id.starttime = 300;
	f.id.ppid = 1;
	f.id.uid = 101;
	f.id.auid = -1;
	snprintf(f.id.comm, sizeof(f.id.comm), "real");
	f.id.exe = (char *)"/usr/sbin/real";
	f.cmdline = (char *)"real --daemon";
	snprintf(f.cg.unit, sizeof(f.cg.unit), "real.service");
	f.start_ns = T - 100 * SEC;
	f.domain = RS_DOMAIN_HOST;
	memset(&p, 0, sizeof(p));
	p.facts = &f;
	p.seen_ns = T + SEC;
	p.runtime = "glibc";
	p.reload_rule = "reloads-on-use";
	cr_assert_eq(rs_store_upsert_process(st, &p), 0, "%s", rs_store_errmsg(st));

	memset(&t, 0, sizeof(t));
	t.pid = 30;
	t.starttime = 300;
	t.start_ns = T + 999 * SEC;
	t.seen_ns = T + 5 * SEC;
	t.ppid = 77;
	t.uid = 0;
	t.auid = 0;
	t.comm = "fake";
	t.exe = "/tmp/fake";
	t.cmdline = "fake";
	cr_assert_eq(rs_store_touch_process(st, &t), 0);
	put_verdict(1, 30, 300, RS_V_RELOADED);
	read_verdicts(1, &rows);
	x = row_of(&rows, 30);
	cr_assert_str_eq(x->comm, "real");
	cr_assert_str_eq(x->exe, "/usr/sbin/real");
	cr_assert_str_eq(x->cmdline, "real --daemon");
	cr_assert_str_eq(x->unit, "real.service");
	cr_assert_str_eq(x->domain, "host");
	cr_assert_str_eq(x->runtime, "glibc");
	cr_assert_eq(x->v.ppid, 1);
	cr_assert_eq(x->v.uid, 101);
	cr_assert_eq(x->v.start_ns, T - 100 * SEC);
	cr_assert_eq(x->v.last_seen_ns, T + 5 * SEC);
	cr_assert_eq(x->v.exit_ns, 0);
}

/* --- lost events -------------------------------------------------------------------- */

Test(store_verdict, lost_events_aggregate_per_source_and_reason)
{
	uint64_t events = 99;
	char sources[64];

	open_writer();
	cr_assert_eq(rs_store_add_lost(st, 1, "fanotify", "queue overflow", 10, T + SEC), 0);
	cr_assert_eq(rs_store_add_lost(st, 1, "fanotify", "queue overflow", 5, T + 3 * SEC), 0);
	cr_assert_eq(rs_store_add_lost(st, 1, "fanotify", "queue overflow", 0, T + 2 * SEC), 0);
	cr_assert_eq(rs_store_add_lost(st, 1, "audit", "backlog", 0, T + 2 * SEC), 0);
	cr_assert_eq(rs_store_add_lost(st, 1, "audit", "backlog", 0, T + 4 * SEC), 0);
	cr_assert_eq(rs_store_add_lost(st, 1, "audit", "netlink ENOBUFS", 0, T + 4 * SEC), 0);
	cr_assert_eq(rs_store_add_lost(st, 2, "procscan", "slow", 1, T + 200 * SEC), 0);
	flush();

	cr_assert_eq(sql_int("SELECT count(*) FROM lost WHERE generation = 1"), 3);
	cr_assert_eq(sql_int("SELECT count FROM lost WHERE source = 'fanotify'"), 15);
	cr_assert_eq(sql_int("SELECT events FROM lost WHERE source = 'fanotify'"), 3);
	cr_assert_eq(sql_int("SELECT first_ns FROM lost WHERE source = 'fanotify'"), T + SEC);
	cr_assert_eq(sql_int("SELECT last_ns FROM lost WHERE source = 'fanotify'"), T + 3 * SEC);
	cr_assert_eq(sql_int("SELECT events FROM lost WHERE reason = 'backlog'"), 2);

	cr_assert_eq(rs_store_lost_summary(st, 1, &events, sources, sizeof(sources)), 0);
	/* fanotify: 15 events counted; audit: 3 notices of unknown size. */
	cr_assert_eq(events, 18);
	cr_assert_str_eq(sources, "audit fanotify");

	cr_assert_eq(rs_store_lost_summary(st, 2, &events, sources, sizeof(sources)), 0);
	cr_assert_eq(events, 1);
	cr_assert_str_eq(sources, "procscan");

	cr_assert_eq(rs_store_lost_summary(st, 3, &events, sources, sizeof(sources)), 0);
	cr_assert_eq(events, 0);
	cr_assert_str_eq(sources, "");
}

Test(store_verdict, lost_summary_respects_a_small_buffer)
{
	uint64_t events = 0;
	char *small = malloc(7);
	char none[1] = {'x'};

	cr_assert_not_null(small);
	open_writer();
	cr_assert_eq(rs_store_add_lost(st, 1, "fanotify", "overflow", 10, T), 0);
	cr_assert_eq(rs_store_add_lost(st, 1, "audit", "backlog", 1, T), 0);
	cr_assert_eq(rs_store_add_lost(st, 1, "procscan", "slow", 1, T), 0);
	cr_assert_eq(rs_store_lost_summary(st, 1, &events, small, 7), 0);
	cr_assert_eq(events, 12);
	cr_assert_lt(strlen(small), 7);
	cr_assert_eq(strncmp(small, "audit", 5), 0, "%s", small);
	free(small);

	cr_assert_eq(rs_store_lost_summary(st, 1, &events, none, 0), 0);
	cr_assert_eq(events, 12);
	cr_assert_eq(none[0], 'x', "len 0: nothing written");
}

/* --- pruning ------------------------------------------------------------------------- */

/* Generations 0..3, each with evidence, a verdict, a socket and a lost record
 * of process 100 + g (exited), plus processes that nothing refers to. */
static void populate_for_prune(void)
{
	struct rs_sock k;

	memset(&k, 0, sizeof(k));
	k.proto = RS_PROTO_UDP;
	k.family = AF_INET;
	addr(&k.local, "10.0.0.5");
	addr(&k.remote, "192.0.2.1");
	k.lport = 40000;
	k.rport = 53;
	k.state = 1;
	for (int g = 0; g < 4; g++) {
		struct rs_evidence e =
			ev_traffic(RS_EK_SEND, "192.0.2.1", RS_PROTO_UDP, "sendto",
				   T + g * 100 * SEC + 3 * SEC, T + g * 100 * SEC + 3 * SEC, 1);

		add_gen(g);
		touch(100 + g, 1000, T + g * 100 * SEC, T + g * 100 * SEC + 50 * SEC);
		cr_assert_eq(rs_store_put_evidence(st, g, 100 + g, 1000, &e), 0);
		put_verdict(g, 100 + g, 1000, RS_V_STALE);
		k.inode = 5000 + (uint64_t)g;
		cr_assert_eq(rs_store_upsert_socket(st, 100 + g, 1000, &k, 7, T + g * 100 * SEC, g),
			     0, "%s", rs_store_errmsg(st));
		cr_assert_eq(rs_store_add_lost(st, g, "fanotify", "overflow", 1, T + g * 100 * SEC),
			     0);
	}
	touch(300, 1000, T, 0);            /* alive, nothing refers to it: kept */
	touch(301, 1000, T, T + 10 * SEC); /* exited, nothing refers to it: removed */
	touch(302, 1000, T, T + 10 * SEC); /* exited, a kept verdict refers to it */
	put_verdict(3, 302, 1000, RS_V_UNAFFECTED);
	flush();
}

Test(store_verdict, prune_removes_old_generations_only)
{
	struct vrows rows;
	struct evrows evs;
	uint64_t events;
	char sources[32];
	int64_t removed;

	open_writer();
	populate_for_prune();
	cr_assert_eq(sql_int("SELECT count(*) FROM processes"), 7);

	removed = rs_store_prune(st, 2);
	/* 2 x (evidence, verdict, socket, lost) + processes 100, 101, 301 */
	cr_assert_eq(removed, 11, "%lld rows removed: %s", (long long)removed, rs_store_errmsg(st));
	flush();

	for (int g = 0; g < 4; g++) {
		bool kept = g >= 2;
		struct rs_generation gen;

		read_verdicts(g, &rows);
		cr_assert_eq(rows.n, g == 3 ? 2 : kept ? 1 : 0, "generation %d", g);
		read_evidence(g, 100 + g, 1000, &evs);
		cr_assert_eq(evs.n, kept ? 1 : 0, "generation %d", g);
		cr_assert_eq(rs_store_lost_summary(st, g, &events, sources, sizeof(sources)), 0);
		cr_assert_eq(events, kept ? 1 : 0, "generation %d", g);
		memset(&gen, 0, sizeof(gen));
		cr_assert_eq(rs_store_get_generation(st, g, &gen), 0,
			     "the generation %d itself stays", g);
		rs_generation_clear(&gen);
	}
	cr_assert_eq(sql_int("SELECT count(*) FROM sockets"), 2);
	cr_assert_eq(sql_int("SELECT min(generation) FROM sockets"), 2);
	cr_assert_eq(sql_int("SELECT count(*) FROM processes WHERE pid IN (100, 101, 301)"), 0);
	cr_assert_eq(sql_int("SELECT count(*) FROM processes WHERE pid IN (102, 103, 300, 302)"),
		     4);
	read_verdicts(3, &rows);
	cr_assert_str_eq(row_of(&rows, 103)->exe, "", "touch set no exe");
	cr_assert_eq(row_of(&rows, 103)->v.exit_ns, T + 350 * SEC, "its process row is kept");

	/* Again: nothing left to remove. */
	cr_assert_eq(rs_store_prune(st, 2), 0);
}

Test(store_verdict, prune_keeps_everything_within_keep)
{
	open_writer();
	populate_for_prune();
	cr_assert_eq(rs_store_prune(st, 4), 0);
	cr_assert_eq(rs_store_prune(st, 100), 0);
	flush();
	cr_assert_eq(sql_int("SELECT count(*) FROM verdicts"), 5);
	cr_assert_eq(sql_int("SELECT count(*) FROM evidence"), 4);
	cr_assert_eq(sql_int("SELECT count(*) FROM processes"), 7);
	cr_assert_eq(rs_store_prune(st, 0), -EINVAL);
	cr_assert_eq(rs_store_prune(st, -1), -EINVAL);
}

Test(store_verdict, prune_of_an_empty_store)
{
	open_writer();
	cr_assert_eq(rs_store_prune(st, 1), 0);
}

Test(store_verdict, prune_keep_one)
{
	open_writer();
	populate_for_prune();
	cr_assert_gt(rs_store_prune(st, 1), 0);
	flush();
	cr_assert_eq(sql_int("SELECT count(*) FROM verdicts"), 2);
	cr_assert_eq(sql_int("SELECT min(generation) FROM verdicts"), 3);
	cr_assert_eq(sql_int("SELECT count(*) FROM evidence"), 1);
	cr_assert_eq(sql_int("SELECT count(*) FROM lost"), 1);
}

/* --- migration ------------------------------------------------------------------------ */

Test(store_verdict, migrates_v3_to_v4_and_keeps_processes)
{
	struct rs_evidence e = ev_traffic(RS_EK_SEND, "192.0.2.1", RS_PROTO_UDP, "sendto",
					  T + 3 * SEC, T + 3 * SEC, 1);
	struct vrows rows;
	struct evrows evs;

	cr_assert_eq(rs_store_create_at_version(db, 3), 0);
	cr_assert_eq(sql_int("PRAGMA user_version"), 3);
	cr_assert_eq(sql_int("SELECT count(*) FROM sqlite_master WHERE name = 'verdicts'"), 0);
	sql_exec("INSERT INTO processes (pid, starttime, start_ns, first_seen_ns, last_seen_ns, "
		 "comm, exe, unit, config_domain) VALUES (55, 5500, 1, 2, 3, 'old', '/bin/old', "
		 "'old.service', 'host')");

	/* A reader does not upgrade. */
	{
		struct rs_store *r = (struct rs_store *)0x1;

		cr_assert_eq(rs_store_open(db, RS_STORE_READ, &r, err, sizeof(err)), -EPROTO);
		cr_assert_null(r);
		cr_assert_eq(sql_int("PRAGMA user_version"), 3);
	}

	open_writer();
	cr_assert_eq(rs_store_schema_version(st), 4);
	cr_assert_eq(RS_STORE_SCHEMA_VERSION, 4);
	cr_assert_eq(rs_store_put_evidence(st, 1, 55, 5500, &e), 0, "%s", rs_store_errmsg(st));
	put_verdict(1, 55, 5500, RS_V_STALE);
	cr_assert_eq(rs_store_add_lost(st, 1, "audit", "backlog", 0, T), 0);
	cr_assert_eq(rs_store_close(st), 0);
	st = NULL;

	cr_assert_eq(sql_int("PRAGMA user_version"), 4);
	st = open_ok(RS_STORE_READ);
	read_verdicts(1, &rows);
	cr_assert_eq(rows.n, 1);
	cr_assert_str_eq(rows.r[0].comm, "old");
	cr_assert_str_eq(rows.r[0].exe, "/bin/old");
	cr_assert_str_eq(rows.r[0].unit, "old.service");
	cr_assert_eq(rows.r[0].v.start_ns, 1);
	read_evidence(1, 55, 5500, &evs);
	cr_assert_eq(evs.n, 1);
	assert_ev_eq(&evs.e[0], &e);
}

Test(store_verdict, reader_cannot_write_verdicts)
{
	struct rs_evidence e = ev_config(RS_EK_OPEN, T);
	struct rs_vresult res;
	struct rs_store_verdict v;
	struct rs_store_touch t;

	open_writer();
	add_gen(0);
	cr_assert_eq(rs_store_close(st), 0);
	st = open_ok(RS_STORE_READ);
	cr_assert_eq(rs_store_put_evidence(st, 0, 1, 1, &e), -EROFS);
	memset(&res, 0, sizeof(res));
	res.verdict = RS_V_STALE;
	memset(&v, 0, sizeof(v));
	v.res = &res;
	cr_assert_eq(rs_store_put_verdict(st, &v), -EROFS);
	memset(&t, 0, sizeof(t));
	t.ppid = -1;
	t.uid = t.auid = -1;
	cr_assert_eq(rs_store_touch_process(st, &t), -EROFS);
	cr_assert_eq(rs_store_add_lost(st, 0, "audit", "x", 1, T), -EROFS);
	cr_assert_eq(rs_store_prune(st, 1), 0, "nothing to prune needs no write");
}
