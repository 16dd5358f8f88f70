/* `resolvstale replay`: verdicts from existing audit logs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/audit_rec.h"
#include "resolvstale/audit_stdin.h"
#include "resolvstale/engine.h"
#include "resolvstale/escape.h"
#include "resolvstale/replay.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

#define CHUNK       (1 << 20)
#define MAX_LINE    (64 * 1024)
#define MAX_WRITES  32
#define TICK_NS     RS_NS_PER_SEC
#define FLUSH_TICKS 30
#define INFER_SLOTS 65536

struct write_seen {
	int64_t time_ns;
	int32_t pid;
	char comm[RS_COMM_MAX];
	char exe[128];
	char syscall[16];
};

struct node {
	char name[64];
	char path[PATH_MAX + 32];
	struct rs_store *st;
	struct rs_engine *eng;
	struct rs_audit_infer *infer;
	size_t gen; /* index of the generation in force */
	int64_t next_tick, last_ns;
	unsigned ticks;
	struct write_seen writes[MAX_WRITES];
	size_t n_writes;
	uint64_t more_writes;
	uint64_t events, dns_sends, inferred; /* this node's */
};

struct replay {
	const struct rs_replay_opts *o;
	struct rs_generation *gens;
	size_t n_gens;
	bool synthetic_gen; /* from --retired: starts at the first record */
	struct node *nodes[RS_REPLAY_MAX_NODES];
	size_t n_nodes;
	uint64_t nodes_dropped;
	char dir[PATH_MAX];
	bool made_dir;
	char host[256];
	struct rs_audit_match match;
	struct rs_replay_stats *stats;
	int err;
	char *errmsg;
	size_t errlen;
	const char **order; /* the files in the order read */
};

static int fail(struct replay *r, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct replay *r, int e, const char *fmt, ...)
{
	va_list ap;

	if (r->err == 0) {
		va_start(ap, fmt);
		vsnprintf(r->errmsg, r->errlen, fmt, ap);
		va_end(ap);
		r->err = e;
	}
	return e;
}

/* --- generations ----------------------------------------------------------------- */

static int take_gen(void *ctx, const struct rs_generation *g)
{
	struct replay *r = ctx;
	struct rs_generation *v = realloc(r->gens, (r->n_gens + 1) * sizeof(*v));

	if (v == NULL)
		return -ENOMEM;
	r->gens = v;
	memset(&v[r->n_gens], 0, sizeof(v[0]));
	if (rs_generation_copy(&v[r->n_gens], g) < 0)
		return -ENOMEM;
	r->n_gens++;
	return 0;
}

static int load_generations(struct replay *r)
{
	const struct rs_replay_opts *o = r->o;
	struct rs_generation latest;
	struct rs_store *st;
	char err[320];
	int rc;

	if (o->db == NULL) {
		if (o->n_retired == 0)
			return fail(
				r, -EINVAL,
				"nothing to judge: give the retired resolvers (--retired ADDR) or "
				"a store with history (--db PATH)");
		r->gens = calloc(1, sizeof(*r->gens));
		if (r->gens == NULL)
			return fail(r, -ENOMEM, "out of memory");
		r->n_gens = 1;
		r->synthetic_gen = true;
		r->gens[0].number = 1;
		r->gens[0].time_ns = o->since_ns; /* or the first record's, below */
		r->gens[0].path = strdup(o->resolv_conf);
		r->gens[0].target = strdup(o->resolv_conf);
		snprintf(r->host, sizeof(r->host), "replay");
		return r->gens[0].path && r->gens[0].target ? 0 : fail(r, -ENOMEM, "out of memory");
	}
	rc = rs_store_open(o->db, RS_STORE_READ, &st, err, sizeof(err));
	if (rc < 0)
		return fail(r, rc, "cannot open the store %s: %s", o->db, err);
	memset(&latest, 0, sizeof(latest));
	rc = rs_store_latest_generation(st, &latest);
	if (rc == 0)
		rc = rs_store_foreach_generation(st, 0, latest.number, take_gen, r);
	if (rs_store_meta_get(st, "host", r->host, sizeof(r->host)) < 0)
		snprintf(r->host, sizeof(r->host), "replay");
	rs_generation_clear(&latest);
	if (rc < 0) {
		fail(r, rc, "cannot read the generations of %s: %s", o->db,
		     rc == -ENOENT ? "none recorded" : rs_store_errmsg(st));
		rs_store_close(st);
		return rc;
	}
	rs_store_close(st);
	return 0;
}

