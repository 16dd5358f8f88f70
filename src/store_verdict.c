/* The store's evidence, verdicts and lost events. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "resolvstale/store.h"
#include "store_internal.h"

#define PROC_COLUMNS                                                                               \
	"p.ppid, p.uid, p.comm, p.exe, p.cmdline, p.unit, p.user_unit, p.container_kind, "         \
	"p.container_id, p.pod_uid, p.start_ns, p.first_seen_ns, p.last_seen_ns, p.exit_ns, "      \
	"p.netns, p.config_domain, p.config_ns, p.runtime, p.reload_rule, p.runtime_detail"

#define EVIDENCE_SELECT                                                                            \
	"SELECT kind, source, dst, port, proto, syscall, inferred, first_ns, last_ns, count FROM " \
	"evidence WHERE generation = ?1 AND pid = ?2 AND starttime = ?3 ORDER BY first_ns, kind, " \
	"dst"
#define SEQ_SELECT                                                                                 \
	"SELECT seq_last_stale_ns, seq_new_after, seq_new_before, first_seen_ns FROM verdicts "    \
	"WHERE generation = ?1 AND pid = ?2 AND starttime = ?3"

static int prep(struct rs_store *st, const char *sql, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s, NULL);

	return rc == SQLITE_OK ? 0 : rs_store_sql_err(st, rc, "cannot prepare statements");
}

int rs_store_prepare_verdicts(struct rs_store *st)
{
	int r;

	r = prep(
		st,
		"INSERT OR REPLACE INTO evidence (generation, pid, starttime, kind, source, dst, "
		"port, proto, syscall, inferred, first_ns, last_ns, count) VALUES (?1, ?2, ?3, ?4, "
		"?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
		&st->put_ev);
	if (r == 0)
		r = prep(
			st,
			"INSERT OR REPLACE INTO verdicts (generation, pid, starttime, verdict, "
			"reason, decided_ns, first_seen_ns, last_stale_ns, stale_count, stale_dst, "
			"explicit_server, own_file_lists, exited, seq_last_stale_ns, "
			"seq_new_after, "
			"seq_new_before) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
			"?12, "
			"?13, ?14, ?15, ?16)",
			&st->put_verdict);
	if (r == 0)
		r = prep(
			st,
			"INSERT INTO processes (pid, starttime, start_ns, first_seen_ns, "
			"last_seen_ns, exit_ns, ppid, uid, auid, comm, exe, cmdline) VALUES (?1, "
			"?2, "
			"?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (pid, starttime) DO "
			"UPDATE SET last_seen_ns = max(last_seen_ns, excluded.last_seen_ns), "
			"start_ns = coalesce(start_ns, excluded.start_ns), "
			"exit_ns = coalesce(exit_ns, excluded.exit_ns), "
			"ppid = coalesce(ppid, excluded.ppid), uid = coalesce(uid, excluded.uid), "
			"auid = coalesce(auid, excluded.auid), comm = coalesce(comm, "
			"excluded.comm), "
			"exe = coalesce(exe, excluded.exe), "
			"cmdline = coalesce(cmdline, excluded.cmdline)",
			&st->touch_proc);
	if (r == 0)
		r = prep(st,
			 "INSERT INTO lost (generation, source, reason, count, events, first_ns, "
			 "last_ns) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5) ON CONFLICT (generation, "
			 "source, "
			 "reason) DO UPDATE SET count = count + excluded.count, events = events + "
			 "1, "
			 "last_ns = max(last_ns, excluded.last_ns)",
			 &st->add_lost);
	if (r == 0)
		r = prep(st, EVIDENCE_SELECT, &st->load_ev);
	if (r == 0)
		r = prep(st, SEQ_SELECT, &st->load_seq);
	return r;
}

void rs_store_finalize_verdicts(struct rs_store *st)
{
	sqlite3_finalize(st->put_ev);
	sqlite3_finalize(st->put_verdict);
	sqlite3_finalize(st->touch_proc);
	sqlite3_finalize(st->add_lost);
	sqlite3_finalize(st->load_ev);
	sqlite3_finalize(st->load_seq);
}

static int step_done(struct rs_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, what);
}

int rs_store_touch_process(struct rs_store *st, const struct rs_store_touch *t)
{
	sqlite3_stmt *s = st->touch_proc;
	int r = rs_store_begin(st);

	if (r < 0)
		return r;
	sqlite3_bind_int64(s, 1, t->pid);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)t->starttime);
	rs_store_bind_i64_or_null(s, 3, t->start_ns, t->start_ns != 0);
	sqlite3_bind_int64(s, 4, t->seen_ns);
	rs_store_bind_i64_or_null(s, 5, t->exit_ns, t->exit_ns != 0);
	rs_store_bind_i64_or_null(s, 6, t->ppid, t->ppid > 0);
	rs_store_bind_i64_or_null(s, 7, t->uid, t->uid >= 0);
	rs_store_bind_i64_or_null(s, 8, t->auid, t->auid >= 0);
	rs_store_bind_text(s, 9, t->comm);
	rs_store_bind_text(s, 10, t->exe);
	rs_store_bind_text(s, 11, t->cmdline);
	return step_done(st, s, "cannot record a process");
}

int rs_store_put_evidence(struct rs_store *st, int64_t generation, int32_t pid, uint64_t starttime,
			  const struct rs_evidence *e)
{
	sqlite3_stmt *s = st->put_ev;
	char dst[RS_ADDR_STRLEN] = "";
	int r = rs_store_begin(st);

	if (r < 0)
		return r;
	if (e->dst.family != 0)
		rs_addr_format(&e->dst, dst, sizeof(dst));
	sqlite3_bind_int64(s, 1, generation);
	sqlite3_bind_int64(s, 2, pid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)starttime);
	sqlite3_bind_text(s, 4, rs_ev_kind_name(e->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rs_source_name(e->source), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, dst, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 7, e->port);
	sqlite3_bind_text(s, 8,
			  e->kind == RS_EK_SEND || e->kind == RS_EK_SOCKET ? rs_proto_name(e->proto)
									   : "",
			  -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, e->syscall, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 10, e->inferred);
	sqlite3_bind_int64(s, 11, e->first_ns);
	sqlite3_bind_int64(s, 12, e->last_ns);
	sqlite3_bind_int64(s, 13, (sqlite3_int64)e->count);
	return step_done(st, s, "cannot record evidence");
}

int rs_store_put_verdict(struct rs_store *st, const struct rs_store_verdict *v)
{
	sqlite3_stmt *s = st->put_verdict;
	const struct rs_vresult *res = v->res;
	char dst[RS_ADDR_STRLEN];
	int r = rs_store_begin(st);

	if (r < 0)
		return r;
	sqlite3_bind_int64(s, 1, v->generation);
	sqlite3_bind_int64(s, 2, v->pid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)v->starttime);
	sqlite3_bind_text(s, 4, rs_verdict_name(res->verdict), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, res->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 6, v->decided_ns);
	sqlite3_bind_int64(s, 7, v->first_seen_ns);
	rs_store_bind_i64_or_null(s, 8, res->last_stale_ns, res->last_stale_ns != 0);
	sqlite3_bind_int64(s, 9, (sqlite3_int64)res->stale_count);
	if (res->stale_dst.family != 0)
		sqlite3_bind_text(s, 10, rs_addr_format(&res->stale_dst, dst, sizeof(dst)), -1,
				  SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 11, res->explicit_server);
	sqlite3_bind_int(s, 12, res->own_file_lists);
	sqlite3_bind_int(s, 13, v->exited);
	sqlite3_bind_int64(s, 14, v->seq ? v->seq->last_stale_ns : 0);
	sqlite3_bind_int64(s, 15, v->seq ? (sqlite3_int64)v->seq->new_after : 0);
	sqlite3_bind_int64(s, 16, v->seq ? (sqlite3_int64)v->seq->new_before : 0);
	return step_done(st, s, "cannot record a verdict");
}

int rs_store_add_lost(struct rs_store *st, int64_t generation, const char *source,
		      const char *reason, uint64_t count, int64_t time_ns)
{
	sqlite3_stmt *s = st->add_lost;
	int r = rs_store_begin(st);

	if (r < 0)
		return r;
	sqlite3_bind_int64(s, 1, generation);
	sqlite3_bind_text(s, 2, source ? source : "?", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, reason ? reason : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)count);
	sqlite3_bind_int64(s, 5, time_ns);
	return step_done(st, s, "cannot record lost events");
}

/* --- reading ------------------------------------------------------------------ */

