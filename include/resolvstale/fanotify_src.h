/* The fanotify source: who opens and who writes the watched file.
 *
 * Two fanotify groups (CAP_SYS_ADMIN):
 *   - an inode mark on the file for FAN_OPEN, FAN_MODIFY and FAN_CLOSE_WRITE:
 *     every open (CONFIG_OPEN) and in-place write (CONFIG_WRITE) with the
 *     process's pid. Marks stay with an inode, so the file is marked again
 *     whenever it is replaced. Event fds are closed at once.
 *   - a directory mark with FID reporting (FAN_REPORT_DFID_NAME, kernel 5.9;
 *     on overlayfs 6.6) on the file's directory for FAN_CREATE, FAN_MOVED_TO,
 *     FAN_DELETE and FAN_MOVED_FROM: who renamed a new file over it (sed -i,
 *     editors, NetworkManager) or removed it. A process seen creating any
 *     file there is identified at once (/proc read while it is alive), so
 *     that the renamer of a temporary file is known even if it exits before
 *     the rename is processed. Without FID marks the writer of a rename comes
 *     from audit only.
 * stat() is invisible to fanotify. The daemon's own opens are dropped.
 * FAN_Q_OVERFLOW becomes an EVENTS_LOST event.
 */
#ifndef RESOLVSTALE_FANOTIFY_SRC_H
#define RESOLVSTALE_FANOTIFY_SRC_H

#include <stdbool.h>
#include <stdint.h>

#include "resolvstale/event.h"
#include "resolvstale/proccache.h"

struct rs_fanotify_src_opts {
	const char *target; /* final path of the watched file (may not exist yet) */
	struct rs_proccache *cache;
	struct rs_sink sink;
	void (*notice)(void *ctx, const char *level, const char *msg);
	void *notice_ctx;
};

struct rs_fanotify_src_stats {
	uint64_t events;     /* fanotify events read */
	uint64_t own;        /* the daemon's own, dropped */
	uint64_t overflows;  /* FAN_Q_OVERFLOW */
	uint64_t remarks;    /* inode marks moved to a new inode */
	uint64_t unknown_pid; /* events whose process had exited already */
};

struct rs_fanotify_src;

/* Returns 0, or a negative errno with a one-line reason in err (-EPERM
 * without CAP_SYS_ADMIN, -ENOSYS without fanotify). */
int rs_fanotify_src_new(const struct rs_fanotify_src_opts *o, struct rs_fanotify_src **out,
			char *err, size_t errlen);
void rs_fanotify_src_free(struct rs_fanotify_src *s);
int rs_fanotify_src_fd(const struct rs_fanotify_src *s);
int rs_fanotify_src_process(struct rs_fanotify_src *s);
/* The watched file's final path (or its inode) may have changed: mark the
 * current inode (and directory). Cheap when nothing changed. */
int rs_fanotify_src_retarget(struct rs_fanotify_src *s, const char *target);
/* Whether directory events (rename writers) are available. */
bool rs_fanotify_src_dir_events(const struct rs_fanotify_src *s);
const struct rs_fanotify_src_stats *rs_fanotify_src_stats(const struct rs_fanotify_src *s);

#endif