/* The generation in force at t: the last one that began at or before it
 * (the first one if t is earlier: its events are then dropped as late). */
static size_t gen_at(const struct replay *r, int64_t t)
{
	size_t i = 0;

	while (i + 1 < r->n_gens && r->gens[i + 1].time_ns <= t)
		i++;
	return i;
}

/* --- nodes ----------------------------------------------------------------------- */

static void node_free(struct node *n)
{
	if (n == NULL)
		return;
	rs_engine_free(n->eng);
	rs_store_close(n->st);
	rs_audit_infer_free(n->infer);
	free(n);
}

static int set_gen(struct replay *r, struct node *n, size_t i)
{
	struct rs_addr retired[RS_ENGINE_MAX_RETIRED];
	const struct rs_generation *g = &r->gens[i];
	int k = rs_retired_collect(n->st, g, r->o->retired, r->o->n_retired, retired,
				   RS_ENGINE_MAX_RETIRED);

	if (k < 0)
		return fail(r, k, "cannot compute the retired servers: %s", rs_store_errmsg(n->st));
	n->gen = i;
	/* The engine adds --retired itself: pass the collected set without it. */
	return rs_engine_set_generation(n->eng, g->number, g->time_ns, g->ns, g->n_ns, retired,
					(size_t)k);
}

static int node_store(struct replay *r, struct node *n)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char err[320], grace[32];
	int rc;

	snprintf(n->path, sizeof(n->path), "%s/node-%zu.db", r->dir, r->n_nodes);
	unlink(n->path);
	rc = rs_store_open(n->path, RS_STORE_WRITE, &n->st, err, sizeof(err));
	if (rc < 0)
		return fail(r, rc, "cannot create %s: %s", n->path, err);
	for (size_t i = 0; i < r->n_gens && rc == 0; i++)
		rc = rs_store_add_generation(n->st, &r->gens[i]);
	rs_addrs_join(r->o->retired, r->o->n_retired, &sb);
	snprintf(grace, sizeof(grace), "%lld", r->synthetic_gen ? 0LL : (long long)r->o->grace_ns);
	if (rc == 0)
		rc = rs_store_meta_set(n->st, "host", n->name[0] ? n->name : r->host);
	if (rc == 0)
		rc = rs_store_meta_set(n->st, "mode", "replay");
	if (rc == 0)
		rc = rs_store_meta_set(n->st, "sources", "replay");
	if (rc == 0)
		rc = rs_store_meta_set(n->st, "grace_ns", grace);
	if (rc == 0 && r->o->n_retired > 0)
		rc = rs_store_meta_set(n->st, "extra_retired", rs_sbuf_str(&sb));
	if (rc == 0)
		rc = rs_store_flush(n->st);
	rs_sbuf_free(&sb);
	return rc < 0 ? fail(r, rc, "cannot write %s: %s", n->path, rs_store_errmsg(n->st)) : 0;
}

static struct node *node_get(struct replay *r, const char *name, int64_t t)
{
	struct rs_engine_opts eo;
	struct node *n;

