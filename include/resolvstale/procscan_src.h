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
};

struct rs_procscan_src;

/* Returns 0 or a negative errno with a one-line reason in err. */
int rs_procscan_src_new(const struct rs_procscan_src_opts *o, struct rs_procscan_src **out,
			char *err, size_t errlen);
void rs_procscan_src_free(struct rs_procscan_src *s);
/* One scan; the watched file's (dev, ino) decide each process's config
 * domain. Returns 0 or a negative errno. */
int rs_procscan_src_run(struct rs_procscan_src *s, uint64_t watched_dev, uint64_t watched_ino);
const struct rs_procscan_src_stats *rs_procscan_src_stats(const struct rs_procscan_src *s);

#endif
