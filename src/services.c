/* `resolvstale services`: what to restart, deduplicated. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/escape.h"
#include "resolvstale/json.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/report.h"
#include "resolvstale/timefmt.h"

struct svc {
	char kind[16]; /* unit, user-unit, container, dnsmasq, process, parent */
	char name[300];
	char command[400];
	enum rs_verdict verdict; /* the worse of its processes' */
	const char *reason;      /* of its first process */
	size_t *procs;           /* indexes into rdata's procs */
	size_t n, cap;
};

struct svcs {
	struct svc *v;
	size_t n, cap;
	bool oom;
};

static struct svc *find_or_add(struct svcs *s, const char *kind, const char *name)
{
	struct svc *x;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].kind, kind) == 0 && strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		x = realloc(s->v, cap * sizeof(*x));
		if (x == NULL) {
			s->oom = true;
			return NULL;
		}
		s->v = x;
		s->cap = cap;
	}
	x = &s->v[s->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->kind, sizeof(x->kind), "%s", kind);
	snprintf(x->name, sizeof(x->name), "%s", name);
	return x;
}

static void add_proc(struct svcs *s, struct svc *x, size_t i, const struct rs_rproc *p)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 4;
		size_t *v = realloc(x->procs, cap * sizeof(*v));
		if (v == NULL) {
			s->oom = true;
			return;
		}
		x->procs = v;
		x->cap = cap;
	}
	x->procs[x->n++] = i;
	if (x->reason == NULL || (p->v.verdict == RS_V_STALE && x->verdict != RS_V_STALE))
		x->reason = p->v.reason;
	if (x->verdict != RS_V_STALE)
		x->verdict = p->v.verdict;
}

/* The command to restart (or fix) a live process. */
static void command_for(const struct rs_rproc *p, char *buf, size_t len)
{
	struct rs_action_in a;

	rs_rdata_action_in(p, &a);
	a.verdict = RS_V_STALE; /* the restart line, also for at-risk */
	a.alive = true;
	rs_verdict_action(&a, buf, len);
}

static void classify_alive(struct svcs *s, size_t i, const struct rs_rproc *p)
{
	const struct rs_store_vrow *v = &p->v;
	char name[300], cmd[400];
	const char *kind;
	struct svc *x;

	command_for(p, cmd, sizeof(cmd));
	if (v->container_kind != NULL) {
		kind = "container";
		snprintf(name, sizeof(name), "%s %.12s", v->container_kind,
			 v->container_id ? v->container_id : "?");
	} else if (v->runtime != NULL && strcmp(v->runtime, "dnsmasq") == 0 && !v->own_file_lists) {
		kind = "dnsmasq";
		snprintf(name, sizeof(name), "pid %d", (int)v->pid);
	} else if (rs_unit_is_service(v->unit) && !v->explicit_server && !v->own_file_lists) {
		kind = v->user_unit ? "user-unit" : "unit";
		snprintf(name, sizeof(name), "%s", v->unit);
	} else {
		kind = "process";
		snprintf(name, sizeof(name), "pid %d %s", (int)v->pid,
			 v->exe    ? v->exe
			 : v->comm ? v->comm
				   : "?");
	}
	x = find_or_add(s, kind, name);
	if (x == NULL)
		return;
	if (x->command[0] == '\0')
		snprintf(x->command, sizeof(x->command), "%s", cmd);
	add_proc(s, x, i, p);
}

static bool parent_comm(int32_t ppid, char *buf, size_t len)
{
	char name[32];
	ssize_t n;
	int dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0 || ppid <= 1) {
		if (dfd >= 0)
			close(dfd);
		return false;
	}
	snprintf(name, sizeof(name), "%d/comm", (int)ppid);
	n = rs_proc_read_file(dfd, name, buf, len);
	close(dfd);
	if (n <= 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

/* Exited stale processes that still count (a loop's dig, a cron job): the
 * parent that keeps starting them is what to fix. */
static void classify_exited(struct svcs *s, const struct rs_rdata *d, size_t i,
			    const struct rs_rproc *p)
{
	const struct rs_store_vrow *v = &p->v;
	char comm[RS_COMM_MAX], name[300], cmd[400];
	struct svc *x;

	if (!d->same_boot || !parent_comm(v->ppid, comm, sizeof(comm)))
		return; /* its parent is gone too: nothing runs to fix */
	snprintf(name, sizeof(name), "pid %d %s", (int)v->ppid, comm);
	x = find_or_add(s, "parent", name);
	if (x == NULL)
		return;
	if (x->command[0] == '\0') {
		if (v->explicit_server)
			snprintf(cmd, sizeof(cmd), "%.340s (started by pid %d %.16s)", p->action,
				 (int)v->ppid, comm);
		else
			snprintf(
				cmd, sizeof(cmd),
				"fix or restart pid %d (%s): the processes it starts use a retired "
				"server",
				(int)v->ppid, comm);
		snprintf(x->command, sizeof(x->command), "%s", cmd);
	}
	add_proc(s, x, i, p);
}

static void collect(struct svcs *s, const struct rs_rdata *d)
{
	for (size_t i = 0; i < d->n && !s->oom; i++) {
		const struct rs_rproc *p = &d->procs[i];

		if (p->v.verdict != RS_V_STALE && p->v.verdict != RS_V_AT_RISK)
			continue;
		if (p->alive)
			classify_alive(s, i, p);
		else if (p->counts)
			classify_exited(s, d, i, p);
	}
}

static void free_svcs(struct svcs *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].procs);
	free(s->v);
}

