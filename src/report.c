/* `resolvstale report`: the compliance report in four formats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/escape.h"
#include "resolvstale/genrender.h"
#include "resolvstale/json.h"
#include "resolvstale/report.h"
#include "resolvstale/timefmt.h"

struct out {
	FILE *f;
	struct rs_sbuf sb;
	bool failed;
	bool color;
};

static void flush(struct out *o)
{
	if (rs_sbuf_failed(&o->sb) ||
	    (o->sb.len > 0 && fwrite(o->sb.buf, 1, o->sb.len, o->f) != o->sb.len))
		o->failed = true;
	rs_sbuf_reset(&o->sb);
}

static int finish(struct out *o)
{
	flush(o);
	if (fflush(o->f) != 0)
		o->failed = true;
	rs_sbuf_free(&o->sb);
	return o->failed ? -EIO : 0;
}

int rs_report_status(const struct rs_rdata *d, const struct rs_report_opts *o)
{
	if (o->format == RS_REPORT_NAGIOS) {
		if (!d->have_gen)
			return RS_NAGIOS_UNKNOWN;
		if (d->counting_stale > 0)
			return RS_NAGIOS_CRITICAL;
		if (d->gen.number == 0 && d->n_retired == 0)
			return RS_NAGIOS_OK;
		if ((!d->daemon_running && !d->offline) || !d->complete)
			return RS_NAGIOS_UNKNOWN;
		return d->counting_at_risk > 0 ? RS_NAGIOS_WARNING : RS_NAGIOS_OK;
	}
	switch (o->fail_on) {
	case RS_FAIL_STALE:
		return d->counting_stale > 0;
	case RS_FAIL_AT_RISK:
		return d->counting_stale + d->counting_at_risk > 0;
	case RS_FAIL_NEVER:
		break;
	}
	return 0;
}

static void addrs_text(struct rs_sbuf *sb, const struct rs_addr *a, size_t n)
{
	if (n == 0)
		rs_sbuf_puts(sb, "none");
	else
		rs_addrs_join(a, n, sb);
}

static void esc(struct rs_sbuf *sb, const char *s)
{
	if (s == NULL)
		rs_sbuf_putc(sb, '-');
	else
		rs_escape_text(sb, s, strlen(s));
}

/* --- JSON --------------------------------------------------------------------- */

struct evctx {
	struct rs_json *j;
	const struct rs_rdata *d;
};

static void json_time(struct rs_json *j, const char *key, int64_t ns)
{
	char t[RS_TIME_BUF];

	rs_json_key(j, key);
	if (ns == 0)
		rs_json_null(j);
	else
		rs_json_str(j, rs_time_rfc3339(ns, t, sizeof(t)));
}

static int json_evidence(void *ctx, const struct rs_evidence *e)
{
	struct evctx *c = ctx;
	struct rs_json *j = c->j;
	char a[RS_ADDR_STRLEN];

	rs_json_obj_begin(j);
	rs_json_kv_str(j, "kind", rs_ev_kind_name(e->kind));
	rs_json_kv_str(j, "source", rs_source_name(e->source));
	if (e->kind == RS_EK_SEND || e->kind == RS_EK_SOCKET) {
		rs_json_kv_str(j, "dst", rs_addr_format(&e->dst, a, sizeof(a)));
		rs_json_kv_uint(j, "port", e->port);
		rs_json_kv_str(j, "proto", rs_proto_name(e->proto));
		rs_json_kv_bool(j, "retired", rs_addr_in(&e->dst, c->d->retired, c->d->n_retired));
		if (e->inferred)
			rs_json_kv_bool(j, "inferred", true);
	}
	if (e->syscall[0] != '\0')
		rs_json_kv_str(j, "syscall", e->syscall);
	json_time(j, "first", e->first_ns);
	json_time(j, "last", e->last_ns);
	rs_json_kv_uint(j, "count", e->count);
	rs_json_obj_end(j);
	return 0;
}

static void json_str_or_null(struct rs_json *j, const char *key, const char *s)
{
	rs_json_key(j, key);
	if (s == NULL)
		rs_json_null(j);
	else
		rs_json_str(j, s);
}

