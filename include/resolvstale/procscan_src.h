/* The /proc scanner as an evidence source of the daemon.
 *
 * Each run walks /proc (procscan.h) and emits, through the sink, a
 * SOCKET_SEEN event for every socket to port 53 with its owner (first = true
 * when the previous run did not see it), and one PROCESS_INFO event with the
 * facts and resolver runtime of every owner not described before. Memory is
 * bounded by what the last run saw: what disappeared is forgotten.
 *
 * A run is synchronous: it takes about 10 ms per 1000 file descriptors on
 * the host, plus a fraction of a millisecond per new process.
 */
#ifndef RESOLVSTALE_PROCSCAN_SRC_H
#define RESOLVSTALE_PROCSCAN_SRC_H

#include <stdbool.h>
#include <stdint.h>

#include "resolvstale/event.h"

struct rs_procscan_src_opts {
	const char *proc_root; /* NULL: /proc */
	struct rs_sink sink;
};

struct rs_procscan_src_stats {
	uint64_t runs;
	uint64_t sockets;    /* SOCKET_SEEN events */
	uint64_t processes;  /* PROCESS_INFO events */
	uint64_t last_ms;    /* duration of the last run */
	uint64_t surveys;    /* surveys of all processes */
	uint64_t surveyed;   /* processes described by the last survey */
	uint64_t survey_ms;  /* duration of the last survey */
};

struct rs_procscan_src;

/* Returns 0 or a negative errno with a one-line reason in err. */
int rs_procscan_src_new(const struct rs_procscan_src_opts *o, struct rs_procscan_src **out,
			char *err, size_t errlen);
void rs_procscan_src_free(struct rs_procscan_src *s);
/* One scan; the watched file's (dev, ino) decide each process's config
 * domain. Returns 0 or a negative errno. */
int rs_procscan_src_run(struct rs_procscan_src *s, uint64_t watched_dev, uint64_t watched_ino);
/* The watched file as it is now: facts compare each process's resolv.conf
 * with it (its config domain). rs_procscan_src_run() sets it too. */
void rs_procscan_src_set_watched(struct rs_procscan_src *s, uint64_t dev, uint64_t ino);
/* Emit a PROCESS_INFO event for (pid, starttime) now, if it still runs.
 * Returns 0, -ENOENT if it is gone (or is another process now). */
int rs_procscan_src_describe(struct rs_procscan_src *s, int32_t pid, uint64_t starttime);
/* Emit PROCESS_INFO for every process (not kernel threads, not the caller)
 * started before before_ns, the processes a change can leave behind. The
 * survey is done in steps so that the caller's event loop keeps running:
 * survey_start, then survey_step until it returns 0 (1: more to do; a
 * negative errno: failed). A new start abandons a survey under way. */
int rs_procscan_src_survey_start(struct rs_procscan_src *s, int64_t before_ns);
int rs_procscan_src_survey_step(struct rs_procscan_src *s, unsigned max_processes);
bool rs_procscan_src_surveying(const struct rs_procscan_src *s);
/* Whether (pid, starttime) still runs: 1 yes, 0 no. */
int rs_procscan_src_alive(struct rs_procscan_src *s, int32_t pid, uint64_t starttime);
/* Wall-clock boot time and clock ticks the facts are computed with. */
int64_t rs_procscan_src_boot_ns(const struct rs_procscan_src *s);
long rs_procscan_src_clk_tck(const struct rs_procscan_src *s);
const struct rs_procscan_src_stats *rs_procscan_src_stats(const struct rs_procscan_src *s);

#endif