	for (size_t i = 0; i < r->n_nodes; i++)
		if (strcmp(r->nodes[i]->name, name) == 0)
			return r->nodes[i];
	if (r->n_nodes == RS_REPLAY_MAX_NODES) {
		r->nodes_dropped++;
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		fail(r, -ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(n->name, sizeof(n->name), "%s", name);
	if (r->synthetic_gen && r->gens[0].time_ns == 0)
		r->gens[0].time_ns = t - 1; /* the log's beginning is the change */
	if (node_store(r, n) < 0) {
		node_free(n);
		return NULL;
	}
	memset(&eo, 0, sizeof(eo));
	/* --retired alone: the change happened before the logs begin, nothing
	 * in them was in flight at it. */
	eo.grace_ns = r->synthetic_gen ? 0 : r->o->grace_ns;
	eo.extra_retired = r->o->retired;
	eo.n_extra_retired = r->o->n_retired;
	eo.store = n->st;
	eo.idle_exit_ns = 60 * RS_NS_PER_SEC;
	eo.loopback_anywhere = true;
	eo.exit_check_ns = 10 * RS_NS_PER_SEC;
	eo.synthetic_ttl_ns = 3600 * RS_NS_PER_SEC;
	eo.synthetic_slots = 65536;
	n->infer = rs_audit_infer_new(INFER_SLOTS);
	if (n->infer == NULL || rs_engine_new(&eo, &n->eng) < 0 ||
	    set_gen(r, n, gen_at(r, t)) < 0) {
		fail(r, -ENOMEM, "cannot start the verdict engine");
		node_free(n);
		return NULL;
	}
	n->next_tick = t + TICK_NS;
	r->nodes[r->n_nodes++] = n;
	r->stats->nodes = r->n_nodes;
	return n;
}

static int tick(struct replay *r, struct node *n, int64_t t, bool flush)
{
	int rc = rs_engine_tick(n->eng, t);

	if (rc >= 0 && (flush || ++n->ticks % FLUSH_TICKS == 0))
		rc = rs_store_flush(n->st);
	return rc < 0 ? fail(r, rc, "cannot write %s: %s", n->path, rs_store_errmsg(n->st)) : 0;
}

/* --- events ---------------------------------------------------------------------- */

static void note_write(struct node *n, const struct rs_event *ev)
{
	struct write_seen *w;

	if (n->n_writes == MAX_WRITES) {
		n->more_writes++;
		return;
	}
	w = &n->writes[n->n_writes++];
	w->time_ns = ev->time_ns;
	w->pid = ev->proc.pid;
	snprintf(w->comm, sizeof(w->comm), "%s", ev->proc.comm ? ev->proc.comm : "");
	snprintf(w->exe, sizeof(w->exe), "%s", ev->proc.exe ? ev->proc.exe : "");
	snprintf(w->syscall, sizeof(w->syscall), "%s",
		 ev->u.config.syscall ? ev->u.config.syscall : "");
}

static void on_event(void *ctx, const struct rs_audit_event *ae)
{
	struct replay *r = ctx;
	const struct rs_replay_opts *o = r->o;
	struct rs_event evs[4];
	struct node *n;
	size_t k;

	r->stats->events++;
	if (r->err != 0 || (o->node != NULL && strcmp(ae->node, o->node) != 0))
		return;
	n = node_get(r, ae->node, ae->time_ns);
	if (n == NULL)
		return;
	if ((o->since_ns != 0 && ae->time_ns < o->since_ns) ||
	    (o->until_ns != 0 && ae->time_ns > o->until_ns)) {
		/* Not judged, but a connect before the window tells where the
		 * sends in it go. */
		r->stats->outside++;
		(void)rs_audit_infer_apply(n->infer, ae, evs, 0, 0);
		return;
	}
	n->events++;
	/* A change between the last event and this one. */
	while (n->gen + 1 < r->n_gens && ae->time_ns >= r->gens[n->gen + 1].time_ns) {
		if (tick(r, n, r->gens[n->gen + 1].time_ns, true) < 0 ||
		    set_gen(r, n, n->gen + 1) < 0)
			return;
	}
	/* resolvstale's own reads (the plugin reads every process's
	 * resolv.conf through /proc/PID/root): not a client. */
	if (strcmp(ae->comm, "resolvstale") == 0) {
		r->stats->own++;
		return;
	}
	k = rs_audit_classify(ae, &r->match, evs, 4);
	k = rs_audit_infer_apply(n->infer, ae, evs, k, 4);
	for (size_t i = 0; i < k; i++) {
		if (evs[i].type == RS_EV_DNS_SEND) {
			r->stats->dns_sends++;
			r->stats->inferred += evs[i].u.dns.inferred;
			n->dns_sends++;
			n->inferred += evs[i].u.dns.inferred;
		} else {
			r->stats->config++;
		}
		if (evs[i].type == RS_EV_CONFIG_WRITE) {
			r->stats->writes++;
			note_write(n, &evs[i]);
		}
		rs_engine_feed(n->eng, &evs[i]);
	}
	if (ae->time_ns > n->last_ns)
		n->last_ns = ae->time_ns;
	if (ae->time_ns >= n->next_tick) {
		n->next_tick = ae->time_ns + TICK_NS;
		(void)tick(r, n, ae->time_ns, false);
	}
}

/* --- reading the files -------------------------------------------------------------- */

/* The time of the first record in the first 64 KiB of a file, or INT64_MAX. */
static int64_t first_time(const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const char *p;

	if (fd < 0)
		return INT64_MAX;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return INT64_MAX;
	buf[n] = '\0';
	for (p = strstr(buf, "msg=audit("); p != NULL; p = strstr(p + 1, "msg=audit(")) {
		uint64_t sec = 0, ms = 0;
		char *e;

		sec = strtoull(p + 10, &e, 10);
		if (*e == '.')
			ms = strtoull(e + 1, &e, 10);
		if (*e == ':' && sec > 0)
			return (int64_t)sec * RS_NS_PER_SEC + (int64_t)ms * RS_NS_PER_MS;
	}
	return INT64_MAX;
}

struct ordered {
	const char *path;
	int64_t first;
	size_t index;
};

static int cmp_ordered(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Feed the valid lines of buf[0..len) (whole lines) and count the rest. */
static void feed_lines(struct replay *r, struct rs_audit_feed *feed, const char *buf, size_t len)
{
	const char *run = NULL, *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		size_t ll = (size_t)((nl ? nl : end) - p);

		r->stats->lines++;
		if (ll == 0) {
			/* an empty line: skip quietly */
		} else if (ll > MAX_LINE || !rs_audit_line_plausible(p, ll)) {
			r->stats->garbage++;
			if (run != NULL)
				rs_audit_feed_text(feed, run, (size_t)(p - run));
			run = NULL;
			p = next;
			continue;
		}
		if (ll > 0)
			r->stats->records++;
		if (run == NULL)
			run = p;
		p = next;
	}
	if (run != NULL)
		rs_audit_feed_text(feed, run, (size_t)(end - run));
}

static int read_file(struct replay *r, struct rs_audit_feed *feed, const char *path)
{
	/* Before each read at most MAX_LINE bytes of an unfinished line wait
	 * in buf: a chunk, that tail and the newline added at the end fit. */
	char *buf = malloc(CHUNK + MAX_LINE + 2);
	size_t have = 0;
	bool skipping = false; /* inside a line too long to keep */
	int fd, rc = 0;

	if (buf == NULL)
		return fail(r, -ENOMEM, "out of memory");
	fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = fail(r, -errno, "cannot open %s: %s", path, strerror(errno));
		free(buf);
		return rc;
	}
	for (bool first = true;; first = false) {
		ssize_t n = read(fd, buf + have, CHUNK);
		size_t start = 0, end, tail;
		char *last;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fail(r, -errno, "cannot read %s: %s", path, strerror(errno));
			break;
		}
		if (first && n >= 2 && (unsigned char)buf[0] == 0x1f &&
		    (unsigned char)buf[1] == 0x8b) {
			rc = fail(r, -EINVAL,
				  "%s is compressed: decompress it first (zcat %s | resolvstale "
				  "replay ... -)",
				  path, path);
			break;
		}
		r->stats->bytes += (uint64_t)n;
		have += (size_t)n;
		if (n == 0) {
			/* The end: a last line without a newline is read as far
			 * as it goes (a record cut short loses its last fields). */
			if (have > 0 && !skipping) {
				buf[have++] = '\n';
				feed_lines(r, feed, buf, have);
			}
			break;
		}
		if (skipping) {
			char *nl = memchr(buf, '\n', have);
			if (nl == NULL) {
				have = 0;
				continue;
			}
			start = (size_t)(nl - buf) + 1;
			skipping = false;
		}
		last = memrchr(buf + start, '\n', have - start);
		end = last ? (size_t)(last - buf) + 1 : start;
		feed_lines(r, feed, buf + start, end - start);
		tail = have - end;
		if (tail > MAX_LINE) {
			/* No newline in a whole line's worth: garbage up to the
			 * next newline. */
			r->stats->garbage++;
			r->stats->lines++;
			skipping = true;
			have = 0;
		} else {
			memmove(buf, buf + end, tail);
			have = tail;
		}
		if (r->err != 0)
			break;
	}
	close(fd);
	free(buf);
	return rc;
}

