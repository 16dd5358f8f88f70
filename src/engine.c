/* The verdict engine: per-process evidence of the generation in force. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/engine.h"
#include "resolvstale/hash.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sock.h"
#include "resolvstale/timefmt.h"

#define MAX_ROWS        24   /* evidence rows per process */
#define SYNTH_SLOTS     1024 /* pids whose starttime was unknown, recently */
#define SYNTH_TTL_NS    (5 * RS_NS_PER_SEC)
#define CHECKS_PER_TICK 4096
#define MAX_NETNS       256

struct row {
	struct rs_evidence e;
	bool dirty;
};

struct entry {
	struct entry *next; /* hash chain */
	int32_t pid;
	uint64_t starttime;
	bool synthetic;
	int32_t ppid;
	int64_t uid, auid;
	char comm[RS_COMM_MAX];
	char *exe, *cmdline, *config_ns;
	int64_t start_ns, first_seen_ns, last_activity_ns, exit_ns, checked_ns;
	bool exited, have_facts, asked_facts;
	bool dirty, proc_dirty, written;
	uint64_t netns;
	enum rs_config_domain domain;
	bool have_runtime;
	enum rs_runtime_kind runtime;
	struct rs_runtime_path primary, second;
	struct row *rows;
	size_t n_rows;
	struct rs_vseq seq;
	uint64_t n_new; /* sends to current servers since the change */
	enum rs_verdict verdict;
	char reason[RS_VERDICT_REASON_MAX];
};

struct synth {
	int32_t pid;
	uint64_t starttime;
	int64_t seen_ns;
	uint64_t exe_hash;
};

struct rs_engine {
	struct rs_engine_opts o;
	struct rs_addr extra[RS_ENGINE_MAX_RETIRED];
	int64_t number, t_ns;
	bool have_gen;
	struct rs_addr current[RS_RC_MAXNS];
	size_t n_current;
	struct rs_addr retired[RS_ENGINE_MAX_RETIRED];
	size_t n_retired;
	struct entry **buckets;
	size_t n_buckets, n_entries;
	uint64_t netns[MAX_NETNS]; /* namespaces where the watched file is read */
	size_t n_netns;
	struct synth *synth; /* synth_slots entries, by pid */
	size_t synth_slots;
	uint64_t synth_next;
	uint64_t full_pending;
	struct rs_engine_stats stats;
};

static size_t bucket_of(const struct rs_engine *e, int32_t pid, uint64_t starttime)
{
	return (size_t)(rs_hash_mix(((uint64_t)(uint32_t)pid << 32) ^ rs_hash_mix(starttime)) &
			(e->n_buckets - 1));
}

int rs_engine_new(const struct rs_engine_opts *o, struct rs_engine **out)
{
	struct rs_engine *e = calloc(1, sizeof(*e));

	*out = NULL;
	if (e == NULL)
		return -ENOMEM;
	e->o = *o;
	if (e->o.max_entries == 0)
		e->o.max_entries = RS_ENGINE_DEFAULT_MAX;
	if (e->o.exit_check_ns <= 0)
		e->o.exit_check_ns = 2 * RS_NS_PER_SEC;
	if (e->o.evict_after_ns <= 0)
		e->o.evict_after_ns = 10 * RS_NS_PER_SEC;
	if (e->o.synthetic_ttl_ns <= 0)
		e->o.synthetic_ttl_ns = SYNTH_TTL_NS;
	if (e->o.clk_tck <= 0)
		e->o.clk_tck = 100;
	if (o->n_extra_retired > RS_ENGINE_MAX_RETIRED) {
		free(e);
		return -E2BIG;
	}
	if (o->n_extra_retired > 0)
		memcpy(e->extra, o->extra_retired, o->n_extra_retired * sizeof(e->extra[0]));
	e->o.extra_retired = e->extra;
	e->n_buckets = 1024;
	e->buckets = calloc(e->n_buckets, sizeof(*e->buckets));
	e->synth_slots = o->synthetic_slots > 0 ? o->synthetic_slots : SYNTH_SLOTS;
	e->synth = calloc(e->synth_slots, sizeof(*e->synth));
	if (e->buckets == NULL || e->synth == NULL) {
		free(e->buckets);
		free(e->synth);
		free(e);
		return -ENOMEM;
	}
	/* Synthetic starttimes are stored: start them from the clock (in
	 * microseconds, below RS_ENGINE_SYNTHETIC) so that a restarted daemon
	 * never reuses one of an earlier run. */
	e->synth_next = (uint64_t)(rs_time_now_ns() / 1000) & (RS_ENGINE_SYNTHETIC - 1);
	*out = e;
	return 0;
}

