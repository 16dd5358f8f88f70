/* The embedded store: one SQLite database (WAL mode) per host.
 *
 * One writer at a time (the daemon, later the auditd plugin): a writer holds
 * an exclusive lock on PATH.lock for as long as the store is open, so a second
 * writer fails at once with -EBUSY instead of interleaving. Any number of
 * readers (report, history) may read while it writes.
 *
 * The schema is versioned with PRAGMA user_version and upgraded by forward
 * migrations when a writer opens an older database; a database with a newer
 * version, another application's database, or a file that is not a database
 * is never written: opening fails with a message that says why.
 *
 * Writes are batched: the first write opens a transaction, rs_store_flush()
 * commits it. The caller flushes at least every second and before closing.
 *
 * Functions return 0 (or a count) on success and a negative errno on failure:
 * -EBUSY locked, -EBADMSG not a database or corrupt, -EPROTO schema too new or
 * not ours, -EROFS read-only, -ENOSPC disk full, -ENOENT no such database or
 * row, -EACCES permission, -ENOMEM, -EIO anything else. rs_store_errmsg()
 * gives the detail of the last failure.
 */
#ifndef RESOLVSTALE_STORE_H
#define RESOLVSTALE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/generation.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/verdict.h"

struct rs_sock;

#define RS_STORE_DEFAULT_PATH   "/var/lib/resolvstale/state.db"
#define RS_STORE_SCHEMA_VERSION 4

enum rs_store_mode {
	RS_STORE_READ,  /* read-only; the database must exist */
	RS_STORE_WRITE, /* create if missing, migrate, take the writer lock */
};

struct rs_store;

/* Open the database at path. On failure returns a negative errno and writes a
 * one-line explanation (without the path) into err. */
int rs_store_open(const char *path, enum rs_store_mode mode, struct rs_store **out, char *err,
		  size_t errlen);
/* Commit pending writes (if any) and close. NULL is accepted. Returns the
 * result of the final commit. */
int rs_store_close(struct rs_store *st);
int rs_store_flush(struct rs_store *st);
/* Whether a writer (the daemon) holds the store at path now: its pid, -1 if
 * it holds it but the pid is unknown, 0 if nobody does. */
int32_t rs_store_writer_pid(const char *path);
bool rs_store_has_pending(const struct rs_store *st);
const char *rs_store_errmsg(const struct rs_store *st);
int rs_store_schema_version(struct rs_store *st);

/* meta table: small key/value facts (host name, watched path, creation time). */
int rs_store_meta_get(struct rs_store *st, const char *key, char *buf, size_t len);
int rs_store_meta_set(struct rs_store *st, const char *key, const char *value);
int rs_store_meta_delete(struct rs_store *st, const char *key);

int rs_store_add_generation(struct rs_store *st, const struct rs_generation *g);
/* Fill *g (zero-initialised or cleared) with the latest generation, or the
 * one numbered `number`. -ENOENT if there is none. */
int rs_store_latest_generation(struct rs_store *st, struct rs_generation *g);
int rs_store_get_generation(struct rs_store *st, int64_t number, struct rs_generation *g);
/* Call fn for every generation in [from, to], in order; stops early and
 * returns fn's value if fn returns non-zero. The generation passed is valid
 * only during the call. */
int rs_store_foreach_generation(struct rs_store *st, int64_t from, int64_t to,
				int (*fn)(void *ctx, const struct rs_generation *g), void *ctx);

int rs_store_add_file_event(struct rs_store *st, const struct rs_file_event *e);
/* File events recorded while generation `generation` was in force. */
int rs_store_foreach_file_event(struct rs_store *st, int64_t generation,
				int (*fn)(void *ctx, const struct rs_file_event *e), void *ctx);

/* A process as the store keeps it: its facts, and the resolver runtime the
 * fingerprint found (strings; NULL keeps what was recorded before). */
struct rs_store_process {
	const struct rs_proc_facts *facts;
	int64_t seen_ns;
	const char *runtime, *reload_rule, *runtime_detail, *runtime_evidence;
};

/* Record a process (insert, or refresh last_seen and facts). */
int rs_store_upsert_process(struct rs_store *st, const struct rs_store_process *p);
/* Record a socket to port 53 that a process holds (insert, or refresh). */
int rs_store_upsert_socket(struct rs_store *st, int32_t pid, uint64_t starttime,
			   const struct rs_sock *k, int fd, int64_t seen_ns, int64_t generation);