static int read_all(struct replay *r)
{
	struct ordered *ord = calloc(r->o->n_files, sizeof(*ord));
	struct rs_audit_feed *feed = rs_audit_feed_new(on_event, r);
	int rc = 0;

	r->order = calloc(r->o->n_files, sizeof(*r->order));
	if (ord == NULL || feed == NULL || r->order == NULL) {
		free(ord);
		rs_audit_feed_free(feed);
		return fail(r, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r->o->n_files; i++) {
		struct stat sb;
		const char *p = r->o->files[i];

		if (strcmp(p, "-") != 0 && (stat(p, &sb) < 0 || !S_ISREG(sb.st_mode))) {
			rc = fail(r, errno ? -errno : -EINVAL, "cannot read %s: %s", p,
				  errno ? strerror(errno) : "not a regular file");
			goto out;
		}
		ord[i].path = p;
		ord[i].index = i;
		ord[i].first = strcmp(p, "-") == 0 ? INT64_MIN : first_time(p);
	}
	/* Rotated pieces in the order of their first record: audit.log.3 before
	 * audit.log.2 before audit.log, whatever order they were named in. */
	qsort(ord, r->o->n_files, sizeof(*ord), cmp_ordered);
	for (size_t i = 0; i < r->o->n_files && rc == 0; i++) {
		r->order[i] = ord[i].path;
		r->stats->files++;
		rc = read_file(r, feed, ord[i].path);
	}
	rs_audit_feed_flush(feed);
out:
	rs_audit_feed_free(feed);
	free(ord);
	return rc;
}

/* --- the report ---------------------------------------------------------------------- */

struct extra {
	struct replay *r;
	struct node *n;
};

static void json_extra(void *ctx, struct rs_json *j)
{
	struct extra *x = ctx;
	const struct rs_replay_stats *s = x->r->stats;
	char t[RS_TIME_BUF];

	rs_json_key(j, "replay");
	rs_json_obj_begin(j);
	rs_json_key(j, "files");
	rs_json_arr_begin(j);
	for (size_t i = 0; i < s->files; i++)
		rs_json_str(j, x->r->order[i]);
	rs_json_arr_end(j);
	rs_json_kv_str(j, "node", x->n->name);
	rs_json_kv_uint(j, "bytes", s->bytes);
	rs_json_kv_uint(j, "lines", s->lines);
	rs_json_kv_uint(j, "garbage_lines", s->garbage);
	rs_json_kv_uint(j, "records", s->records);
	/* The node's own (files, lines and records are the logs'). */
	rs_json_kv_uint(j, "events", x->n->events);
	rs_json_kv_uint(j, "dns_sends", x->n->dns_sends);
	rs_json_kv_uint(j, "inferred_sends", x->n->inferred);
	rs_json_kv_uint(j, "outside_window", s->outside);
	rs_json_key(j, "resolv_conf_writes");
	rs_json_arr_begin(j);
	for (size_t i = 0; i < x->n->n_writes; i++) {
		const struct write_seen *w = &x->n->writes[i];
		rs_json_obj_begin(j);
		rs_json_kv_str(j, "time", rs_time_rfc3339(w->time_ns, t, sizeof(t)));
		rs_json_kv_int(j, "pid", w->pid);
		rs_json_kv_str(j, "comm", w->comm);
		rs_json_kv_str(j, "exe", w->exe);
		rs_json_kv_str(j, "syscall", w->syscall);
		rs_json_obj_end(j);
	}
	rs_json_arr_end(j);
	rs_json_kv_uint(j, "more_writes", x->n->more_writes);
	rs_json_obj_end(j);
}

static void text_extra(void *ctx, struct rs_sbuf *sb)
{
	struct extra *x = ctx;
	const struct rs_replay_stats *s = x->r->stats;
	char t[RS_TIME_BUF];

	rs_sbuf_printf(sb,
		       "  replay     %llu file%s, %llu records, %llu DNS sends (%llu inferred from "
		       "an earlier connect); %llu lines that are not audit records skipped\n",
		       (unsigned long long)s->files, s->files == 1 ? "" : "s",
		       (unsigned long long)s->records, (unsigned long long)x->n->dns_sends,
		       (unsigned long long)x->n->inferred, (unsigned long long)s->garbage);
	for (size_t i = 0; i < x->n->n_writes; i++) {
		const struct write_seen *w = &x->n->writes[i];
		rs_sbuf_printf(sb, "  written    %s by pid %d ",
			       rs_time_local(w->time_ns, t, sizeof(t)), (int)w->pid);
		rs_escape_text(sb, w->comm, strlen(w->comm));
		rs_sbuf_printf(sb, " (%s)\n", w->syscall);
	}
	if (x->n->more_writes > 0)
		rs_sbuf_printf(sb, "  written    ... and %llu more times\n",
			       (unsigned long long)x->n->more_writes);
}

static int report_node(struct replay *r, struct node *n, FILE *out, const struct rs_report_opts *ro,
		       int64_t *counts, bool *failed_load)
{
	struct extra x = {r, n};
	struct rs_report_opts o = *ro;
	struct rs_rdata d;
	char err[320];
	int64_t g = r->o->generation >= 0 ? r->o->generation : r->gens[n->gen].number;
	int rc, status;

	rc = rs_rdata_load(n->path, g, 0, &d, err, sizeof(err));
	if (rc < 0) {
		*failed_load = true;
		return fail(r, rc, "%s", err);
	}
	o.json_extra = json_extra;
	o.text_extra = text_extra;
	o.extra_ctx = &x;
	status = rs_report_status(&d, &o);
	if (counts != NULL) {
		counts[0] += (int64_t)d.counting_stale;
		counts[1] += (int64_t)d.counting_at_risk;
		for (int v = RS_V_STALE; v < RS_V_COUNT; v++)
			counts[1 + v] += (int64_t)d.counts[v];
	}
	if (out != NULL && rs_report_write(&d, &o, out) < 0)
		rc = fail(r, -EIO, "cannot write the report: %s", strerror(errno ? errno : EIO));
	rs_rdata_clear(&d);
	return rc < 0 ? rc : status;
}

/* Several nodes: a report per node, then a summary. */
static int report_nodes(struct replay *r, FILE *out)
{
	const struct rs_report_opts *ro = &r->o->report;
	int worst = 0;
	bool bad = false;
	int64_t total[2 + RS_V_COUNT] = {0};

	if (ro->format == RS_REPORT_JSON)
		fputs("{\"schema\":1,\"nodes\":[", out);
	for (size_t i = 0; i < r->n_nodes; i++) {
		struct node *n = r->nodes[i];
		struct rs_report_opts o = *ro;
		struct rs_sbuf sb = RS_SBUF_INIT;
		int64_t c[2 + RS_V_COUNT] = {0};
		int st;

		o.csv_node = n->name;
		o.csv_no_header = i > 0;
		if (ro->format == RS_REPORT_JSON) {
			rs_json_escape(&sb, n->name, strlen(n->name));
			fprintf(out, "%s{\"node\":%s,\"report\":", i ? "," : "", rs_sbuf_str(&sb));
		} else if (ro->format == RS_REPORT_TEXT) {
			rs_escape_text(&sb, n->name[0] ? n->name : "(no node= prefix)",
				       strlen(n->name[0] ? n->name : "(no node= prefix)"));
			fprintf(out, "%s=== node %s ===\n", i ? "\n" : "", rs_sbuf_str(&sb));
		}
		rs_sbuf_free(&sb);
		st = report_node(r, n, ro->format == RS_REPORT_NAGIOS ? NULL : out, &o, c, &bad);
		if (st < 0)
			return st;
		if (ro->format == RS_REPORT_JSON)
			fputs("}", out);
		for (size_t k = 0; k < 2 + RS_V_COUNT; k++)
			total[k] += c[k];
		if (ro->format == RS_REPORT_NAGIOS)
			worst = st > worst ? st : worst;
		else
			worst |= st;
	}
	if (ro->format == RS_REPORT_JSON) {
		fprintf(out,
			"],\"summary\":{\"nodes\":%zu,\"counting_stale\":%lld,"
			"\"counting_at_risk\":%lld",
			r->n_nodes, (long long)total[0], (long long)total[1]);
		for (int v = RS_V_STALE; v < RS_V_COUNT; v++)
			fprintf(out, ",\"%s\":%lld", rs_verdict_name((enum rs_verdict)v),
				(long long)total[1 + v]);
		fputs("}}\n", out);
	} else if (ro->format == RS_REPORT_TEXT) {
		fprintf(out,
			"\n=== %zu nodes: %lld stale and %lld at risk count against compliance\n",
			r->n_nodes, (long long)total[0], (long long)total[1]);
	} else if (ro->format == RS_REPORT_NAGIOS) {
		static const char *const names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};
		fprintf(out,
			"RESOLVSTALE %s - %zu nodes: %lld stale, %lld at risk | stale=%lld;;1;0 "
			"at_risk=%lld;1;;0 nodes=%zu\n",
			names[worst & 3], r->n_nodes, (long long)total[0], (long long)total[1],
			(long long)total[0], (long long)total[1], r->n_nodes);
	}
	(void)bad;
	return worst;
}