static enum rs_source source_from(const char *s)
{
	for (int k = RS_SRC_CONFWATCH; s != NULL && k <= RS_SRC_REPLAY; k++)
		if (strcmp(s, rs_source_name((enum rs_source)k)) == 0)
			return (enum rs_source)k;
	return 0;
}

static enum rs_proto proto_from(const char *s)
{
	if (s != NULL && strcmp(s, "udp") == 0)
		return RS_PROTO_UDP;
	if (s != NULL && strcmp(s, "tcp") == 0)
		return RS_PROTO_TCP;
	return RS_PROTO_UNKNOWN;
}

static void row_to_evidence(sqlite3_stmt *s, int c, struct rs_evidence *e)
{
	const char *dst = rs_store_col_text(s, c + 2);

	memset(e, 0, sizeof(*e));
	e->kind = rs_ev_kind_from_name(rs_store_col_text(s, c));
	e->source = source_from(rs_store_col_text(s, c + 1));
	if (dst != NULL && dst[0] != '\0')
		(void)rs_addr_parse(dst, &e->dst);
	e->port = (uint16_t)sqlite3_column_int(s, c + 3);
	e->proto = proto_from(rs_store_col_text(s, c + 4));
	snprintf(e->syscall, sizeof(e->syscall), "%s",
		 rs_store_col_text(s, c + 5) ? rs_store_col_text(s, c + 5) : "");
	e->inferred = sqlite3_column_int(s, c + 6) != 0;
	e->first_ns = sqlite3_column_int64(s, c + 7);
	e->last_ns = sqlite3_column_int64(s, c + 8);
	e->count = (uint64_t)sqlite3_column_int64(s, c + 9);
}

