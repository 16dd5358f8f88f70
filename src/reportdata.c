/* What `report` and `services` show, loaded from the store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/procinfo.h"
#include "resolvstale/reportdata.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

bool rs_rdata_alive(int proc_dirfd, int32_t pid, uint64_t starttime)
{
	struct rs_proc_stat st;
	char name[32], buf[1024];
	ssize_t n;

	if (pid <= 0 || (starttime & RS_ENGINE_SYNTHETIC) || starttime == 0)
		return false;
	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	n = rs_proc_read_file(proc_dirfd, name, buf, sizeof(buf));
	if (n <= 0 || rs_proc_parse_stat(buf, (size_t)n, &st) < 0)
		return false;
	return st.starttime == starttime && st.state != 'Z' && st.state != 'X';
}

static char *dup_str(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

static void free_row(struct rs_store_vrow *v)
{
	free((char *)v->comm);
	free((char *)v->exe);
	free((char *)v->cmdline);
	free((char *)v->unit);
	free((char *)v->container_kind);
	free((char *)v->container_id);
	free((char *)v->pod_uid);
	free((char *)v->domain);
	free((char *)v->config_ns);
	free((char *)v->runtime);
	free((char *)v->reload_rule);
	free((char *)v->runtime_detail);
	free((char *)v->reason);
	free((char *)v->stale_dst);
}

struct load {
	struct rs_rdata *d;
	size_t cap;
	bool oom;
};

static int take_row(void *ctx, const struct rs_store_vrow *row)
{
	struct load *l = ctx;
	struct rs_rdata *d = l->d;
	struct rs_store_vrow *v;

	if (d->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct rs_rproc *p = realloc(d->procs, cap * sizeof(*p));
		if (p == NULL) {
			l->oom = true;
			return -ENOMEM;
		}
		d->procs = p;
		l->cap = cap;
	}
	memset(&d->procs[d->n], 0, sizeof(d->procs[0]));
	v = &d->procs[d->n].v;
	*v = *row;
	v->comm = dup_str(row->comm);
	v->exe = dup_str(row->exe);
	v->cmdline = dup_str(row->cmdline);
	v->unit = dup_str(row->unit);
	v->container_kind = dup_str(row->container_kind);
	v->container_id = dup_str(row->container_id);
	v->pod_uid = dup_str(row->pod_uid);
	v->domain = dup_str(row->domain);
	v->config_ns = dup_str(row->config_ns);
	v->runtime = dup_str(row->runtime);
	v->reload_rule = dup_str(row->reload_rule);
	v->runtime_detail = dup_str(row->runtime_detail);
	v->reason = dup_str(row->reason);
	v->stale_dst = dup_str(row->stale_dst);
	d->n++;
	return 0;
}

/* --- groups: which later process replaced a stale one -------------------------- */

static const char *group_of(const struct rs_store_vrow *v, char *buf, size_t len)
{
	if (rs_unit_is_service(v->unit))
		snprintf(buf, len, "unit %s %lld", v->unit, (long long)v->uid);
	else if (v->container_id != NULL)
		snprintf(buf, len, "container %s", v->container_id);
	else
		snprintf(buf, len, "exe %d %s", (int)v->ppid,
			 v->exe    ? v->exe
			 : v->comm ? v->comm
				   : "");
	return buf;
}

struct gkey {
	char key[512];
	size_t i;
};