static void json_process(struct out *o, struct rs_json *j, const struct rs_rdata *d,
			 const struct rs_rproc *p)
{
	const struct rs_store_vrow *v = &p->v;
	struct evctx ec = {j, d};

	rs_json_obj_begin(j);
	rs_json_kv_int(j, "pid", v->pid);
	rs_json_key(j, "starttime");
	if (v->starttime & RS_ENGINE_SYNTHETIC)
		rs_json_null(j);
	else
		rs_json_uint(j, v->starttime);
	json_str_or_null(j, "comm", v->comm);
	json_str_or_null(j, "exe", v->exe);
	json_str_or_null(j, "cmdline", v->cmdline);
	rs_json_key(j, "ppid");
	if (v->ppid > 0)
		rs_json_int(j, v->ppid);
	else
		rs_json_null(j);
	rs_json_key(j, "uid");
	if (v->uid >= 0)
		rs_json_int(j, v->uid);
	else
		rs_json_null(j);
	json_str_or_null(j, "unit", v->unit);
	if (v->unit != NULL)
		rs_json_kv_bool(j, "user_unit", v->user_unit);
	rs_json_key(j, "container");
	if (v->container_kind != NULL) {
		rs_json_obj_begin(j);
		rs_json_kv_str(j, "kind", v->container_kind);
		json_str_or_null(j, "id", v->container_id);
		if (v->pod_uid != NULL)
			rs_json_kv_str(j, "pod_uid", v->pod_uid);
		rs_json_obj_end(j);
	} else {
		rs_json_null(j);
	}
	rs_json_key(j, "alive");
	if (d->offline)
		rs_json_null(j); /* replayed: nobody knows */
	else
		rs_json_bool(j, p->alive);
	json_time(j, "started", v->start_ns);
	json_time(j, "first_seen", v->first_seen_ns);
	rs_json_kv_str(j, "config_domain", v->domain ? v->domain : "unknown");
	if (v->config_ns != NULL)
		rs_json_kv_str(j, "config_nameservers", v->config_ns);
	json_str_or_null(j, "runtime", v->runtime);
	json_str_or_null(j, "runtime_version",
			 v->runtime_detail && v->runtime_detail[0] ? v->runtime_detail : NULL);
	json_str_or_null(j, "reload_rule", v->reload_rule);
	rs_json_kv_str(j, "verdict", rs_verdict_name(v->verdict));
	rs_json_kv_str(j, "reason", v->reason ? v->reason : "");
	rs_json_kv_bool(j, "counts", p->counts);
	rs_json_key(j, "evidence");
	rs_json_arr_begin(j);
	if (rs_store_foreach_evidence(d->st, d->gen.number, v->pid, v->starttime, json_evidence,
				      &ec) < 0)
		o->failed = true;
	rs_json_arr_end(j);
	json_time(j, "last_stale", v->last_stale_ns);
	rs_json_kv_uint(j, "stale_count", v->stale_count);
	json_str_or_null(j, "stale_dst", v->stale_dst);
	rs_json_kv_bool(j, "explicit_server", v->explicit_server);
	rs_json_kv_bool(j, "own_file_lists", v->own_file_lists);
	rs_json_kv_str(j, "action", p->action);
	rs_json_obj_end(j);
}

static void json_addrs(struct rs_json *j, const char *key, const struct rs_addr *a, size_t n)
{
	char t[RS_ADDR_STRLEN];

	rs_json_key(j, key);
	rs_json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		rs_json_str(j, rs_addr_format(&a[i], t, sizeof(t)));
	rs_json_arr_end(j);
}