static void bind_key(sqlite3_stmt *s, int64_t generation, int32_t pid, uint64_t starttime)
{
	sqlite3_bind_int64(s, 1, generation);
	sqlite3_bind_int64(s, 2, pid);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)starttime);
}

/* A statement prepared once (a writer's), or now (a reader's). */
static int stmt(struct rs_store *st, sqlite3_stmt *cached, const char *sql, sqlite3_stmt **out)
{
	int rc;

	if (cached != NULL) {
		sqlite3_reset(cached);
		sqlite3_clear_bindings(cached);
		*out = cached;
		return 0;
	}
	rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);
	return rc == SQLITE_OK ? 0 : rs_store_sql_err(st, rc, "cannot read evidence");
}

static void release(sqlite3_stmt *cached, sqlite3_stmt *s)
{
	if (s == cached)
		sqlite3_reset(s);
	else
		sqlite3_finalize(s);
}

int rs_store_foreach_evidence(struct rs_store *st, int64_t generation, int32_t pid,
			      uint64_t starttime, int (*fn)(void *ctx, const struct rs_evidence *e),
			      void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc, r;

	r = stmt(st, st->load_ev, EVIDENCE_SELECT, &s);
	if (r < 0)
		return r;
	bind_key(s, generation, pid, starttime);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct rs_evidence e;

		row_to_evidence(s, 0, &e);
		if (e.kind == 0)
			continue; /* written by a newer resolvstale */
		r = fn(ctx, &e);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = rs_store_sql_err(st, rc, "cannot read evidence");
	release(st->load_ev, s);
	return r;
}

