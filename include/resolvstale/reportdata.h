/* What `report` and `services` show, loaded from the store: one generation,
 * its retired set, lost events, and every process with a verdict, with what
 * only the reader can know now (does the process still run? did a later
 * process of the same service replace it?) and the action to take.
 *
 * Liveness is read from /proc when the store was written during this boot
 * (meta boot_id); otherwise every process counts as exited.
 *
 * Which processes make a host non-compliant:
 *   - stale: alive; or exited, not replaced by a later process of the same
 *     group (unit, container, or parent and exe) whose verdict is not stale,
 *     and its last stale send within the window (short-lived processes of a
 *     loop, cron jobs);
 *   - at-risk: alive.
 */
#ifndef RESOLVSTALE_REPORTDATA_H
#define RESOLVSTALE_REPORTDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/engine.h"
#include "resolvstale/generation.h"
#include "resolvstale/store.h"
#include "resolvstale/verdict.h"

#define RS_REPORT_DEFAULT_WINDOW_NS (10 * 60 * 1000000000LL)

struct rs_rproc {
	struct rs_store_vrow v; /* strings owned (strdup) */
	bool alive;
	bool superseded; /* a later process of its group did not stay stale */
	bool counts;     /* makes the host non-compliant (see above) */
	char action[320];
};

struct rs_rdata {
	struct rs_generation gen;
	bool have_gen;
	struct rs_generation prev; /* the generation before, if recorded */
	bool have_prev;
	struct rs_addr retired[RS_ENGINE_MAX_RETIRED];
	size_t n_retired;
	char host[256];
	char sources[64]; /* sources the daemon ran ("fanotify,audit,procscan") */
	uint64_t lost_events;
	char lost_sources[128];
	bool daemon_running; /* a writer holds the store now */
	bool offline;        /* written by replay (meta mode=replay): no daemon */
	bool same_boot;      /* liveness read from /proc */
	bool complete;       /* no lost events, sends visible, change seen live */
	int64_t now_ns, grace_ns, window_ns;
	struct rs_rproc *procs;
	size_t n;
	uint64_t counts[RS_V_COUNT];
	uint64_t counting_stale, counting_at_risk;
	struct rs_store *st; /* open for reading evidence until rs_rdata_clear */
};

/* Load generation `generation` (-1: the latest) of the store at db_path.
 * Returns 0, or a negative errno with a one-line reason in err: -ENOENT no
 * store or no such generation, others from the store. window_ns: how long
 * an exited stale process counts (0: always). */
int rs_rdata_load(const char *db_path, int64_t generation, int64_t window_ns, struct rs_rdata *out,
		  char *err, size_t errlen);
void rs_rdata_clear(struct rs_rdata *d);

/* What rs_verdict_action() needs, from a loaded row. */
void rs_rdata_action_in(const struct rs_rproc *p, struct rs_action_in *a);

/* Whether (pid, starttime) runs now according to the proc tree at
 * proc_dirfd. */
bool rs_rdata_alive(int proc_dirfd, int32_t pid, uint64_t starttime);

#endif
