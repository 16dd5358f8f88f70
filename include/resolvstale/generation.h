/* Configuration generations: what counts as a change of resolv.conf.
 *
 * A generation is recorded when the effective configuration (what glibc will
 * use: nameservers in order, search list, sortlist, options) differs from the
 * previous generation's. Every other change of the file (a comment edit, a
 * reordered ignored line, touch, a replacement with identical content) is a
 * file event of a generation. Pure functions: no I/O.
 */
#ifndef RESOLVSTALE_GENERATION_H
#define RESOLVSTALE_GENERATION_H

#include <stdbool.h>
#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/confsnap.h"
#include "resolvstale/resolvconf.h"

/* Who wrote the file, when a source saw it (fanotify, audit). */
struct rs_writer {
	bool known;
	int32_t pid;
	uint64_t starttime; /* clock ticks since boot, /proc/PID/stat field 22 */
	int64_t uid, auid;  /* -1 when unknown */
	char *comm;         /* owned; untrusted text */
	char *exe;          /* owned; untrusted text */
};

struct rs_generation {
	int64_t number;  /* 0 for the first one recorded */
	int64_t time_ns; /* when it was observed */
	bool at_start;   /* found at daemon start: changed while nobody watched */
	char *path;      /* the watched path */
	char *target;    /* the file its symlink chain led to */
	struct rs_file_identity id;

	struct rs_addr ns[RS_RC_MAXNS]; /* effective nameservers, in order */
	size_t n_ns;
	bool default_ns;                     /* the file had none: glibc's 127.0.0.1 */
	struct rs_addr retired[RS_RC_MAXNS]; /* previous generation's minus these */
	size_t n_retired;
	struct rs_addr added[RS_RC_MAXNS]; /* these minus the previous generation's */
	size_t n_added;

	char *ignored;  /* nameservers listed but unused, space-separated */
	char *search;   /* space-separated */
	char *sortlist; /* space-separated */
	char *options;  /* canonical, space-separated (rs_resolvconf_options) */
	char *key;      /* rs_resolvconf_key: equal keys = same effective config */
	char *warnings; /* one per line: "LINE CODE DETAIL" */
	unsigned n_warnings;
	char *content; /* the file's bytes as read (<= RS_RC_MAX_FILE + 1) */
	size_t content_len;
	struct rs_writer writer;
};

/* What happened to the file, when the effective configuration stayed. */
enum rs_file_change {
	RS_CHANGE_NONE,     /* nothing observable changed */
	RS_CHANGE_TOUCHED,  /* metadata only: times, mode, owner */
	RS_CHANGE_MODIFIED, /* same inode, other bytes */
	RS_CHANGE_REPLACED, /* another inode (rename over, delete + create) */
	RS_CHANGE_RELINKED, /* the symlink chain leads elsewhere */
	RS_CHANGE_APPEARED, /* was missing or unreadable, now readable */
	RS_CHANGE_VANISHED, /* was readable, now missing or unreadable */
};

/* A file event: the file changed but the effective configuration did not. */
struct rs_file_event {
	int64_t time_ns;
	int64_t generation; /* the generation in force */
	enum rs_file_change change;
	const char *path, *target;
	struct rs_file_identity id;
	const char *reasons; /* what the watcher saw: "modify,attrib" */
	struct rs_writer writer;
};

/* Build generation `number` from a snapshot; retired/added against prev
 * (none when prev is NULL). Returns 0 or -ENOMEM. */
int rs_generation_build(const struct rs_generation *prev, const struct rs_conf_snapshot *snap,
			int64_t number, struct rs_generation *out);
/* Whether the snapshot's effective configuration differs from gen's. */
bool rs_generation_differs(const struct rs_generation *gen, const struct rs_conf_snapshot *snap);
/* Classify a change of the file between two observations. */
enum rs_file_change rs_file_change_classify(const struct rs_file_identity *before,
					    const char *target_before,
					    const struct rs_file_identity *after,
					    const char *target_after);
const char *rs_file_change_name(enum rs_file_change c);

/* Space-separated canonical text of an address list into out. */
void rs_addrs_join(const struct rs_addr *a, size_t n, struct rs_sbuf *out);
/* Parse such a list (at most max entries). Returns the count or -EINVAL. */
int rs_addrs_split(const char *text, struct rs_addr *out, size_t max);

/* Deep copy (the destination is overwritten). Returns 0 or -ENOMEM. */
int rs_generation_copy(struct rs_generation *dst, const struct rs_generation *src);
void rs_generation_clear(struct rs_generation *g);
void rs_writer_clear(struct rs_writer *w);

#endif