static int cmp_gkey(const void *a, const void *b)
{
	const struct gkey *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

static int64_t began(const struct rs_store_vrow *v)
{
	return v->start_ns != 0 ? v->start_ns : v->first_seen_ns;
}

static int mark_superseded(struct rs_rdata *d)
{
	struct gkey *k;

	if (d->n == 0)
		return 0;
	k = malloc(d->n * sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < d->n; i++) {
		group_of(&d->procs[i].v, k[i].key, sizeof(k[i].key));
		k[i].i = i;
	}
	qsort(k, d->n, sizeof(*k), cmp_gkey);
	for (size_t a = 0; a < d->n;) {
		size_t b = a;
		int64_t good = 0; /* the latest start of a process that is fine */

		while (b < d->n && strcmp(k[b].key, k[a].key) == 0)
			b++;
		for (size_t i = a; i < b; i++) {
			const struct rs_store_vrow *v = &d->procs[k[i].i].v;
			if (v->verdict != RS_V_STALE && v->verdict != RS_V_AT_RISK &&
			    began(v) > good)
				good = began(v);
		}
		for (size_t i = a; i < b; i++) {
			struct rs_rproc *p = &d->procs[k[i].i];
			if (p->v.verdict == RS_V_STALE && good > began(&p->v))
				p->superseded = true;
		}
		a = b;
	}
	free(k);
	return 0;
}

void rs_rdata_action_in(const struct rs_rproc *p, struct rs_action_in *a)
{
	const struct rs_store_vrow *v = &p->v;

	memset(a, 0, sizeof(*a));
	a->verdict = v->verdict;
	a->alive = p->alive;
	a->pid = v->pid;
	a->exe = v->exe;
	a->comm = v->comm;
	a->cmdline = v->cmdline;
	a->unit = v->unit;
	a->user_unit = v->user_unit;
	a->unit_uid = v->uid;
	a->container_kind = v->container_kind;
	a->container_id = v->container_id;
	a->domain = v->domain && strcmp(v->domain, "other") == 0  ? RS_DOMAIN_OTHER
		    : v->domain && strcmp(v->domain, "none") == 0 ? RS_DOMAIN_NONE
		    : v->domain && strcmp(v->domain, "host") == 0 ? RS_DOMAIN_HOST
								  : RS_DOMAIN_UNKNOWN;
	a->runtime =
		v->runtime && strcmp(v->runtime, "dnsmasq") == 0 ? RS_RT_DNSMASQ : RS_RT_UNKNOWN;
	a->explicit_server = v->explicit_server;
	a->own_file_lists = v->own_file_lists;
}

static void judge_rows(struct rs_rdata *d)
{
	int proc_dirfd = d->same_boot ? open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	for (size_t i = 0; i < d->n; i++) {
		struct rs_rproc *p = &d->procs[i];
		struct rs_store_vrow *v = &p->v;
		struct rs_action_in a;

		p->alive = proc_dirfd >= 0 && !v->exited && v->exit_ns == 0 &&
			   rs_rdata_alive(proc_dirfd, v->pid, v->starttime);
		d->counts[v->verdict]++;
		if (v->verdict == RS_V_STALE)
			p->counts = p->alive || (!p->superseded &&
						 (d->window_ns == 0 ||
						  d->now_ns - v->last_stale_ns <= d->window_ns));
		else if (v->verdict == RS_V_AT_RISK)
			p->counts = p->alive;
		if (p->counts && v->verdict == RS_V_STALE)
			d->counting_stale++;
		if (p->counts && v->verdict == RS_V_AT_RISK)
			d->counting_at_risk++;
		rs_rdata_action_in(p, &a);
		if (d->offline)
			a.alive = true; /* unknown: say what to do if it still runs */
		rs_verdict_action(&a, p->action, sizeof(p->action));
	}
	if (proc_dirfd >= 0)
		close(proc_dirfd);
}

static int rank(enum rs_verdict v)
{
	static const int order[RS_V_COUNT] = {
		[RS_V_STALE] = 0,        [RS_V_AT_RISK] = 1,  [RS_V_RECOVERED] = 2,
		[RS_V_OTHER_CONFIG] = 3, [RS_V_RELOADED] = 4, [RS_V_UNAFFECTED] = 5,
	};
	return (unsigned)v < RS_V_COUNT ? order[v] : 6;
}

static int strcmp_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Verdicts worst first; alive processes first; then by parent and exe, so
 * that the short-lived children of one loop sit together; then pid. */
static int cmp_rows(const void *a, const void *b)
{
	const struct rs_rproc *x = a, *y = b;
	int c = rank(x->v.verdict) - rank(y->v.verdict);

	if (c == 0)
		c = (int)y->alive - (int)x->alive;
	if (c == 0)
		c = (x->v.ppid > y->v.ppid) - (x->v.ppid < y->v.ppid);
	if (c == 0)
		c = strcmp_null(x->v.exe, y->v.exe);
	if (c == 0)
		c = (x->v.pid > y->v.pid) - (x->v.pid < y->v.pid);
	return c;
}

static void meta(struct rs_store *st, const char *key, char *buf, size_t len)
{
	if (rs_store_meta_get(st, key, buf, len) < 0 && len > 0)
		buf[0] = '\0';
}

int rs_rdata_load(const char *db_path, int64_t generation, int64_t window_ns, struct rs_rdata *d,
		  char *err, size_t errlen)
{
	struct rs_addr extra[RS_ENGINE_MAX_RETIRED];
	struct rs_store *st = NULL;
	struct load l = {d, 0, false};
	char buf[1024], boot[64];
	int r, n_extra = 0;
	uint64_t grace;

	memset(d, 0, sizeof(*d));
	d->now_ns = rs_time_now_ns();
	d->window_ns = window_ns;
	d->grace_ns = 2 * RS_NS_PER_SEC;
	r = rs_store_open(db_path, RS_STORE_READ, &st, err, errlen);
	if (r < 0)
		return r;
	meta(st, "host", d->host, sizeof(d->host));
	meta(st, "sources", d->sources, sizeof(d->sources));
	meta(st, "grace_ns", buf, sizeof(buf));
	if (rs_strtou64(buf, 0, INT64_MAX, &grace) == 0)
		d->grace_ns = (int64_t)grace;
	meta(st, "extra_retired", buf, sizeof(buf));
	if (buf[0] != '\0')
		n_extra = rs_addrs_split(buf, extra, RS_ENGINE_MAX_RETIRED);
	if (n_extra < 0)
		n_extra = 0;
	meta(st, "boot_id", buf, sizeof(buf));
	rs_read_line(RS_BOOT_ID_PATH, boot, sizeof(boot));
	d->same_boot = buf[0] != '\0' && strcmp(buf, boot) == 0;
	d->daemon_running = rs_store_writer_pid(db_path) != 0;
	meta(st, "mode", buf, sizeof(buf));
	d->offline = strcmp(buf, "replay") == 0;

	r = generation < 0 ? rs_store_latest_generation(st, &d->gen)
			   : rs_store_get_generation(st, generation, &d->gen);
	if (r < 0) {
		if (r == -ENOENT && generation >= 0)
			snprintf(err, errlen, "no generation %lld in the store",
				 (long long)generation);
		else if (r == -ENOENT)
			snprintf(err, errlen, "no generation recorded yet (start the daemon)");
		else
			snprintf(err, errlen, "%s", rs_store_errmsg(st));
		goto out;
	}
	d->have_gen = true;
	if (d->gen.number > 0 && rs_store_get_generation(st, d->gen.number - 1, &d->prev) == 0)
		d->have_prev = true;
	r = rs_retired_collect(st, &d->gen, extra, (size_t)n_extra, d->retired,
			       RS_ENGINE_MAX_RETIRED);
	if (r < 0) {
		snprintf(err, errlen, "%s", rs_store_errmsg(st));
		goto out;
	}
	d->n_retired = (size_t)r;
	r = rs_store_lost_summary(st, d->gen.number, &d->lost_events, d->lost_sources,
				  sizeof(d->lost_sources));
	if (r == 0)
		r = rs_store_foreach_verdict(st, d->gen.number, take_row, &l);
	if (r < 0) {
		snprintf(err, errlen, "%s", l.oom ? "out of memory" : rs_store_errmsg(st));
		goto out;
	}
	d->complete = d->lost_events == 0 && !d->gen.at_start &&
		      (d->offline || strstr(d->sources, "audit") != NULL ||
		       strstr(d->sources, "ebpf") != NULL);
	r = mark_superseded(d);
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	judge_rows(d);
	qsort(d->procs, d->n, sizeof(d->procs[0]), cmp_rows);
out:
	d->st = st;
	if (r < 0)
		rs_rdata_clear(d);
	return r < 0 ? r : 0;
}

void rs_rdata_clear(struct rs_rdata *d)
{
	for (size_t i = 0; i < d->n; i++)
		free_row(&d->procs[i].v);
	free(d->procs);
	rs_generation_clear(&d->gen);
	rs_generation_clear(&d->prev);
	rs_store_close(d->st);
	memset(d, 0, sizeof(*d));
}