static void entry_free(struct entry *p)
{
	free(p->exe);
	free(p->cmdline);
	free(p->config_ns);
	free(p->rows);
	free(p);
}

static void clear_entries(struct rs_engine *e)
{
	for (size_t b = 0; b < e->n_buckets; b++) {
		struct entry *p = e->buckets[b], *next;
		for (; p != NULL; p = next) {
			next = p->next;
			entry_free(p);
		}
		e->buckets[b] = NULL;
	}
	e->n_entries = 0;
	e->stats.entries = 0;
}

void rs_engine_free(struct rs_engine *e)
{
	if (e == NULL)
		return;
	clear_entries(e);
	free(e->buckets);
	free(e->synth);
	free(e);
}

const struct rs_engine_stats *rs_engine_stats(const struct rs_engine *e)
{
	return &e->stats;
}

int64_t rs_engine_generation(const struct rs_engine *e)
{
	return e->have_gen ? e->number : -1;
}

/* --- processes ------------------------------------------------------------------ */

static struct entry *find(struct rs_engine *e, int32_t pid, uint64_t starttime)
{
	struct entry *p = e->buckets[bucket_of(e, pid, starttime)];

	while (p != NULL && (p->pid != pid || p->starttime != starttime))
		p = p->next;
	return p;
}

static void grow(struct rs_engine *e)
{
	size_t n = e->n_buckets * 2;
	struct entry **b = calloc(n, sizeof(*b));
	struct entry **old = e->buckets;
	size_t old_n = e->n_buckets;

	if (b == NULL)
		return; /* longer chains, still correct */
	e->buckets = b;
	e->n_buckets = n;
	for (size_t i = 0; i < old_n; i++) {
		struct entry *p = old[i], *next;
		for (; p != NULL; p = next) {
			size_t k = bucket_of(e, p->pid, p->starttime);
			next = p->next;
			p->next = b[k];
			b[k] = p;
		}
	}
	free(old);
}

static int add_row(struct entry *p, const struct rs_evidence *ev);

struct loading {
	struct rs_engine *e;
	struct entry *p;
};

static int put_row(struct rs_engine *e, struct entry *p, const struct rs_evidence *ev);

static int load_row(void *ctx, const struct rs_evidence *ev)
{
	struct loading *l = ctx;

	if (put_row(l->e, l->p, ev) == 0) {
		/* What was just read is what the store has. */
		for (size_t i = 0; i < l->p->n_rows; i++)
			l->p->rows[i].dirty = false;
	}
	return 0;
}

static int64_t start_of(const struct rs_engine *e, uint64_t starttime)
{
	if (starttime == 0 || (starttime & RS_ENGINE_SYNTHETIC) || e->o.boot_ns <= 0)
		return 0;
	return e->o.boot_ns +
	       (int64_t)(starttime * (uint64_t)RS_NS_PER_SEC / (uint64_t)e->o.clk_tck);
}

static void evict_some(struct rs_engine *e, int64_t now_ns, bool any_age);

