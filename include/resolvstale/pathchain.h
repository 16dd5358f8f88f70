/* Resolution of a path through its symlinks, recording every directory entry
 * the kernel would look up on the way.
 *
 * The config watcher needs more than realpath(): to notice that the file a
 * path leads to has changed, it must watch every directory entry whose change
 * could make the path lead elsewhere or to other content. For
 * /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf those are
 * ("/", "etc"), ("/etc", "resolv.conf"), ("/", "run"), ("/run", "systemd"),
 * ("/run/systemd", "resolve") and ("/run/systemd/resolve", "stub-resolv.conf").
 * rs_pathchain_resolve() walks the path component by component like the
 * kernel (symlinks expanded, ".." taken physically after them) and returns
 * those lookups, the symlinks met, and the final path.
 */
#ifndef RESOLVSTALE_PATHCHAIN_H
#define RESOLVSTALE_PATHCHAIN_H

#include <stdbool.h>
#include <stddef.h>

#define RS_CHAIN_MAX_LINKS   40  /* the kernel's limit before ELOOP */
#define RS_CHAIN_MAX_LOOKUPS 256 /* directory entries recorded */

struct rs_lookup {
	char *dir;  /* absolute, physical (no symlinks) */
	char *name; /* one path component */
	bool final; /* this entry is the final file itself */
};

struct rs_symlink {
	char *path;   /* absolute, physical path of the link */
	char *target; /* its contents, as read */
};

struct rs_pathchain {
	char *final; /* physical path the chain ends at (exists or not) */
	int err;     /* 0 if final exists; else the errno that stopped the walk
		      * (ENOENT, ENOTDIR, ELOOP, EACCES, ENAMETOOLONG) */
	struct rs_lookup lookups[RS_CHAIN_MAX_LOOKUPS];
	size_t n_lookups;
	struct rs_symlink links[RS_CHAIN_MAX_LINKS];
	size_t n_links;
};

/* Resolve the absolute path. Returns 0 (see chain->err for whether the final
 * file exists), -EINVAL for a relative or empty path, -ENOMEM. On any return
 * chain is safe to pass to rs_pathchain_free(). */
int rs_pathchain_resolve(const char *path, struct rs_pathchain *chain);
void rs_pathchain_free(struct rs_pathchain *chain);

/* "/etc/resolv.conf -> /run/x/resolv.conf" (each link's physical path, then
 * the final path); just the final path when there is no link. */
void rs_pathchain_describe(const struct rs_pathchain *chain, char *buf, size_t len);

#endif
