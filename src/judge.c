/* The daemon's verdict side: engine, survey, facts, pruning, metrics. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/judge.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/timefmt.h"

#define FACTS_PER_SEC    300 /* processes first seen, described per second */
#define SURVEY_STEP      64  /* processes per survey step */
#define METRICS_EVERY_NS (5 * RS_NS_PER_SEC)

struct rs_judge {
	struct rs_judge_opts o;
	struct rs_addr extra[RS_ENGINE_MAX_RETIRED];
	struct rs_engine *engine;
	bool active; /* a generation with something retired is in force */
	int64_t number, t_ns;
	size_t n_retired;
	struct rs_addr retired[2 * RS_ENGINE_MAX_RETIRED]; /* the files' and --retired */
	int64_t scan_due_mono;
	int64_t facts_window_ns;
	unsigned facts_in_window;
	uint64_t facts_skipped;
	int64_t metrics_ns;
	bool metrics_failing;
	int64_t start_ns;
	bool store_failing;
};

/* A one-line message for the operator (event.h). */
#define notice(x, level, ...) rs_notice((x)->o.notice, (x)->o.notice_ctx, level, __VA_ARGS__)

static void want_facts(void *ctx, int32_t pid, uint64_t starttime)
{
	struct rs_judge *j = ctx;
	int64_t now = rs_time_mono_ns();

	if (j->o.facts == NULL)
		return;
	if (now - j->facts_window_ns >= RS_NS_PER_SEC) {
		j->facts_window_ns = now;
		j->facts_in_window = 0;
	}
	/* A fork storm must not turn into a /proc read storm. */
	if (j->facts_in_window >= FACTS_PER_SEC) {
		j->facts_skipped++;
		return;
	}
	j->facts_in_window++;
	(void)rs_procscan_src_describe(j->o.facts, pid, starttime);
}

static int alive(void *ctx, int32_t pid, uint64_t starttime)
{
	struct rs_judge *j = ctx;

	return j->o.facts == NULL ? -1 : rs_procscan_src_alive(j->o.facts, pid, starttime);
}

static void meta_retired(struct rs_judge *j)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char g[32];

	rs_addrs_join(j->o.retired, j->o.n_retired, &sb);
	if (j->o.n_retired > 0)
		(void)rs_store_meta_set(j->o.store, "extra_retired", rs_sbuf_str(&sb));
	else
		(void)rs_store_meta_delete(j->o.store, "extra_retired");
	snprintf(g, sizeof(g), "%lld", (long long)j->o.grace_ms * RS_NS_PER_MS);
	(void)rs_store_meta_set(j->o.store, "grace_ns", g);
	rs_sbuf_free(&sb);
}

int rs_judge_new(const struct rs_judge_opts *o, struct rs_judge **out)
{
	struct rs_engine_opts eo;
	struct rs_judge *j = calloc(1, sizeof(*j));
	int r;

	*out = NULL;
	if (j == NULL)
		return -ENOMEM;
	j->o = *o;
	if (o->n_retired > RS_ENGINE_MAX_RETIRED) {
		free(j);
		return -E2BIG;
	}
	memcpy(j->extra, o->retired, o->n_retired * sizeof(j->extra[0]));
	j->o.retired = j->extra;
	memset(&eo, 0, sizeof(eo));
	eo.grace_ns = (int64_t)o->grace_ms * RS_NS_PER_MS;
	eo.extra_retired = j->extra;
	eo.n_extra_retired = o->n_retired;
	eo.store = o->store;
	eo.boot_ns = o->facts ? rs_procscan_src_boot_ns(o->facts) : rs_time_boot_ns();
	eo.clk_tck = o->facts ? rs_procscan_src_clk_tck(o->facts) : 100;
	eo.self_netns = 0;
	{
		char link[64];
		ssize_t n = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			eo.self_netns = rs_parse_ns_link(link);
		}
	}
	eo.want_facts = want_facts;
	eo.alive = alive;
	eo.cb_ctx = j;
	r = rs_engine_new(&eo, &j->engine);
	if (r < 0) {
		free(j);
		return r;
	}
	j->start_ns = rs_time_now_ns();
	meta_retired(j);
	*out = j;
	return 0;
}

void rs_judge_free(struct rs_judge *j)
{
	if (j == NULL)
		return;
	if (j->active)
		(void)rs_engine_tick(j->engine, rs_time_now_ns());
	rs_engine_free(j->engine);
	free(j);
}

/* When the change happened: for a change found at start (nobody watched),
 * the file's mtime is closer than the time it was noticed. */
static int64_t change_time(const struct rs_generation *g)
{
	if (g->at_start && g->id.mtime_ns > 0 && g->id.mtime_ns < g->time_ns)
		return g->id.mtime_ns;
	return g->time_ns;
}

