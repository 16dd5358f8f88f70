/* One observation of the watched resolv.conf. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/confsnap.h"
#include "resolvstale/pathchain.h"
#include "resolvstale/timefmt.h"

const char *rs_file_state_name(enum rs_file_state state)
{
	switch (state) {
	case RS_FILE_OK:
		return "ok";
	case RS_FILE_EMPTY:
		return "empty";
	case RS_FILE_MISSING:
		return "missing";
	case RS_FILE_UNREADABLE:
		return "unreadable";
	}
	return "unknown";
}

uint64_t rs_hash64(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void rs_conf_snapshot_clear(struct rs_conf_snapshot *snap)
{
	if (snap == NULL)
		return;
	free(snap->path);
	free(snap->target);
	free(snap->chain);
	free(snap->content);
	memset(snap, 0, sizeof(*snap));
}

/* Read at most RS_RC_MAX_FILE bytes of an open regular file; note whether
 * there was more. */
static int read_bounded(int fd, struct rs_conf_snapshot *snap)
{
	char *buf = malloc(RS_RC_MAX_FILE + 1);
	size_t len = 0;

	if (buf == NULL)
		return -ENOMEM;
	while (len < RS_RC_MAX_FILE + 1) {
		ssize_t n = read(fd, buf + len, RS_RC_MAX_FILE + 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			return -e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	/* Keep the extra byte: the parser sees that the file is over its cap. */
	snap->content_truncated = len > RS_RC_MAX_FILE;
	snap->content = buf;
	snap->content_len = len;
	return 0;
}

int rs_conf_snapshot_read(const char *path, struct rs_conf_snapshot *snap)
{
	struct rs_pathchain *chain;
	char *desc;
	struct stat st;
	int fd, r;

	memset(snap, 0, sizeof(*snap));
	if (path == NULL || path[0] != '/')
		return -EINVAL;
	chain = calloc(1, sizeof(*chain));
	desc = malloc(PATH_MAX * 2);
	if (chain == NULL || desc == NULL) {
		free(chain);
		free(desc);
		return -ENOMEM;
	}
	snap->time_ns = rs_time_now_ns();
	r = rs_pathchain_resolve(path, chain);
	if (r < 0)
		goto out;
	rs_pathchain_describe(chain, desc, PATH_MAX * 2);
	snap->path = strdup(path);
	snap->target = strdup(chain->final);
	snap->chain = strdup(desc);
	if (snap->path == NULL || snap->target == NULL || snap->chain == NULL) {
		r = -ENOMEM;
		goto out;
	}
	if (chain->err == ENOENT || chain->err == ENOTDIR) {
		snap->id.state = RS_FILE_MISSING;
		snap->id.err = chain->err;
		goto parse;
	}
	if (chain->err != 0) {
		snap->id.state = RS_FILE_UNREADABLE;
		snap->id.err = chain->err;
		goto parse;
	}
	/* O_NONBLOCK: a FIFO put in the file's place must not hang the daemon;
	 * O_NOFOLLOW: the chain was resolved already, a link appearing now is
	 * a race that the next inotify event will resolve. */
	fd = open(chain->final, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0) {
		snap->id.state = errno == ENOENT ? RS_FILE_MISSING : RS_FILE_UNREADABLE;
		snap->id.err = errno;
		goto parse;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snap->id.state = RS_FILE_UNREADABLE;
		snap->id.err = S_ISREG(st.st_mode) ? errno : EINVAL;
		close(fd);
		goto parse;
	}
	snap->id.dev = st.st_dev;
	snap->id.ino = st.st_ino;
	snap->id.size = st.st_size;
	snap->id.mtime_ns = (int64_t)st.st_mtim.tv_sec * RS_NS_PER_SEC + st.st_mtim.tv_nsec;
	snap->id.ctime_ns = (int64_t)st.st_ctim.tv_sec * RS_NS_PER_SEC + st.st_ctim.tv_nsec;
	snap->id.mode = st.st_mode;
	snap->id.uid = st.st_uid;
	r = read_bounded(fd, snap);
	close(fd);
	if (r == -ENOMEM)
		goto out;
	if (r < 0) {
		snap->id.state = RS_FILE_UNREADABLE;
		snap->id.err = -r;
		r = 0;
		goto parse;
	}
	snap->id.hash = rs_hash64(snap->content, snap->content_len);
	snap->id.state = snap->content_len == 0 ? RS_FILE_EMPTY : RS_FILE_OK;
parse:
	/* A missing or unreadable file is read by glibc as an empty one. */
	rs_resolvconf_parse(snap->content, snap->content_len, &snap->conf);
	r = 0;
out:
	rs_pathchain_free(chain);
	free(chain);
	free(desc);
	if (r < 0)
		rs_conf_snapshot_clear(snap);
	return r;
}