static void write_json(struct out *o, const struct rs_rdata *d, const struct rs_report_opts *ro)
{
	const struct rs_generation *g = &d->gen;
	struct rs_json j;

	rs_json_init(&j, &o->sb);
	rs_json_obj_begin(&j);
	rs_json_kv_int(&j, "schema", 1);
	rs_json_kv_str(&j, "host", d->host);
	json_time(&j, "generated", d->now_ns);
	rs_json_key(&j, "generation");
	rs_json_obj_begin(&j);
	rs_json_kv_int(&j, "number", g->number);
	json_time(&j, "time", g->time_ns);
	rs_json_kv_bool(&j, "at_start", g->at_start);
	json_addrs(&j, "nameservers", g->ns, g->n_ns);
	json_addrs(&j, "retired", d->retired, d->n_retired);
	json_addrs(&j, "added", g->added, g->n_added);
	rs_json_key(&j, "writer");
	rs_render_writer_json(&j, &g->writer);
	rs_json_obj_end(&j);
	rs_json_kv_int(&j, "grace_ms", d->grace_ns / RS_NS_PER_MS);
	rs_json_kv_str(&j, "sources", d->sources);
	rs_json_kv_bool(&j, "daemon_running", d->daemon_running);
	rs_json_kv_bool(&j, "complete", d->complete);
	rs_json_kv_uint(&j, "lost_events", d->lost_events);
	if (ro->json_extra != NULL)
		ro->json_extra(ro->extra_ctx, &j);
	rs_json_key(&j, "processes");
	rs_json_arr_begin(&j);
	for (size_t i = 0; i < d->n; i++) {
		json_process(o, &j, d, &d->procs[i]);
		if (o->sb.len > 65536)
			flush(o);
	}
	rs_json_arr_end(&j);
	rs_json_key(&j, "summary");
	rs_json_obj_begin(&j);
	for (int v = RS_V_STALE; v < RS_V_COUNT; v++)
		rs_json_kv_uint(&j, rs_verdict_name((enum rs_verdict)v), d->counts[v]);
	rs_json_kv_uint(&j, "counting_stale", d->counting_stale);
	rs_json_kv_uint(&j, "counting_at_risk", d->counting_at_risk);
	rs_json_obj_end(&j);
	rs_json_obj_end(&j);
	rs_sbuf_putc(&o->sb, '\n');
}

/* --- CSV ---------------------------------------------------------------------- */

static void csv_cell(struct rs_sbuf *sb, const char *s, bool last)
{
	if (s != NULL)
		rs_escape_csv(sb, s, strlen(s));
	rs_sbuf_putc(sb, last ? '\n' : ',');
}

static void write_csv(struct out *o, const struct rs_rdata *d, const struct rs_report_opts *ro)
{
	if (ro->csv_no_header)
		goto rows;
	if (ro->csv_node != NULL)
		rs_sbuf_puts(&o->sb, "node,");
	rs_sbuf_puts(&o->sb, "generation,pid,starttime,comm,exe,unit,container,runtime,"
			     "reload_rule,verdict,alive,counts,last_stale,stale_count,stale_dst,"
			     "explicit_server,reason,action\n");
rows:
	for (size_t i = 0; i < d->n; i++) {
		const struct rs_rproc *p = &d->procs[i];
		const struct rs_store_vrow *v = &p->v;
		char num[32], t[RS_TIME_BUF], cont[128];

		if (ro->csv_node != NULL)
			csv_cell(&o->sb, ro->csv_node, false);
		rs_sbuf_printf(&o->sb, "%lld,%d,", (long long)d->gen.number, (int)v->pid);
		if (!(v->starttime & RS_ENGINE_SYNTHETIC))
			rs_sbuf_printf(&o->sb, "%llu", (unsigned long long)v->starttime);
		rs_sbuf_putc(&o->sb, ',');
		csv_cell(&o->sb, v->comm, false);
		csv_cell(&o->sb, v->exe, false);
		csv_cell(&o->sb, v->unit, false);
		if (v->container_kind != NULL)
			snprintf(cont, sizeof(cont), "%s:%s", v->container_kind,
				 v->container_id ? v->container_id : "");
		csv_cell(&o->sb, v->container_kind ? cont : NULL, false);
		csv_cell(&o->sb, v->runtime, false);
		csv_cell(&o->sb, v->reload_rule, false);
		csv_cell(&o->sb, rs_verdict_name(v->verdict), false);
		csv_cell(&o->sb, p->alive ? "true" : "false", false);
		csv_cell(&o->sb, p->counts ? "true" : "false", false);
		csv_cell(&o->sb,
			 v->last_stale_ns ? rs_time_rfc3339(v->last_stale_ns, t, sizeof(t)) : NULL,
			 false);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)v->stale_count);
		csv_cell(&o->sb, num, false);
		csv_cell(&o->sb, v->stale_dst, false);
		csv_cell(&o->sb, v->explicit_server ? "true" : "false", false);
		csv_cell(&o->sb, v->reason, false);
		csv_cell(&o->sb, p->action, true);
		if (o->sb.len > 65536)
			flush(o);
	}
}

/* --- Nagios ------------------------------------------------------------------- */

