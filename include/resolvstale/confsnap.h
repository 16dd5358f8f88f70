/* One observation of the watched resolv.conf: where its symlink chain leads,
 * the file's identity (inode, size, times, content hash), its bounded
 * contents, and how glibc parses them. */
#ifndef RESOLVSTALE_CONFSNAP_H
#define RESOLVSTALE_CONFSNAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "resolvstale/resolvconf.h"

enum rs_file_state {
	RS_FILE_OK,         /* a regular file with contents */
	RS_FILE_EMPTY,      /* a regular file of size 0 */
	RS_FILE_MISSING,    /* the chain ends at a name that does not exist */
	RS_FILE_UNREADABLE, /* exists but cannot be read (permission, not a file, loop) */
};

struct rs_file_identity {
	enum rs_file_state state;
	int err; /* errno behind MISSING/UNREADABLE, else 0 */
	uint64_t dev, ino;
	int64_t size;
	int64_t mtime_ns, ctime_ns;
	uint32_t mode, uid;
	uint64_t hash; /* FNV-1a 64 of the bytes read */
};

struct rs_conf_snapshot {
	int64_t time_ns; /* when it was read (CLOCK_REALTIME) */
	char *path;      /* the watched path, as given */
	char *target;    /* where its symlink chain ends */
	char *chain;     /* "a -> b -> target", or the target alone */
	struct rs_file_identity id;
	char *content; /* at most RS_RC_MAX_FILE + 1 bytes; NULL if none */
	size_t content_len;
	bool content_truncated;    /* the file is larger than RS_RC_MAX_FILE */
	struct rs_resolvconf conf; /* glibc's view; defaults if not OK/EMPTY */
};

/* Read the file that path leads to now. Fills *snap (free it with
 * rs_conf_snapshot_clear) and returns 0 whatever the file's state (missing and
 * unreadable files are states, not errors); -ENOMEM or -EINVAL (relative path)
 * otherwise. The read never blocks: FIFOs and devices are UNREADABLE. */
int rs_conf_snapshot_read(const char *path, struct rs_conf_snapshot *snap);
void rs_conf_snapshot_clear(struct rs_conf_snapshot *snap);

const char *rs_file_state_name(enum rs_file_state state);

/* FNV-1a 64-bit hash. */
uint64_t rs_hash64(const void *data, size_t len);

#endif