static struct entry *get(struct rs_engine *e, int32_t pid, uint64_t starttime, int64_t t_ns,
			 bool *created)
{
	struct entry *p = find(e, pid, starttime);
	size_t k;

	*created = false;
	if (p != NULL)
		return p;
	if (e->n_entries >= e->o.max_entries) {
		evict_some(e, t_ns, true);
		if (e->n_entries >= e->o.max_entries) {
			e->stats.full++;
			e->full_pending++;
			return NULL;
		}
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		e->stats.full++;
		e->full_pending++;
		return NULL;
	}
	p->pid = pid;
	p->starttime = starttime;
	p->synthetic = (starttime & RS_ENGINE_SYNTHETIC) != 0;
	p->exited = p->synthetic; /* its starttime was unreadable: it was gone */
	p->exit_ns = p->synthetic ? t_ns : 0;
	p->ppid = -1;
	p->uid = p->auid = -1;
	p->first_seen_ns = t_ns;
	p->last_activity_ns = t_ns;
	p->checked_ns = t_ns;
	p->start_ns = start_of(e, starttime);
	p->dirty = p->proc_dirty = true;
	if (e->o.store != NULL) {
		struct loading l = {e, p};
		int64_t first = 0;
		int r = rs_store_load_state(e->o.store, e->number, pid, starttime, load_row, &l,
					    &p->seq, &first);
		if (r > 0) {
			e->stats.loaded++;
			if (first > 0 && first < p->first_seen_ns)
				p->first_seen_ns = first;
			p->written = true;
			/* The count of sends to current servers, for the order of
			 * sends that follow (struct rs_vseq). */
			for (size_t i = 0; i < p->n_rows; i++)
				if (p->rows[i].e.kind == RS_EK_SEND && p->rows[i].e.port == 53 &&
				    rs_addr_in(&p->rows[i].e.dst, e->current, e->n_current))
					p->n_new += p->rows[i].e.count;
		} else if (r < 0) {
			e->stats.store_errors++;
		}
	}
	if (e->n_entries + 1 > e->n_buckets)
		grow(e);
	k = bucket_of(e, pid, starttime);
	p->next = e->buckets[k];
	e->buckets[k] = p;
	e->n_entries++;
	e->stats.entries = e->n_entries;
	if (e->n_entries > e->stats.peak)
		e->stats.peak = e->n_entries;
	*created = true;
	return p;
}

static void unlink_entry(struct rs_engine *e, struct entry *p)
{
	struct entry **pp = &e->buckets[bucket_of(e, p->pid, p->starttime)];

	while (*pp != NULL && *pp != p)
		pp = &(*pp)->next;
	if (*pp == p)
		*pp = p->next;
	e->n_entries--;
	e->stats.entries = e->n_entries;
}

/* The starttime to use for an event: the source's, or a synthetic one shared
 * by recent events of the same pid and exe. */
static uint64_t identity(struct rs_engine *e, const struct rs_proc *pr, int64_t t_ns)
{
	struct synth *s;
	uint64_t h;

	if (pr->starttime != 0)
		return pr->starttime;
	s = &e->synth[(uint32_t)pr->pid % e->synth_slots];
	h = rs_hash_str(pr->exe);
	if (s->pid == pr->pid && s->exe_hash == h && t_ns - s->seen_ns < e->o.synthetic_ttl_ns &&
	    t_ns >= s->seen_ns - e->o.synthetic_ttl_ns) {
		s->seen_ns = t_ns;
		return s->starttime;
	}
	s->pid = pr->pid;
	s->exe_hash = h;
	s->seen_ns = t_ns;
	s->starttime = RS_ENGINE_SYNTHETIC | (e->synth_next++ & (RS_ENGINE_SYNTHETIC - 1));
	return s->starttime;
}

static char *dup_bounded(const char *s, size_t max)
{
	return s == NULL ? NULL : strndup(s, max);
}

/* Fill what the entry does not know yet from an event's process. */
static void take_proc(struct entry *p, const struct rs_proc *pr)
{
	if (p->ppid < 0 && pr->ppid > 0) {
		p->ppid = pr->ppid;
		p->proc_dirty = true;
	}
	if (p->uid < 0 && pr->uid >= 0)
		p->uid = pr->uid;
	if (p->auid < 0 && pr->auid >= 0)
		p->auid = pr->auid;
	if (p->comm[0] == '\0' && pr->comm != NULL) {
		snprintf(p->comm, sizeof(p->comm), "%s", pr->comm);
		p->proc_dirty = true;
	}
	if (p->exe == NULL && pr->exe != NULL) {
		p->exe = dup_bounded(pr->exe, 4096);
		p->proc_dirty = true;
	}
	if (p->cmdline == NULL && pr->cmdline != NULL) {
		p->cmdline = dup_bounded(pr->cmdline, 4096);
		p->proc_dirty = true;
	}
}