static const char *const nagios_state[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

void rs_report_nagios_unknown(const char *why, FILE *out)
{
	fprintf(out, "RESOLVSTALE UNKNOWN - %s\n", why);
}

static void write_nagios(struct out *o, const struct rs_rdata *d, int state)
{
	struct rs_sbuf *sb = &o->sb;

	rs_sbuf_printf(sb, "RESOLVSTALE %s - ", nagios_state[state]);
	if (d->gen.number == 0 && d->n_retired == 0) {
		rs_sbuf_puts(sb, "no change of resolv.conf recorded yet");
	} else {
		rs_sbuf_printf(sb, "%llu stale, %llu at risk since generation %lld (retired ",
			       (unsigned long long)d->counting_stale,
			       (unsigned long long)d->counting_at_risk, (long long)d->gen.number);
		addrs_text(sb, d->retired, d->n_retired);
		rs_sbuf_putc(sb, ')');
		if (!d->daemon_running && !d->offline)
			rs_sbuf_puts(sb, "; the daemon is not running");
		if (d->lost_events > 0)
			rs_sbuf_printf(sb, "; %llu events lost (%s)",
				       (unsigned long long)d->lost_events, d->lost_sources);
		else if (!d->complete)
			rs_sbuf_puts(sb, "; evidence incomplete (no audit source, or the change "
					 "was found at start)");
	}
	rs_sbuf_printf(sb,
		       " | stale=%llu;;1;0 at_risk=%llu;1;;0 recovered=%llu reloaded=%llu "
		       "unaffected=%llu other_config=%llu lost_events=%llu\n",
		       (unsigned long long)d->counting_stale,
		       (unsigned long long)d->counting_at_risk,
		       (unsigned long long)d->counts[RS_V_RECOVERED],
		       (unsigned long long)d->counts[RS_V_RELOADED],
		       (unsigned long long)d->counts[RS_V_UNAFFECTED],
		       (unsigned long long)d->counts[RS_V_OTHER_CONFIG],
		       (unsigned long long)d->lost_events);
}

/* --- text --------------------------------------------------------------------- */

static const char *verdict_color(enum rs_verdict v)
{
	switch (v) {
	case RS_V_STALE:
		return "\033[1;31m";
	case RS_V_AT_RISK:
		return "\033[33m";
	case RS_V_RECOVERED:
		return "\033[36m";
	case RS_V_RELOADED:
		return "\033[32m";
	case RS_V_OTHER_CONFIG:
		return "\033[34m";
	default:
		return "";
	}
}

/* Pad the cell written since `start` to width (cells are escaped text). */
static void pad_to(struct rs_sbuf *sb, size_t start, size_t width)
{
	size_t n = sb->len - start;

	if (n > width && width > 1) {
		sb->len = start + width - 1;
		sb->buf[sb->len] = '\0';
		rs_sbuf_puts(sb, "~");
		n = width;
	}
	for (; n < width + 1; n++)
		rs_sbuf_putc(sb, ' ');
}

static void cell(struct rs_sbuf *sb, const char *s, size_t width)
{
	size_t start = sb->len;

	esc(sb, s);
	pad_to(sb, start, width);
}

static void where(const struct rs_store_vrow *v, char *buf, size_t len)
{
	if (v->container_kind != NULL)
		snprintf(buf, len, "%s %.12s", v->container_kind,
			 v->container_id ? v->container_id : "?");
	else if (v->unit != NULL)
		snprintf(buf, len, "%s%s", v->unit, v->user_unit ? " (user)" : "");
	else
		snprintf(buf, len, "-");
}

static const char *clock_of(int64_t ns, char *buf, size_t len)
{
	char full[RS_TIME_BUF];

	if (ns == 0)
		return "-";
	rs_time_local(ns, full, sizeof(full));
	/* "2026-11-21 22:56:27.123 +0100" -> "22:56:27.123" */
	snprintf(buf, len, "%.12s", strlen(full) > 11 ? full + 11 : full);
	return buf;
}

/* Rows of the text report: a process, or exited processes of one parent and
 * exe with the same verdict. */
static bool same_group(const struct rs_rproc *a, const struct rs_rproc *b)
{
	return !a->alive && !b->alive && a->v.verdict == b->v.verdict && a->v.ppid == b->v.ppid &&
	       a->v.ppid > 0 && a->v.exe != NULL && b->v.exe != NULL &&
	       strcmp(a->v.exe, b->v.exe) == 0;
}

static void text_row(struct out *o, const struct rs_rdata *d, const struct rs_rproc *p,
		     size_t n_group, const struct rs_rproc *last)
{
	struct rs_sbuf *sb = &o->sb;
	const struct rs_store_vrow *v = &p->v;
	char w[160], t[32], rt[64], pid[32];
	size_t start;

	start = sb->len;
	if (o->color)
		rs_sbuf_puts(sb, verdict_color(v->verdict));
	rs_sbuf_puts(sb, rs_verdict_name(v->verdict));
	if (o->color)
		rs_sbuf_puts(sb, "\033[0m");
	for (size_t n = strlen(rs_verdict_name(v->verdict)); n < 13; n++)
		rs_sbuf_putc(sb, ' ');
	if (n_group > 1)
		snprintf(pid, sizeof(pid), "%zu procs", n_group);
	else
		snprintf(pid, sizeof(pid), "%d%s", (int)v->pid, p->alive || d->offline ? "" : "*");
	cell(sb, pid, 9);
	cell(sb, v->comm, 15);
	where(v, w, sizeof(w));
	cell(sb, w, 24);
	snprintf(rt, sizeof(rt), "%s%s%s", v->runtime ? v->runtime : "-", v->reload_rule ? " " : "",
		 v->reload_rule ? v->reload_rule : "");
	cell(sb, rt, 24);
	if (v->verdict == RS_V_STALE || v->verdict == RS_V_RECOVERED) {
		uint64_t count = 0;
		int64_t lastt = 0;
		for (const struct rs_rproc *q = p; q <= last; q++) {
			count += q->v.stale_count;
			if (q->v.last_stale_ns > lastt)
				lastt = q->v.last_stale_ns;
		}
		cell(sb, clock_of(lastt, t, sizeof(t)), 12);
		rs_sbuf_printf(sb, "%6llu  ", (unsigned long long)count);
	} else {
		cell(sb, "-", 12);
		rs_sbuf_puts(sb, "     -  ");
	}
	esc(sb, p->action);
	rs_sbuf_putc(sb, '\n');
	(void)start;
	rs_sbuf_puts(sb, "             why: ");
	esc(sb, v->reason);
	if (n_group > 1) {
		rs_sbuf_printf(sb, " [parent pid %d; pids", (int)v->ppid);
		size_t shown = 0;
		for (const struct rs_rproc *q = p; q <= last && shown < 8; q++, shown++)
			rs_sbuf_printf(sb, " %d", (int)q->v.pid);
		if (n_group > shown)
			rs_sbuf_printf(sb, " and %zu more", n_group - shown);
		rs_sbuf_putc(sb, ']');
	}
	rs_sbuf_putc(sb, '\n');
}

static void text_header(struct out *o, const struct rs_rdata *d, const struct rs_report_opts *ro)
{
	struct rs_sbuf *sb = &o->sb;
	const struct rs_generation *g = &d->gen;
	char t[RS_TIME_BUF];
	int status = rs_report_status(d, ro);

	rs_sbuf_puts(sb, "resolvstale report: generation ");
	rs_sbuf_printf(sb, "%lld", (long long)g->number);
	if (d->host[0] != '\0') {
		rs_sbuf_puts(sb, " on ");
		esc(sb, d->host);
	}
	rs_sbuf_putc(sb, '\n');
	rs_sbuf_printf(sb, "  changed    %s%s", rs_time_local(g->time_ns, t, sizeof(t)),
		       g->at_start ? " (found at daemon start: changed while nobody watched)" : "");
	if (g->writer.known) {
		rs_sbuf_printf(sb, " by pid %d ", (int)g->writer.pid);
		esc(sb, g->writer.comm ? g->writer.comm : g->writer.exe);
		if (g->writer.uid >= 0)
			rs_sbuf_printf(sb, " (uid %lld)", (long long)g->writer.uid);
	}
	rs_sbuf_puts(sb, "\n  servers    ");
	if (d->have_prev) {
		addrs_text(sb, d->prev.ns, d->prev.n_ns);
		rs_sbuf_puts(sb, " -> ");
	}
	if (g->n_ns == 0 && d->offline)
		rs_sbuf_puts(sb, "unknown (replay with --retired: the change is before the logs)");
	else
		addrs_text(sb, g->ns, g->n_ns);
	rs_sbuf_puts(sb, "\n  retired    ");
	addrs_text(sb, d->retired, d->n_retired);
	rs_sbuf_printf(sb, "  (grace %lld ms)\n  evidence   sources %s; ",
		       (long long)(d->grace_ns / RS_NS_PER_MS),
		       d->sources[0] ? d->sources : "none");
	if (d->lost_events > 0)
		rs_sbuf_printf(sb, "%llu EVENTS LOST (%s): verdicts may be incomplete",
			       (unsigned long long)d->lost_events, d->lost_sources);
	else
		rs_sbuf_puts(sb, "no events lost");
	if (d->offline)
		rs_sbuf_puts(sb, "; replayed from audit logs\n");
	else
		rs_sbuf_printf(sb, "; daemon %s\n", d->daemon_running ? "running" : "NOT running");
	if (ro->text_extra != NULL)
		ro->text_extra(ro->extra_ctx, sb);
	if (g->number == 0 && d->n_retired == 0) {
		rs_sbuf_puts(sb, "  result     no change recorded yet: nothing to judge\n");
		return;
	}
	rs_sbuf_puts(sb, "  result     ");
	if (o->color)
		rs_sbuf_puts(sb, status ? "\033[1;31m" : "\033[1;32m");
	if (status)
		rs_sbuf_printf(sb, "NON-COMPLIANT: %llu stale, %llu at risk",
			       (unsigned long long)d->counting_stale,
			       (unsigned long long)d->counting_at_risk);
	else
		rs_sbuf_printf(sb, "compliant (%llu stale, %llu at risk)",
			       (unsigned long long)d->counting_stale,
			       (unsigned long long)d->counting_at_risk);
	if (o->color)
		rs_sbuf_puts(sb, "\033[0m");
	rs_sbuf_printf(sb, "; fail on %s\n",
		       ro->fail_on == RS_FAIL_STALE     ? "stale"
		       : ro->fail_on == RS_FAIL_AT_RISK ? "stale or at-risk"
							: "nothing");
}

static void write_text(struct out *o, const struct rs_rdata *d, const struct rs_report_opts *ro)
{
	struct rs_sbuf *sb = &o->sb;
	text_header(o, d, ro);
	if (d->n == 0) {
		rs_sbuf_puts(sb, "\nNo process seen since the change.\n");
		return;
	}
	rs_sbuf_puts(sb, "\nVERDICT      PID       COMM            UNIT/CONTAINER           RUNTIME"
			 "                  LAST STALE    COUNT  ACTION\n");
	for (size_t i = 0; i < d->n;) {
		const struct rs_rproc *p = &d->procs[i];
		size_t k = i + 1;

		if ((p->v.verdict == RS_V_UNAFFECTED || p->v.verdict == RS_V_OTHER_CONFIG) &&
		    !ro->all) {
			i++;
			continue;
		}
		/* Group exited processes of one parent and exe (a shell loop's dig). */
		while (k < d->n && same_group(p, &d->procs[k]))
			k++;
		text_row(o, d, p, k - i, &d->procs[k - 1]);
		i = k;
		if (sb->len > 65536)
			flush(o);
	}
	rs_sbuf_puts(sb, "\n");
	if (!ro->all && d->counts[RS_V_UNAFFECTED] + d->counts[RS_V_OTHER_CONFIG] > 0)
		rs_sbuf_printf(sb,
			       "Not listed: %llu unaffected (started after the change, or nothing "
			       "to fear) and %llu other-config (they read another resolv.conf); "
			       "--all lists them.\n",
			       (unsigned long long)d->counts[RS_V_UNAFFECTED],
			       (unsigned long long)d->counts[RS_V_OTHER_CONFIG]);
	rs_sbuf_puts(sb, d->offline ? "Verdicts:" : "* exited. Verdicts:");
	for (int v = RS_V_STALE; v < RS_V_COUNT; v++)
		rs_sbuf_printf(sb, " %s %llu%s", rs_verdict_name((enum rs_verdict)v),
			       (unsigned long long)d->counts[v], v + 1 < RS_V_COUNT ? "," : "\n");
}

int rs_report_write(const struct rs_rdata *d, const struct rs_report_opts *ro, FILE *f)
{
	struct out o = {f, RS_SBUF_INIT, false, ro->color && ro->format == RS_REPORT_TEXT};

	switch (ro->format) {
	case RS_REPORT_JSON:
		write_json(&o, d, ro);
		break;
	case RS_REPORT_CSV:
		write_csv(&o, d, ro);
		break;
	case RS_REPORT_NAGIOS:
		write_nagios(&o, d, rs_report_status(d, ro));
		break;
	case RS_REPORT_TEXT:
		write_text(&o, d, ro);
		break;
	}
	return finish(&o);
}
