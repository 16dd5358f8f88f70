/* The verdict engine: evidence in, verdicts out, for the generation in force.
 *
 * The daemon feeds every event of every source (rs_engine_feed) and tells
 * the engine when a new generation starts (rs_engine_set_generation). The
 * engine keeps, per process (pid, starttime) seen at or after the change,
 * its facts and its evidence aggregated per (kind, source, destination,
 * port, protocol, syscall) with first and last time and a count, plus the
 * order of sends that aggregates lose (struct rs_vseq). rs_engine_tick(),
 * called about once a second, checks which processes exited, recomputes the
 * verdicts of the processes whose evidence or facts changed
 * (rs_verdict_decide) and writes what changed to the store.
 *
 * Memory is bounded: an event costs nothing more than a counter once its
 * row exists; a process that exited and whose rows are written is dropped
 * from memory after a while (its verdict stays in the store and is loaded
 * back if a late event about it arrives); at most max_entries processes are
 * kept, and events beyond that are counted as lost.
 *
 * Events older than the change belong to the previous generation, whose
 * verdicts are final once the next change is seen: they are counted (late)
 * and dropped.
 *
 * A process whose starttime a source could not read (it exited first) gets a
 * synthetic starttime (RS_ENGINE_SYNTHETIC bit set) shared by the events of
 * the same pid and exe within a few seconds: it is never merged with another
 * process, and the report shows its starttime as unknown.
 */
#ifndef RESOLVSTALE_ENGINE_H
#define RESOLVSTALE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/event.h"
#include "resolvstale/store.h"
#include "resolvstale/verdict.h"

#define RS_ENGINE_SYNTHETIC     (1ULL << 62)
#define RS_ENGINE_MAX_RETIRED   64
#define RS_ENGINE_DEFAULT_MAX   262144
#define RS_ENGINE_DEFAULT_GRACE (2 * 1000000000LL)

struct rs_engine_opts {
	int64_t grace_ns;
	const struct rs_addr *extra_retired; /* --retired */
	size_t n_extra_retired;
	struct rs_store *store;   /* NULL: memory only (tests) */
	int64_t boot_ns;          /* wall-clock time of boot, for starttime -> start */
	long clk_tck;             /* sysconf(_SC_CLK_TCK) */
	uint64_t self_netns;      /* the daemon's network namespace (it reads the file) */
	size_t max_entries;       /* 0: RS_ENGINE_DEFAULT_MAX */
	int64_t exit_check_ns;    /* how often a live process is checked; 0: 2 s */
	int64_t evict_after_ns;   /* keep an exited process this long; 0: 10 s */
	int64_t synthetic_ttl_ns; /* events of one pid and exe without a starttime
				   * this close together are one process; 0: 5 s */
	size_t synthetic_slots;   /* pids remembered for that (by pid modulo); 0: 1024 */
	bool loopback_anywhere;   /* a retired loopback address counts for every
				   * process (replay: audit records carry no
				   * network namespace) */
	int64_t idle_exit_ns;     /* without an alive callback (replay of logs): a
				   * process idle this long counts as exited; 0: never */
	/* A process was seen for the first time: the callee may read its facts
	 * and feed a PROCESS_INFO event back (from inside this callback). */
	void (*want_facts)(void *ctx, int32_t pid, uint64_t starttime);
	/* 1 if (pid, starttime) still runs, 0 if not, negative if unknown. */
	int (*alive)(void *ctx, int32_t pid, uint64_t starttime);
	void *cb_ctx;
};

struct rs_engine_stats {
	uint64_t events;    /* fed */
	uint64_t late;      /* older than the change: dropped */
	uint64_t entries;   /* processes in memory now */
	uint64_t peak;      /* most processes in memory at once */
	uint64_t loaded;    /* processes resumed from the store */
	uint64_t evicted;   /* exited processes dropped from memory */
	uint64_t full;      /* events dropped: max_entries reached */
	uint64_t rows_full; /* evidence rows dropped: a process had too many */
	uint64_t writes;    /* verdict rows written */
	uint64_t store_errors;
	uint64_t lost; /* EVENTS_LOST events seen */
};

struct rs_engine;

int rs_engine_new(const struct rs_engine_opts *o, struct rs_engine **out);
void rs_engine_free(struct rs_engine *e);

/* A new generation is in force from t_ns: what the previous one gathered is
 * written out (its verdicts are final) and forgotten. current: its
 * nameservers; retired: every address that served before and does not now
 * (rs_retired_collect). Returns 0 or a negative errno (store). */
int rs_engine_set_generation(struct rs_engine *e, int64_t number, int64_t t_ns,
			     const struct rs_addr *current, size_t n_current,
			     const struct rs_addr *retired, size_t n_retired);

void rs_engine_feed(struct rs_engine *e, const struct rs_event *ev);

/* Check exits, recompute changed verdicts, write them (inside the store's
 * open transaction: the caller flushes), drop what is no longer needed.
 * Returns the number of verdict rows written or a negative errno. */
int rs_engine_tick(struct rs_engine *e, int64_t now_ns);

/* The current verdict of a process (computed now), for tests and logs.
 * Returns 0, or -ENOENT if the engine does not know it. */
int rs_engine_verdict(struct rs_engine *e, int32_t pid, uint64_t starttime, struct rs_vresult *out);
/* Verdict counts of the processes in memory. */
void rs_engine_counts(struct rs_engine *e, uint64_t counts[RS_V_COUNT]);
const struct rs_engine_stats *rs_engine_stats(const struct rs_engine *e);
int64_t rs_engine_generation(const struct rs_engine *e);

/* Every address that was a nameserver in a generation before `g` and is not
 * one of g's, plus extra (deduplicated, at most max). Returns the count or a
 * negative errno. */
int rs_retired_collect(struct rs_store *st, const struct rs_generation *g,
		       const struct rs_addr *extra, size_t n_extra, struct rs_addr *out,
		       size_t max);

#endif
