/* Prometheus text metrics for node_exporter's textfile collector.
 *
 * rs_metrics_format() is pure: the numbers in, the exposition text out.
 * rs_metrics_write() writes it next to the target and renames it over, so
 * the collector never reads half a file.
 */
#ifndef RESOLVSTALE_METRICS_H
#define RESOLVSTALE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/sbuf.h"
#include "resolvstale/verdict.h"

struct rs_metrics_source {
	const char *name; /* "fanotify", "audit", "procscan" */
	bool up;
	uint64_t lost; /* events it reported lost, since start */
};

struct rs_metrics {
	int64_t generation;            /* -1: none yet */
	int64_t change_ns;             /* when the generation in force was seen */
	uint64_t retired;              /* retired addresses in force */
	uint64_t verdicts[RS_V_COUNT]; /* processes per verdict, this generation */
	uint64_t lost_window;          /* events lost since the change */
	struct rs_metrics_source sources[4];
	size_t n_sources;
	uint64_t events;  /* events handled since start */
	uint64_t tracked; /* processes the engine holds in memory */
	int64_t start_ns; /* daemon start */
	int64_t now_ns;
};

/* Append the exposition text to out. */
void rs_metrics_format(const struct rs_metrics *m, struct rs_sbuf *out);
/* Format and replace path atomically (PATH.tmp.PID, fsync, rename). Returns 0
 * or a negative errno. */
int rs_metrics_write(const char *path, const struct rs_metrics *m);

#endif