void rs_judge_generation(struct rs_judge *j, const struct rs_generation *g)
{
	struct rs_addr retired[RS_ENGINE_MAX_RETIRED];
	int n, r;

	n = rs_retired_collect(j->o.store, g, NULL, 0, retired, RS_ENGINE_MAX_RETIRED);
	if (n < 0) {
		notice(j, "error", "cannot read earlier generations: %s", strerror(-n));
		n = 0;
	}
	j->number = g->number;
	j->t_ns = change_time(g);
	j->n_retired = (size_t)n + j->o.n_retired;
	memcpy(j->retired, retired, (size_t)n * sizeof(retired[0]));
	memcpy(j->retired + n, j->extra, j->o.n_retired * sizeof(j->extra[0]));
	/* Generation 0 is where watching began, not a change: nothing to judge
	 * unless addresses were declared retired by hand. */
	j->active = g->number > 0 || j->o.n_retired > 0;
	r = rs_engine_set_generation(j->engine, g->number, j->t_ns, g->ns, g->n_ns, retired,
				     (size_t)n);
	if (r < 0)
		notice(j, "error", "cannot record the verdicts of the previous generation: %s",
		       strerror(-r));
	if (!j->active)
		return;
	if (j->o.facts != NULL) {
		r = rs_procscan_src_survey_start(j->o.facts, j->t_ns);
		if (r < 0)
			notice(j, "error", "cannot list the processes: %s", strerror(-r));
	}
	{
		/* Sockets still held to a retired server once in-flight queries
		 * had their chance: the grace period after the change, plus a
		 * little. */
		int64_t wait =
			j->t_ns + ((int64_t)j->o.grace_ms + 100) * RS_NS_PER_MS - rs_time_now_ns();
		j->scan_due_mono = rs_time_mono_ns() + (wait > 0 ? wait : 0);
	}
	if (j->o.keep_generations > 0) {
		int64_t removed = rs_store_prune(j->o.store, j->o.keep_generations);
		if (removed < 0)
			notice(j, "error", "cannot prune old generations: %s",
			       rs_store_errmsg(j->o.store));
	}
}

void rs_judge_feed(struct rs_judge *j, const struct rs_event *ev)
{
	if (j->active || ev->type == RS_EV_EVENTS_LOST)
		rs_engine_feed(j->engine, ev);
}

bool rs_judge_survey_step(struct rs_judge *j)
{
	int r;

	if (j->o.facts == NULL || !rs_procscan_src_surveying(j->o.facts))
		return false;
	r = rs_procscan_src_survey_step(j->o.facts, SURVEY_STEP);
	if (r < 0) {
		notice(j, "error", "the survey of processes failed: %s", strerror(-r));
	} else if (r == 0) {
		const struct rs_procscan_src_stats *st = rs_procscan_src_stats(j->o.facts);
		notice(j, "notice",
		       "generation %lld: read the facts of %llu processes started before the "
		       "change in %llu ms",
		       (long long)j->number, (unsigned long long)st->surveyed,
		       (unsigned long long)st->survey_ms);
	}
	return r > 0;
}

int64_t rs_judge_scan_due(const struct rs_judge *j)
{
	return j->scan_due_mono;
}

void rs_judge_scan_done(struct rs_judge *j)
{
	j->scan_due_mono = 0;
}

const struct rs_engine_stats *rs_judge_engine_stats(const struct rs_judge *j)
{
	return rs_engine_stats(j->engine);
}

static void write_metrics(struct rs_judge *j, const struct rs_metrics_source *sources,
			  size_t n_sources, uint64_t events, int64_t now)
{
	struct rs_metrics m;
	char srcs[128];
	int r;

	memset(&m, 0, sizeof(m));
	m.generation = j->number;
	m.change_ns = j->t_ns;
	m.retired = j->n_retired;
	if (rs_store_verdict_counts(j->o.store, j->number, m.verdicts) < 0 ||
	    rs_store_lost_summary(j->o.store, j->number, &m.lost_window, srcs, sizeof(srcs)) < 0)
		rs_engine_counts(j->engine, m.verdicts);
	m.n_sources = n_sources < 4 ? n_sources : 4;
	memcpy(m.sources, sources, m.n_sources * sizeof(m.sources[0]));
	m.events = events;
	m.tracked = rs_engine_stats(j->engine)->entries;
	m.start_ns = j->start_ns;
	m.now_ns = now;
	r = rs_metrics_write(j->o.metrics_file, &m);
	if (r < 0 && !j->metrics_failing)
		notice(j, "error", "cannot write the metrics file %s: %s", j->o.metrics_file,
		       strerror(-r));
	else if (r == 0 && j->metrics_failing)
		notice(j, "notice", "the metrics file is written again");
	j->metrics_failing = r < 0;
}

void rs_judge_tick(struct rs_judge *j, const struct rs_metrics_source *sources, size_t n_sources,
		   uint64_t events)
{
	int64_t now = rs_time_now_ns();
	int r = 0;

	if (j->active)
		r = rs_engine_tick(j->engine, now);
	if (r < 0 && !j->store_failing)
		notice(j, "error", "cannot record verdicts: %s (%s); will retry",
		       rs_store_errmsg(j->o.store), strerror(-r));
	else if (r >= 0 && j->store_failing)
		notice(j, "notice", "verdicts are recorded again");
	j->store_failing = r < 0;
	if (j->o.metrics_file != NULL && now - j->metrics_ns >= METRICS_EVERY_NS) {
		j->metrics_ns = now;
		write_metrics(j, sources, n_sources, events, now);
	}
}

size_t rs_judge_retired(const struct rs_judge *j, const struct rs_addr **out)
{
	*out = j->retired;
	return j->n_retired;
}
