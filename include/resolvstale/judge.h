/* The daemon's verdict side: the engine (engine.h) with what it needs from
 * the host around it.
 *
 * For each generation in force it computes the retired set (every earlier
 * nameserver that is not a current one, plus --retired), starts the engine
 * at the change's time, surveys every process started before the change (in
 * steps, from the event loop) and asks for a socket scan once the grace
 * period is over. It answers the engine's questions (facts of a process seen
 * for the first time, rate-limited; whether a process still runs), writes
 * verdicts once a second, prunes old generations and writes the metrics
 * file.
 */
#ifndef RESOLVSTALE_JUDGE_H
#define RESOLVSTALE_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/engine.h"
#include "resolvstale/event.h"
#include "resolvstale/generation.h"
#include "resolvstale/metrics.h"
#include "resolvstale/procscan_src.h"
#include "resolvstale/store.h"

struct rs_judge_opts {
	struct rs_store *store;
	struct rs_procscan_src *facts; /* reads /proc; NULL: no facts */
	unsigned grace_ms;
	const struct rs_addr *retired; /* --retired */
	size_t n_retired;
	const char *metrics_file; /* NULL: none */
	unsigned keep_generations;
	void (*notice)(void *ctx, const char *level, const char *msg);
	void *notice_ctx;
};

struct rs_judge;

int rs_judge_new(const struct rs_judge_opts *o, struct rs_judge **out);
void rs_judge_free(struct rs_judge *j);

/* The generation in force, at start or after a change. */
void rs_judge_generation(struct rs_judge *j, const struct rs_generation *g);
void rs_judge_feed(struct rs_judge *j, const struct rs_event *ev);
/* Once a second: verdicts to the store (the caller commits), metrics.
 * sources: what the metrics say about each source. */
void rs_judge_tick(struct rs_judge *j, const struct rs_metrics_source *sources, size_t n_sources,
		   uint64_t events);
/* A survey is under way: run a step of it (from the event loop). Returns
 * true while more remains. */
bool rs_judge_survey_step(struct rs_judge *j);
/* Monotonic time at which a socket scan should run (the grace period after
 * a change is over), or 0; rs_judge_scan_done() clears it. */
int64_t rs_judge_scan_due(const struct rs_judge *j);
void rs_judge_scan_done(struct rs_judge *j);
/* The retired servers of the generation in force: the earlier generations'
 * and --retired (valid until the next rs_judge_generation). */
size_t rs_judge_retired(const struct rs_judge *j, const struct rs_addr **out);
const struct rs_engine_stats *rs_judge_engine_stats(const struct rs_judge *j);

#endif