static int make_dir(struct replay *r)
{
	if (r->o->keep_dir != NULL) {
		snprintf(r->dir, sizeof(r->dir), "%s", r->o->keep_dir);
		if (mkdir(r->dir, 0700) < 0 && errno != EEXIST)
			return fail(r, -errno, "cannot create %s: %s", r->dir, strerror(errno));
		return 0;
	}
	snprintf(r->dir, sizeof(r->dir), "%s/resolvstale-replay.XXXXXX",
		 getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(r->dir) == NULL)
		return fail(r, -errno, "cannot create a temporary directory: %s", strerror(errno));
	r->made_dir = true;
	return 0;
}

static void cleanup(struct replay *r)
{
	for (size_t i = 0; i < r->n_nodes; i++) {
		if (r->made_dir) {
			char p[PATH_MAX + 48];
			unlink(r->nodes[i]->path);
			snprintf(p, sizeof(p), "%s-wal", r->nodes[i]->path);
			unlink(p);
			snprintf(p, sizeof(p), "%s-shm", r->nodes[i]->path);
			unlink(p);
			snprintf(p, sizeof(p), "%s.lock", r->nodes[i]->path);
			unlink(p);
		}
		node_free(r->nodes[i]);
	}
	if (r->made_dir)
		rmdir(r->dir);
	for (size_t i = 0; i < r->n_gens; i++)
		rs_generation_clear(&r->gens[i]);
	free(r->gens);
	free(r->order);
}