int rs_store_load_state(struct rs_store *st, int64_t generation, int32_t pid, uint64_t starttime,
			int (*fn)(void *ctx, const struct rs_evidence *e), void *ctx,
			struct rs_vseq *seq, int64_t *first_seen_ns)
{
	sqlite3_stmt *s = NULL;
	int rc, r;

	r = rs_store_foreach_evidence(st, generation, pid, starttime, fn, ctx);
	if (r != 0)
		return r < 0 ? r : -EIO;
	r = stmt(st, st->load_seq, SEQ_SELECT, &s);
	if (r < 0)
		return r;
	bind_key(s, generation, pid, starttime);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		seq->last_stale_ns = sqlite3_column_int64(s, 0);
		seq->new_after = (uint64_t)sqlite3_column_int64(s, 1);
		seq->new_before = (uint64_t)sqlite3_column_int64(s, 2);
		*first_seen_ns = sqlite3_column_int64(s, 3);
		r = 1;
	} else {
		r = rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot read verdicts");
	}
	release(st->load_seq, s);
	return r;
}

static int64_t col_i64(sqlite3_stmt *s, int i, int64_t unknown)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? unknown : sqlite3_column_int64(s, i);
}

int rs_store_foreach_verdict(struct rs_store *st, int64_t generation,
			     int (*fn)(void *ctx, const struct rs_store_vrow *row), void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(
		st->db,
		"SELECT v.pid, v.starttime, v.verdict, v.reason, v.decided_ns, v.first_seen_ns, "
		"v.last_stale_ns, v.stale_count, v.stale_dst, v.explicit_server, v.own_file_lists, "
		"v.exited, " PROC_COLUMNS " FROM verdicts v LEFT JOIN processes p ON p.pid = v.pid "
		"AND p.starttime = v.starttime WHERE v.generation = ?1 ORDER BY CASE v.verdict "
		"WHEN 'stale' THEN 0 WHEN 'at-risk' THEN 1 WHEN 'recovered' THEN 2 WHEN "
		"'other-config' THEN 3 WHEN 'reloaded' THEN 4 ELSE 5 END, v.pid, v.starttime",
		-1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot read verdicts");
	sqlite3_bind_int64(s, 1, generation);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct rs_store_vrow v;
		const int p = 12;

		memset(&v, 0, sizeof(v));
		v.pid = (int32_t)sqlite3_column_int64(s, 0);
		v.starttime = (uint64_t)sqlite3_column_int64(s, 1);
		v.verdict = rs_verdict_from_name(rs_store_col_text(s, 2));
		v.reason = rs_store_col_text(s, 3);
		v.decided_ns = sqlite3_column_int64(s, 4);
		v.first_seen_ns = sqlite3_column_int64(s, 5);
		v.last_stale_ns = col_i64(s, 6, 0);
		v.stale_count = (uint64_t)sqlite3_column_int64(s, 7);
		v.stale_dst = rs_store_col_text(s, 8);
		v.explicit_server = sqlite3_column_int(s, 9) != 0;
		v.own_file_lists = sqlite3_column_int(s, 10) != 0;
		v.exited = sqlite3_column_int(s, 11) != 0;
		v.ppid = (int32_t)col_i64(s, p, -1);
		v.uid = col_i64(s, p + 1, -1);
		v.comm = rs_store_col_text(s, p + 2);
		v.exe = rs_store_col_text(s, p + 3);
		v.cmdline = rs_store_col_text(s, p + 4);
		v.unit = rs_store_col_text(s, p + 5);
		v.user_unit = sqlite3_column_int(s, p + 6) != 0;
		v.container_kind = rs_store_col_text(s, p + 7);
		v.container_id = rs_store_col_text(s, p + 8);
		v.pod_uid = rs_store_col_text(s, p + 9);
		v.start_ns = col_i64(s, p + 10, 0);
		v.first_seen_ns = col_i64(s, p + 11, v.first_seen_ns);
		v.last_seen_ns = col_i64(s, p + 12, 0);
		v.exit_ns = col_i64(s, p + 13, 0);
		v.netns = (uint64_t)col_i64(s, p + 14, 0);
		v.domain = rs_store_col_text(s, p + 15);
		v.config_ns = rs_store_col_text(s, p + 16);
		v.runtime = rs_store_col_text(s, p + 17);
		v.reload_rule = rs_store_col_text(s, p + 18);
		v.runtime_detail = rs_store_col_text(s, p + 19);
		if (v.verdict == RS_V_NONE)
			continue; /* written by a newer resolvstale */
		r = fn(ctx, &v);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = rs_store_sql_err(st, rc, "cannot read verdicts");
	sqlite3_finalize(s);
	return r;
}

int rs_store_verdict_counts(struct rs_store *st, int64_t generation, uint64_t counts[RS_V_COUNT])
{
	sqlite3_stmt *s = NULL;
	int rc;

	memset(counts, 0, sizeof(uint64_t) * RS_V_COUNT);
	rc = sqlite3_prepare_v2(
		st->db,
		"SELECT verdict, count(*) FROM verdicts WHERE generation = ?1 GROUP "
		"BY verdict",
		-1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot count verdicts");
	sqlite3_bind_int64(s, 1, generation);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		counts[rs_verdict_from_name(rs_store_col_text(s, 0))] +=
			(uint64_t)sqlite3_column_int64(s, 1);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot count verdicts");
}

int rs_store_lost_summary(struct rs_store *st, int64_t generation, uint64_t *events, char *sources,
			  size_t len)
{
	sqlite3_stmt *s = NULL;
	size_t o = 0;
	int rc;

	*events = 0;
	if (len > 0)
		sources[0] = '\0';
	rc = sqlite3_prepare_v2(
		st->db,
		"SELECT source, sum(events), sum(count) FROM lost WHERE generation = "
		"?1 GROUP BY source ORDER BY source",
		-1, &s, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot read lost events");
	sqlite3_bind_int64(s, 1, generation);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		uint64_t ev = (uint64_t)sqlite3_column_int64(s, 1);
		uint64_t n = (uint64_t)sqlite3_column_int64(s, 2);

		*events += n > ev ? n : ev;
		if (o < len)
			o += (size_t)snprintf(sources + o, len - o, "%s%s", o ? " " : "",
					      rs_store_col_text(s, 0) ? rs_store_col_text(s, 0)
								      : "?");
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rs_store_sql_err(st, rc, "cannot read lost events");
}

int64_t rs_store_prune(struct rs_store *st, int64_t keep)
{
	static const char *const sql[] = {
		"DELETE FROM evidence WHERE generation < ?1",
		"DELETE FROM verdicts WHERE generation < ?1",
		"DELETE FROM lost WHERE generation < ?1",
		"DELETE FROM sockets WHERE generation < ?1",
		"DELETE FROM processes WHERE exit_ns IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
		"verdicts v WHERE v.pid = processes.pid AND v.starttime = processes.starttime) "
		"AND NOT EXISTS (SELECT 1 FROM sockets k WHERE k.pid = processes.pid AND "
		"k.starttime = processes.starttime)",
	};
	sqlite3_stmt *q = NULL;
	int64_t latest = -1, removed = 0;
	int rc, r;

	if (keep < 1)
		return -EINVAL;
	rc = sqlite3_prepare_v2(st->db, "SELECT max(number) FROM generations", -1, &q, NULL);
	if (rc != SQLITE_OK)
		return rs_store_sql_err(st, rc, "cannot prune");
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		latest = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (latest - keep + 1 <= 0)
		return 0;
	r = rs_store_begin(st);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		rc = sqlite3_prepare_v2(st->db, sql[i], -1, &q, NULL);
		if (rc != SQLITE_OK)
			return rs_store_sql_err(st, rc, "cannot prune");
		if (sqlite3_bind_parameter_count(q) > 0)
			sqlite3_bind_int64(q, 1, latest - keep + 1);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			return rs_store_sql_err(st, rc, "cannot prune");
		removed += sqlite3_changes(st->db);
	}
	return removed;
}
