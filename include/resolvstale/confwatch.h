/* The config watcher: notices every change of the watched resolv.conf.
 *
 * inotify watches the directory of every entry on the path's symlink chain
 * (rs_pathchain), so that in-place writes, truncate + write, rename over
 * (sed -i, mv, editors), same-mtime replacements (cp -p, touch -r), symlink
 * re-points (ln -sfn), delete + re-create and the replacement of a directory
 * on the chain are all seen. After every relevant event the chain is resolved
 * again and the watches follow it.
 *
 * Reading waits until the file has been quiet for settle_ms (a truncate +
 * write passes through an empty file, a delete + create through a missing
 * one). An empty or missing file must stay so for persist_ms before it is
 * reported: then it is real (glibc falls back to 127.0.0.1).
 *
 * The watcher exposes one file descriptor (an epoll set of its inotify fd and
 * its timer) for the caller's event loop, and delivers settled snapshots to a
 * callback. It never decides what a change means: see generation.h.
 */
#ifndef RESOLVSTALE_CONFWATCH_H
#define RESOLVSTALE_CONFWATCH_H

#include <stddef.h>
#include <stdint.h>

#include "resolvstale/confsnap.h"

#define RS_CONFWATCH_DEFAULT_SETTLE_MS  50
#define RS_CONFWATCH_DEFAULT_PERSIST_MS 1000

/* What the watcher saw before a read (a bit set). */
enum rs_cw_reason {
	RS_CW_MODIFY = 1u << 0,      /* the file's contents were written */
	RS_CW_CLOSE_WRITE = 1u << 8, /* closed after being opened for writing */
	RS_CW_ATTRIB = 1u << 1,      /* metadata: times, mode, owner, link count */
	RS_CW_CREATE = 1u << 2,      /* a name on the chain was created */
	RS_CW_DELETE = 1u << 3,      /* a name on the chain was removed */
	RS_CW_MOVE = 1u << 4,        /* a name on the chain was renamed to or from */
	RS_CW_DIR = 1u << 5,         /* a directory on the chain was moved or deleted */
	RS_CW_OVERFLOW = 1u << 6,    /* the inotify queue overflowed: re-read */
	RS_CW_RESCAN = 1u << 7,      /* asked for (SIGHUP) */
};

struct rs_confwatch_opts {
	const char *path; /* absolute */
	unsigned settle_ms;
	unsigned persist_ms;
};

struct rs_confwatch_stats {
	uint64_t events;       /* inotify events read */
	uint64_t relevant;     /* events about an entry on the chain */
	uint64_t overflows;    /* IN_Q_OVERFLOW */
	uint64_t rewatches;    /* times the watch set changed */
	uint64_t reads;        /* settled reads */
	uint64_t watch_errors; /* directories that could not be watched */
};

struct rs_confwatch;

/* Called with each settled snapshot; the snapshot belongs to the watcher and
 * is valid only during the call. */
typedef void (*rs_confwatch_fn)(void *ctx, const struct rs_conf_snapshot *snap, unsigned reasons);

/* Returns 0 or a negative errno (-EMFILE, -ENOSPC for inotify limits). */
int rs_confwatch_new(const struct rs_confwatch_opts *opts, struct rs_confwatch **out);
void rs_confwatch_free(struct rs_confwatch *cw);
/* The fd to wait on (readable when there is something to process). */
int rs_confwatch_fd(const struct rs_confwatch *cw);
/* Process what is ready; calls fn for a settled snapshot. Returns 0 or a
 * negative errno for a failure of the watcher itself. */
int rs_confwatch_process(struct rs_confwatch *cw, rs_confwatch_fn fn, void *ctx);
/* Schedule a settled re-read, as if an event had arrived (SIGHUP). */
int rs_confwatch_rescan(struct rs_confwatch *cw);
/* Number of directories watched now. */
size_t rs_confwatch_n_watches(const struct rs_confwatch *cw);
const struct rs_confwatch_stats *rs_confwatch_stats(const struct rs_confwatch *cw);
/* "modify,attrib,..." for a reason set, into buf. Returns buf. */
char *rs_cw_reasons_str(unsigned reasons, char *buf, size_t len);

#endif