int rs_replay_run(const struct rs_replay_opts *o, FILE *out, struct rs_replay_stats *stats,
		  char *err, size_t errlen)
{
	struct replay r;
	int64_t t0 = rs_time_mono_ns();
	int rc;

	memset(&r, 0, sizeof(r));
	memset(stats, 0, sizeof(*stats));
	r.o = o;
	r.stats = stats;
	r.errmsg = err;
	r.errlen = errlen;
	r.match.target = o->resolv_conf;
	r.match.our_keys = "resolvstale-";
	rc = load_generations(&r);
	if (rc == 0)
		rc = make_dir(&r);
	if (rc == 0)
		rc = read_all(&r);
	if (rc == 0 && r.err == 0 && r.n_nodes == 0 && o->node != NULL && o->node[0] != '\0')
		rc = fail(&r, -ENOENT, "no record of node %s in the logs", o->node);
	if (rc == 0 && r.err == 0 && r.n_nodes == 0 &&
	    node_get(&r, o->node ? o->node : "", o->since_ns ? o->since_ns : rs_time_now_ns()) ==
		    NULL)
		rc = -1;
	/* The end of the logs: everyone idle long enough to be written out. */
	for (size_t i = 0; rc == 0 && r.err == 0 && i < r.n_nodes; i++) {
		struct node *n = r.nodes[i];
		int64_t end = n->last_ns + 3600 * RS_NS_PER_SEC;
		if (tick(&r, n, end, false) < 0 || tick(&r, n, end + 20 * RS_NS_PER_SEC, true) < 0)
			break;
	}
	/* The stores are complete: close them, the report reads them. */
	for (size_t i = 0; i < r.n_nodes; i++) {
		rs_engine_free(r.nodes[i]->eng);
		r.nodes[i]->eng = NULL;
		if (rs_store_close(r.nodes[i]->st) < 0 && r.err == 0)
			fail(&r, -EIO, "cannot write %s", r.nodes[i]->path);
		r.nodes[i]->st = NULL;
	}
	stats->seconds = (double)(rs_time_mono_ns() - t0) / 1e9;
	if (rc == 0 && r.err == 0) {
		if (r.n_nodes == 1) {
			bool bad = false;
			rc = report_node(&r, r.nodes[0], out, &o->report, NULL, &bad);
		} else {
			rc = report_nodes(&r, out);
		}
	}
	if (r.err != 0)
		rc = -1;
	cleanup(&r);
	return rc;
}