static void write_json(struct rs_sbuf *sb, const struct rs_rdata *d, const struct svcs *s)
{
	struct rs_json j;
	char t[RS_TIME_BUF];

	rs_json_init(&j, sb);
	rs_json_obj_begin(&j);
	rs_json_kv_int(&j, "schema", 1);
	rs_json_kv_str(&j, "host", d->host);
	rs_json_kv_str(&j, "generated", rs_time_rfc3339(d->now_ns, t, sizeof(t)));
	rs_json_kv_int(&j, "generation", d->gen.number);
	rs_json_key(&j, "services");
	rs_json_arr_begin(&j);
	for (size_t i = 0; i < s->n; i++) {
		const struct svc *x = &s->v[i];
		rs_json_obj_begin(&j);
		rs_json_kv_str(&j, "kind", x->kind);
		rs_json_kv_str(&j, "name", x->name);
		rs_json_kv_str(&j, "command", x->command);
		rs_json_kv_str(&j, "verdict", rs_verdict_name(x->verdict));
		rs_json_kv_str(&j, "reason", x->reason ? x->reason : "");
		rs_json_key(&j, "processes");
		rs_json_arr_begin(&j);
		for (size_t k = 0; k < x->n; k++) {
			const struct rs_store_vrow *v = &d->procs[x->procs[k]].v;
			rs_json_obj_begin(&j);
			rs_json_kv_int(&j, "pid", v->pid);
			rs_json_key(&j, "starttime");
			if (v->starttime & RS_ENGINE_SYNTHETIC)
				rs_json_null(&j);
			else
				rs_json_uint(&j, v->starttime);
			rs_json_kv_str(&j, "comm", v->comm);
			rs_json_kv_str(&j, "exe", v->exe);
			rs_json_kv_str(&j, "verdict", rs_verdict_name(v->verdict));
			rs_json_kv_bool(&j, "alive", d->procs[x->procs[k]].alive);
			rs_json_obj_end(&j);
		}
		rs_json_arr_end(&j);
		rs_json_obj_end(&j);
	}
	rs_json_arr_end(&j);
	rs_json_obj_end(&j);
	rs_sbuf_putc(sb, '\n');
}

static void write_text(struct rs_sbuf *sb, const struct rs_rdata *d, const struct svcs *s,
		       bool color)
{
	rs_sbuf_printf(sb, "What to restart after generation %lld (retired ",
		       (long long)d->gen.number);
	if (d->n_retired == 0)
		rs_sbuf_puts(sb, "none");
	else
		rs_addrs_join(d->retired, d->n_retired, sb);
	rs_sbuf_puts(sb, "):\n");
	if (s->n == 0) {
		rs_sbuf_puts(sb, "  nothing: no running process uses a retired resolver or is at "
				 "risk of it.\n");
		return;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct svc *x = &s->v[i];
		size_t shown = 0;

		rs_sbuf_puts(sb, "\n  ");
		if (color)
			rs_sbuf_puts(sb, "\033[1m");
		rs_escape_text(sb, x->command, strlen(x->command));
		if (color)
			rs_sbuf_puts(sb, "\033[0m");
		rs_sbuf_printf(sb, "\n      %s, %s: %zu process%s (pid", x->kind,
			       rs_verdict_name(x->verdict), x->n, x->n == 1 ? "" : "es");
		for (size_t k = 0; k < x->n && shown < 8; k++, shown++)
			rs_sbuf_printf(sb, " %d", (int)d->procs[x->procs[k]].v.pid);
		if (x->n > shown)
			rs_sbuf_printf(sb, " and %zu more", x->n - shown);
		rs_sbuf_puts(sb, ")\n      why: ");
		if (x->reason != NULL)
			rs_escape_text(sb, x->reason, strlen(x->reason));
		rs_sbuf_putc(sb, '\n');
	}
}

int rs_services_write(const struct rs_rdata *d, bool json, bool color, FILE *out)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct svcs s = {NULL, 0, 0, false};
	int r = 0;

	collect(&s, d);
	if (s.oom) {
		free_svcs(&s);
		return -ENOMEM;
	}
	if (json)
		write_json(&sb, d, &s);
	else
		write_text(&sb, d, &s, color);
	if (rs_sbuf_failed(&sb) || fwrite(sb.buf, 1, sb.len, out) != sb.len || fflush(out) != 0)
		r = -EIO;
	rs_sbuf_free(&sb);
	free_svcs(&s);
	return r;
}