/* --- evidence, verdicts, lost events (the engine writes, report reads) ----- */

/* A process known from events only (it may have exited before its facts
 * could be read): insert it, or fill what the row lacks. exit_ns 0: alive. */
struct rs_store_touch {
	int32_t pid;
	uint64_t starttime;
	int64_t start_ns, seen_ns, exit_ns;
	int32_t ppid;
	int64_t uid, auid;
	const char *comm, *exe, *cmdline;
};
int rs_store_touch_process(struct rs_store *st, const struct rs_store_touch *t);

/* Write one row of aggregated evidence (absolute values: replaces the row). */
int rs_store_put_evidence(struct rs_store *st, int64_t generation, int32_t pid,
			  uint64_t starttime, const struct rs_evidence *e);

struct rs_store_verdict {
	int64_t generation;
	int32_t pid;
	uint64_t starttime;
	const struct rs_vresult *res;
	const struct rs_vseq *seq;
	int64_t decided_ns, first_seen_ns;
	bool exited;
};
int rs_store_put_verdict(struct rs_store *st, const struct rs_store_verdict *v);

/* Count `events` lost events (count: how many events they stood for, 0 if
 * unknown) of source for reason, in generation. */
int rs_store_add_lost(struct rs_store *st, int64_t generation, const char *source,
		      const char *reason, uint64_t count, int64_t time_ns);

/* What the engine had recorded for a process in a generation (to resume
 * after a restart of the daemon or an eviction). fn gets every evidence row.
 * Returns 1 if a verdict row exists (seq and first_seen filled), 0 if not,
 * or a negative errno. */
int rs_store_load_state(struct rs_store *st, int64_t generation, int32_t pid, uint64_t starttime,
			int (*fn)(void *ctx, const struct rs_evidence *e), void *ctx,
			struct rs_vseq *seq, int64_t *first_seen_ns);

/* A verdict row joined with what the store knows of the process. Strings
 * are NULL when unknown; valid during the callback only. */
struct rs_store_vrow {
	int32_t pid;
	uint64_t starttime;
	int32_t ppid; /* -1 unknown */
	int64_t uid;  /* -1 unknown */
	const char *comm, *exe, *cmdline;
	const char *unit;
	bool user_unit;
	const char *container_kind, *container_id, *pod_uid;
	int64_t start_ns, first_seen_ns, last_seen_ns, exit_ns; /* 0 unknown */
	uint64_t netns;
	const char *domain, *config_ns;
	const char *runtime, *reload_rule, *runtime_detail;
	enum rs_verdict verdict;
	const char *reason;
	int64_t decided_ns, last_stale_ns;
	uint64_t stale_count;
	const char *stale_dst;
	bool explicit_server, own_file_lists, exited;
};

/* Every verdict of generation, ordered by verdict then pid. */
int rs_store_foreach_verdict(struct rs_store *st, int64_t generation,
			     int (*fn)(void *ctx, const struct rs_store_vrow *row), void *ctx);
/* Evidence of one process in a generation, oldest first. */
int rs_store_foreach_evidence(struct rs_store *st, int64_t generation, int32_t pid,
			      uint64_t starttime,
			      int (*fn)(void *ctx, const struct rs_evidence *e), void *ctx);
/* How many processes have each verdict (counts indexed by enum rs_verdict). */
int rs_store_verdict_counts(struct rs_store *st, int64_t generation,
			    uint64_t counts[RS_V_COUNT]);
/* Lost-event records of a generation: their number and the sources that
 * lost (space-separated, into sources). */
int rs_store_lost_summary(struct rs_store *st, int64_t generation, uint64_t *events,
			  char *sources, size_t len);
/* Remove evidence, verdicts, sockets and lost-event records of generations
 * older than the newest `keep`, and processes nothing refers to any more.
 * Returns the number of rows removed or a negative errno. */
int64_t rs_store_prune(struct rs_store *st, int64_t keep);

/* For tests: create a database at schema version `version` (< current), as
 * an older resolvstale would have. Returns 0 or a negative errno. */
int rs_store_create_at_version(const char *path, int version);

#endif