/* --- evidence ------------------------------------------------------------------- */

static bool same_key(const struct rs_evidence *a, const struct rs_evidence *b)
{
	return a->kind == b->kind && a->source == b->source && a->port == b->port &&
	       a->proto == b->proto && a->inferred == b->inferred &&
	       strcmp(a->syscall, b->syscall) == 0 &&
	       (a->dst.family == 0 ? b->dst.family == 0 : rs_addr_equal(&a->dst, &b->dst));
}

/* Merge ev (count, first, last) into the entry's matching row, or add one.
 * Returns 0, or -ENOSPC when the entry has too many rows. */
static int add_row(struct entry *p, const struct rs_evidence *ev)
{
	struct row *r;

	for (size_t i = 0; i < p->n_rows; i++) {
		r = &p->rows[i];
		if (!same_key(&r->e, ev))
			continue;
		if (ev->first_ns < r->e.first_ns)
			r->e.first_ns = ev->first_ns;
		if (ev->last_ns > r->e.last_ns)
			r->e.last_ns = ev->last_ns;
		r->e.count += ev->count;
		r->dirty = true;
		return 0;
	}
	if (p->n_rows == MAX_ROWS)
		return -ENOSPC;
	r = realloc(p->rows, (p->n_rows + 1) * sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	p->rows = r;
	r = &p->rows[p->n_rows++];
	r->e = *ev;
	r->dirty = true;
	return 0;
}

static bool is_current(const struct rs_engine *e, const struct rs_addr *a)
{
	return rs_addr_in(a, e->current, e->n_current);
}

static bool is_retired(const struct rs_engine *e, const struct rs_addr *a)
{
	return rs_addr_in(a, e->retired, e->n_retired);
}

/* The order of sends, which the rows cannot keep. */
static void sequence(struct rs_engine *e, struct entry *p, const struct rs_evidence *ev)
{
	if (ev->kind != RS_EK_SEND || ev->port != 53)
		return;
	int64_t from = e->t_ns + (p->start_ns > e->t_ns ? 0 : e->o.grace_ns);

	if (is_retired(e, &ev->dst) && ev->last_ns >= from) {
		if (ev->last_ns >= p->seq.last_stale_ns) {
			p->seq.last_stale_ns = ev->last_ns;
			p->seq.new_before = p->n_new;
			p->seq.new_after = 0;
		}
	} else if (is_current(e, &ev->dst)) {
		p->n_new += ev->count;
		if (p->seq.last_stale_ns != 0 && ev->last_ns > p->seq.last_stale_ns)
			p->seq.new_after += ev->count;
		else if (p->seq.last_stale_ns != 0)
			p->seq.new_before += ev->count;
	}
}

/* Rows a verdict depends on: opens of the file, traffic to a retired or a
 * current server. */
static bool decisive(const struct rs_engine *e, const struct rs_evidence *ev)
{
	if (ev->kind == RS_EK_OPEN)
		return true;
	return (ev->kind == RS_EK_SEND || ev->kind == RS_EK_SOCKET) && ev->port == 53 &&
	       (is_retired(e, &ev->dst) || is_current(e, &ev->dst));
}

/* Merge a row in; when the process has as many rows as it may, a row that
 * decides a verdict takes the place of one that does not (a recursive
 * resolver talks to many servers). Returns 0 or -ENOSPC / -ENOMEM. */
static int put_row(struct rs_engine *e, struct entry *p, const struct rs_evidence *ev)
{
	int r = add_row(p, ev);

	if (r != -ENOSPC || !decisive(e, ev))
		return r;
	for (size_t i = 0; i < p->n_rows; i++) {
		if (decisive(e, &p->rows[i].e))
			continue;
		p->rows[i].e = *ev;
		p->rows[i].dirty = true;
		return 0;
	}
	return r;
}

static void evidence(struct rs_engine *e, struct entry *p, const struct rs_evidence *ev)
{
	if (put_row(e, p, ev) < 0) {
		e->stats.rows_full++;
		return;
	}
	sequence(e, p, ev);
	p->dirty = true;
	if (ev->last_ns > p->last_activity_ns)
		p->last_activity_ns = ev->last_ns;
}

/* --- facts ---------------------------------------------------------------------- */

static bool netns_known(const struct rs_engine *e, uint64_t ns)
{
	for (size_t i = 0; i < e->n_netns; i++)
		if (e->netns[i] == ns)
			return true;
	return false;
}

static void mark_all_dirty(struct rs_engine *e)
{
	for (size_t b = 0; b < e->n_buckets; b++)
		for (struct entry *p = e->buckets[b]; p != NULL; p = p->next)
			p->dirty = true;
}

static void take_facts(struct rs_engine *e, struct entry *p, const struct rs_event *ev)
{
	const struct rs_proc_facts *f = ev->u.info.facts;
	const struct rs_runtime *rt = ev->u.info.runtime;

	if (f == NULL)
		return;
	p->have_facts = true;
	p->proc_dirty = p->dirty = true;
	if (f->id.ppid > 0)
		p->ppid = f->id.ppid;
	if (f->id.uid >= 0)
		p->uid = f->id.uid;
	snprintf(p->comm, sizeof(p->comm), "%s", f->id.comm);
	if (f->id.exe != NULL) {
		free(p->exe);
		p->exe = dup_bounded(f->id.exe, 4096);
	}
	if (f->cmdline != NULL) {
		free(p->cmdline);
		p->cmdline = dup_bounded(f->cmdline, 4096);
	}
	free(p->config_ns);
	p->config_ns = dup_bounded(f->config_ns, 1024);
	if (f->start_ns != 0 && p->start_ns == 0)
		p->start_ns = f->start_ns;
	p->domain = f->domain;
	p->netns = f->netns;
	if (rt != NULL) {
		p->have_runtime = true;
		p->runtime = rt->kind;
		p->primary = rt->primary;
		p->second = rt->second;
	}
	/* The file is read in this namespace: its loopback addresses are the
	 * ones the file names. */
	if (f->domain == RS_DOMAIN_HOST && f->netns != 0 && !netns_known(e, f->netns) &&
	    e->n_netns < MAX_NETNS) {
		e->netns[e->n_netns++] = f->netns;
		mark_all_dirty(e);
	}
}

/* --- events ---------------------------------------------------------------------- */

static void fill_send(const struct rs_event *ev, struct rs_evidence *x)
{
	rs_addr_unmap(&ev->u.dns.dst, &x->dst);
	x->kind = RS_EK_SEND;
	x->port = ev->u.dns.port;
	x->proto = ev->u.dns.proto;
	x->inferred = ev->u.dns.inferred;
	x->count = ev->u.dns.count ? ev->u.dns.count : 1;
	snprintf(x->syscall, sizeof(x->syscall), "%s", ev->u.dns.syscall ? ev->u.dns.syscall : "");
}

static void fill_socket(const struct rs_event *ev, struct rs_evidence *x)
{
	const struct rs_sock *k = ev->u.socket.sock;

	rs_addr_unmap(&k->remote, &x->dst);
	x->kind = RS_EK_SOCKET;
	x->port = k->rport;
	x->proto = k->proto;
}

static void fill_config(const struct rs_event *ev, struct rs_evidence *x)
{
	x->kind = ev->type == RS_EV_CONFIG_OPEN ? RS_EK_OPEN : RS_EK_STAT;
	snprintf(x->syscall, sizeof(x->syscall), "%s",
		 ev->u.config.syscall ? ev->u.config.syscall : "");
}

static void note_lost(struct rs_engine *e, const struct rs_event *ev)
{
	e->stats.lost++;
	if (e->o.store != NULL && e->have_gen &&
	    rs_store_add_lost(e->o.store, e->number, rs_source_name(ev->source), ev->u.lost.reason,
			      ev->u.lost.count, ev->time_ns) < 0)
		e->stats.store_errors++;
}

void rs_engine_feed(struct rs_engine *e, const struct rs_event *ev)
{
	struct rs_evidence x;
	struct entry *p;
	uint64_t starttime;
	bool created;

	e->stats.events++;
	if (ev->type == RS_EV_EVENTS_LOST) {
		note_lost(e, ev);
		return;
	}
	if (!e->have_gen || ev->proc.pid <= 0)
		return;
	switch (ev->type) {
	case RS_EV_CONFIG_OPEN:
	case RS_EV_CONFIG_STAT:
	case RS_EV_DNS_SEND:
	case RS_EV_SOCKET_SEEN:
	case RS_EV_PROCESS_INFO:
	case RS_EV_PROCESS_EXIT:
		break;
	default:
		return;
	}
	if (ev->time_ns < e->t_ns) {
		e->stats.late++;
		return;
	}
	if (ev->type == RS_EV_PROCESS_EXIT) {
		p = find(e, ev->proc.pid, ev->proc.starttime);
		if (p != NULL && !p->exited) {
			p->exited = true;
			p->exit_ns = ev->time_ns;
			p->dirty = p->proc_dirty = true;
		}
		return;
	}
	starttime = identity(e, &ev->proc, ev->time_ns);
	p = get(e, ev->proc.pid, starttime, ev->time_ns, &created);
	if (p == NULL)
		return;
	take_proc(p, &ev->proc);
	if (ev->type == RS_EV_PROCESS_INFO) {
		take_facts(e, p, ev);
		return;
	}
	memset(&x, 0, sizeof(x));
	x.source = ev->source;
	x.first_ns = x.last_ns = ev->time_ns;
	x.count = 1;
	if (ev->type == RS_EV_DNS_SEND)
		fill_send(ev, &x); /* may count more than one */
	else if (ev->type == RS_EV_SOCKET_SEEN)
		fill_socket(ev, &x);
	else
		fill_config(ev, &x);
	evidence(e, p, &x);
	if (!p->have_facts && !p->asked_facts && !p->synthetic && e->o.want_facts != NULL) {
		p->asked_facts = true;
		e->o.want_facts(e->o.cb_ctx, p->pid, p->starttime);
	}
}

/* --- verdicts ------------------------------------------------------------------- */

static void decide(struct rs_engine *e, struct entry *p, struct rs_vresult *res,
		   struct rs_evidence *buf)
{
	struct rs_vgen g;
	struct rs_vproc v;

	memset(&g, 0, sizeof(g));
	g.t_ns = e->t_ns;
	g.grace_ns = e->o.grace_ns;
	g.retired = e->retired;
	g.n_retired = e->n_retired;
	g.current = e->current;
	g.n_current = e->n_current;
	memset(&v, 0, sizeof(v));
	v.start_ns = p->start_ns;
	v.first_seen_ns = p->first_seen_ns;
	v.exited = p->exited;
	v.domain = p->domain;
	v.config_ns = p->config_ns;
	v.cmdline = p->cmdline;
	/* Never host-wide: a process whose namespace is unknown does not count
	 * for a retired loopback address. */
	v.loopback_ok =
		e->o.loopback_anywhere ||
		(p->netns != 0 && (p->netns == e->o.self_netns || netns_known(e, p->netns)));
	v.have_runtime = p->have_runtime;
	v.runtime = p->runtime;
	v.primary = p->primary;
	v.second = p->second;
	for (size_t i = 0; i < p->n_rows; i++)
		buf[i] = p->rows[i].e;
	rs_verdict_decide(&g, &v, buf, p->n_rows, &p->seq, res);
}

int rs_engine_verdict(struct rs_engine *e, int32_t pid, uint64_t starttime, struct rs_vresult *out)
{
	struct rs_evidence buf[MAX_ROWS];
	struct entry *p = find(e, pid, starttime);

	if (p == NULL || !e->have_gen)
		return -ENOENT;
	decide(e, p, out, buf);
	return 0;
}

static int write_entry(struct rs_engine *e, struct entry *p, const struct rs_vresult *res,
		       int64_t now_ns)
{
	struct rs_store *st = e->o.store;
	struct rs_store_verdict v;
	int r;

	if (p->proc_dirty) {
		struct rs_store_touch t;

		memset(&t, 0, sizeof(t));
		t.pid = p->pid;
		t.starttime = p->starttime;
		t.start_ns = p->start_ns;
		t.seen_ns = p->last_activity_ns;
		t.exit_ns = p->exit_ns;
		t.ppid = p->ppid;
		t.uid = p->uid;
		t.auid = p->auid;
		t.comm = p->comm[0] ? p->comm : NULL;
		t.exe = p->exe;
		t.cmdline = p->cmdline;
		r = rs_store_touch_process(st, &t);
		if (r < 0)
			return r;
		p->proc_dirty = false;
	}
	for (size_t i = 0; i < p->n_rows; i++) {
		if (!p->rows[i].dirty)
			continue;
		r = rs_store_put_evidence(st, e->number, p->pid, p->starttime, &p->rows[i].e);
		if (r < 0)
			return r;
		p->rows[i].dirty = false;
	}
	memset(&v, 0, sizeof(v));
	v.generation = e->number;
	v.pid = p->pid;
	v.starttime = p->starttime;
	v.res = res;
	v.seq = &p->seq;
	v.decided_ns = now_ns;
	v.first_seen_ns = p->first_seen_ns;
	v.exited = p->exited;
	r = rs_store_put_verdict(st, &v);
	if (r < 0)
		return r;
	e->stats.writes++;
	p->written = true;
	return 1;
}

static void check_exits(struct rs_engine *e, int64_t now_ns)
{
	unsigned checks = 0;

	if (e->o.alive == NULL && e->o.idle_exit_ns <= 0)
		return;
	for (size_t b = 0; b < e->n_buckets && checks < CHECKS_PER_TICK; b++) {
		for (struct entry *p = e->buckets[b]; p != NULL; p = p->next) {
			if (p->exited || now_ns - p->checked_ns < e->o.exit_check_ns)
				continue;
			p->checked_ns = now_ns;
			checks++;
			if (e->o.alive != NULL
				    ? e->o.alive(e->o.cb_ctx, p->pid, p->starttime) == 0
				    : now_ns - p->last_activity_ns >= e->o.idle_exit_ns) {
				p->exited = true;
				p->exit_ns = now_ns;
				p->dirty = p->proc_dirty = true;
			}
		}
	}
}

static bool clean(const struct entry *p)
{
	if (p->dirty || p->proc_dirty)
		return false;
	for (size_t i = 0; i < p->n_rows; i++)
		if (p->rows[i].dirty)
			return false;
	return true;
}

/* Drop exited processes whose state is in the store; any_age: also recent
 * ones (the table is full). Without a store nothing is dropped. */
static void evict_some(struct rs_engine *e, int64_t now_ns, bool any_age)
{
	if (e->o.store == NULL)
		return;
	for (size_t b = 0; b < e->n_buckets; b++) {
		struct entry *p = e->buckets[b], *next;
		for (; p != NULL; p = next) {
			next = p->next;
			if (!p->exited || !p->written || !clean(p))
				continue;
			if (!any_age && now_ns - p->last_activity_ns < e->o.evict_after_ns)
				continue;
			unlink_entry(e, p);
			entry_free(p);
			e->stats.evicted++;
		}
	}
}

int rs_engine_tick(struct rs_engine *e, int64_t now_ns)
{
	struct rs_evidence buf[MAX_ROWS];
	int written = 0, r = 0;

	if (!e->have_gen)
		return 0;
	check_exits(e, now_ns);
	if (e->full_pending > 0 && e->o.store != NULL) {
		if (rs_store_add_lost(e->o.store, e->number, "engine",
				      "too many processes in memory (max_entries)", e->full_pending,
				      now_ns) == 0)
			e->full_pending = 0;
	}
	for (size_t b = 0; b < e->n_buckets; b++) {
		for (struct entry *p = e->buckets[b]; p != NULL; p = p->next) {
			struct rs_vresult res;

			if (!p->dirty)
				continue;
			decide(e, p, &res, buf);
			p->dirty = false;
			p->verdict = res.verdict;
			snprintf(p->reason, sizeof(p->reason), "%s", res.reason);
			if (e->o.store == NULL)
				continue;
			r = write_entry(e, p, &res, now_ns);
			if (r < 0) {
				p->dirty = true; /* again at the next tick */
				e->stats.store_errors++;
				return r;
			}
			written++;
		}
	}
	evict_some(e, now_ns, false);
	return written;
}

void rs_engine_counts(struct rs_engine *e, uint64_t counts[RS_V_COUNT])
{
	memset(counts, 0, sizeof(uint64_t) * RS_V_COUNT);
	for (size_t b = 0; b < e->n_buckets; b++)
		for (struct entry *p = e->buckets[b]; p != NULL; p = p->next)
			counts[p->verdict]++;
}

int rs_engine_set_generation(struct rs_engine *e, int64_t number, int64_t t_ns,
			     const struct rs_addr *current, size_t n_current,
			     const struct rs_addr *retired, size_t n_retired)
{
	int r = 0;

	if (e->have_gen)
		r = rs_engine_tick(e, rs_time_now_ns());
	clear_entries(e);
	memset(e->synth, 0, e->synth_slots * sizeof(e->synth[0]));
	e->n_netns = 0;
	e->number = number;
	e->t_ns = t_ns;
	e->have_gen = true;
	e->n_current = n_current < RS_RC_MAXNS ? n_current : RS_RC_MAXNS;
	if (e->n_current > 0)
		memcpy(e->current, current, e->n_current * sizeof(e->current[0]));
	e->n_retired = 0;
	for (size_t i = 0; i < n_retired + e->o.n_extra_retired; i++) {
		const struct rs_addr *a = i < n_retired ? &retired[i] : &e->extra[i - n_retired];
		if (e->n_retired < RS_ENGINE_MAX_RETIRED &&
		    !rs_addr_in(a, e->retired, e->n_retired) && !is_current(e, a))
			e->retired[e->n_retired++] = *a;
	}
	return r < 0 ? r : 0;
}

/* --- the retired set ------------------------------------------------------------- */

struct collect {
	const struct rs_generation *g;
	struct rs_addr *out;
	size_t max, n;
};

static void collect_one(struct collect *c, const struct rs_addr *a)
{
	struct rs_addr u;

	rs_addr_unmap(a, &u);
	if (c->n < c->max && !rs_addr_in(&u, c->out, c->n) && !rs_addr_in(&u, c->g->ns, c->g->n_ns))
		c->out[c->n++] = u;
}

static int collect_gen(void *ctx, const struct rs_generation *g)
{
	struct collect *c = ctx;

	for (size_t i = 0; i < g->n_ns; i++)
		collect_one(c, &g->ns[i]);
	return 0;
}

int rs_retired_collect(struct rs_store *st, const struct rs_generation *g,
		       const struct rs_addr *extra, size_t n_extra, struct rs_addr *out, size_t max)
{
	struct collect c = {.g = g, .out = out, .max = max, .n = 0};
	int r = 0;

	for (size_t i = 0; i < g->n_retired; i++)
		collect_one(&c, &g->retired[i]);
	if (st != NULL && g->number > 0)
		r = rs_store_foreach_generation(st, 0, g->number - 1, collect_gen, &c);
	for (size_t i = 0; i < n_extra; i++)
		collect_one(&c, &extra[i]);
	return r < 0 ? r : (int)c.n;
}
