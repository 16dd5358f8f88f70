/* A small cache of process identities, keyed by pid.
 *
 * Sources see a pid and need the rest of the identity (starttime, comm, exe,
 * uid) while the process still exists: a sed that renames resolv.conf into
 * place exits microseconds later. The cache reads /proc once per pid and
 * keeps the answer for a short time (pid reuse within that time would need
 * millions of forks per second), so that a process that sends a thousand DNS
 * queries costs one /proc read, and a process seen creating a temporary file
 * is still known when it renames it over the config a moment later.
 *
 * Fixed capacity, open addressing, oldest entry evicted: memory is bounded
 * whatever the event rate.
 */
#ifndef RESOLVSTALE_PROCCACHE_H
#define RESOLVSTALE_PROCCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "resolvstale/event.h"
#include "resolvstale/procinfo.h"

struct rs_proccache;

struct rs_proccache_stats {
	uint64_t hits, misses, gone, evictions;
};

/* proc_dirfd: a directory fd of /proc (not owned). ttl_ns: how long an entry
 * is trusted without reading /proc again. */
struct rs_proccache *rs_proccache_new(int proc_dirfd, size_t capacity, int64_t ttl_ns);
void rs_proccache_free(struct rs_proccache *c);

/* The identity of pid: from the cache, or read now. NULL if the process is
 * gone and was not cached. The pointer is valid until the next call. If
 * expect_exe is not NULL and differs from the cached exe, the entry is read
 * again (pid reuse, or exec). */
const struct rs_proc_ident *rs_proccache_get(struct rs_proccache *c, int32_t pid, int64_t now_ns,
					     const char *expect_exe);
/* An event names a process by pid (and exe): give it its starttime if it
 * still runs the same program (c may be NULL: nothing is filled). */
void rs_proccache_fill(struct rs_proccache *c, struct rs_proc *p, int64_t now_ns);
/* Forget pid (it exited). */
void rs_proccache_forget(struct rs_proccache *c, int32_t pid);
const struct rs_proccache_stats *rs_proccache_stats(const struct rs_proccache *c);

#endif
