/* The config watcher: inotify on every directory of the symlink chain. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "resolvstale/confwatch.h"
#include "resolvstale/pathchain.h"

/* Entries on the chain: creation, removal, renames, attribute changes. */
#define MASK_ENTRY                                                                                 \
	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |        \
	 IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)
/* Only in the directory of the final file: writes to its contents. */
#define MASK_CONTENT (IN_MODIFY | IN_CLOSE_WRITE)

struct watch {
	int wd;
	char *dir;
	char **names; /* entries of interest in this directory */
	size_t n_names;
	uint32_t mask;
};

enum phase {
	PHASE_IDLE,
	PHASE_SETTLING,   /* waiting for settle_ms of quiet */
	PHASE_CONFIRMING, /* empty or missing: waiting persist_ms to believe it */
};

struct rs_confwatch {
	char *path;
	unsigned settle_ms, persist_ms;
	int ifd, tfd, epfd;
	struct watch *watches;
	size_t n_watches;
	enum phase phase;
	unsigned reasons;
	struct rs_confwatch_stats stats;
};

static void watch_free(struct watch *w)
{
	free(w->dir);
	for (size_t i = 0; i < w->n_names; i++)
		free(w->names[i]);
	free(w->names);
}

static void watches_free(struct watch *ws, size_t n)
{
	for (size_t i = 0; i < n; i++)
		watch_free(&ws[i]);
	free(ws);
}

static struct watch *find_wd(struct watch *ws, size_t n, int wd)
{
	for (size_t i = 0; i < n; i++)
		if (ws[i].wd == wd)
			return &ws[i];
	return NULL;
}

static int add_name(struct watch *w, const char *name)
{
	char **names;

	for (size_t i = 0; i < w->n_names; i++)
		if (strcmp(w->names[i], name) == 0)
			return 0;
	names = realloc(w->names, (w->n_names + 1) * sizeof(*names));
	if (names == NULL)
		return -ENOMEM;
	w->names = names;
	w->names[w->n_names] = strdup(name);
	if (w->names[w->n_names] == NULL)
		return -ENOMEM;
	w->n_names++;
	return 0;
}

/* Resolve the chain again and make the watch set follow it: add watches for
 * new directories, drop the ones no longer on the chain. */
static int rewatch(struct rs_confwatch *cw)
{
	struct rs_pathchain *chain = calloc(1, sizeof(*chain));
	struct watch *nw = NULL;
	size_t n = 0;
	bool changed = false;
	int r;

	if (chain == NULL)
		return -ENOMEM;
	r = rs_pathchain_resolve(cw->path, chain);
	if (r < 0)
		goto out;
	nw = calloc(chain->n_lookups ? chain->n_lookups : 1, sizeof(*nw));
	if (nw == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < chain->n_lookups; i++) {
		const struct rs_lookup *l = &chain->lookups[i];
		bool last = i + 1 == chain->n_lookups;
		uint32_t mask = MASK_ENTRY | (last ? MASK_CONTENT : 0);
		struct watch *w = NULL;
		int wd;

		for (size_t k = 0; k < n; k++)
			if (strcmp(nw[k].dir, l->dir) == 0)
				w = &nw[k];
		if (w != NULL && (w->mask | mask) == w->mask) {
			r = add_name(w, l->name);
			if (r < 0)
				goto out;
			continue;
		}
		/* Adding a watch replaces the directory's mask: ask for every
		 * bit this pass needs there. */
		wd = inotify_add_watch(cw->ifd, l->dir, (w ? w->mask : 0) | mask);
		if (wd < 0) {
			/* Gone or unreadable now: its parent is watched too, and
			 * the next event there brings us back here. */
			cw->stats.watch_errors++;
			continue;
		}
		if (w == NULL) {
			w = find_wd(nw, n, wd);
			/* Another path to a directory already watched in this
			 * pass: the add above replaced its mask, restore the
			 * union. */
			if (w != NULL && (w->mask | mask) != mask)
				inotify_add_watch(cw->ifd, l->dir, w->mask | mask);
		}
		if (w == NULL) {
			w = &nw[n++];
			w->wd = wd;
			w->dir = strdup(l->dir);
			if (w->dir == NULL) {
				r = -ENOMEM;
				goto out;
			}
		}
		w->mask |= mask;
		r = add_name(w, l->name);
		if (r < 0)
			goto out;
	}
	/* Drop watches that are no longer on the chain. */
	for (size_t i = 0; i < cw->n_watches; i++) {
		if (find_wd(nw, n, cw->watches[i].wd) == NULL) {
			inotify_rm_watch(cw->ifd, cw->watches[i].wd);
			changed = true;
		}
	}
	for (size_t i = 0; i < n && !changed; i++)
		if (find_wd(cw->watches, cw->n_watches, nw[i].wd) == NULL)
			changed = true;
	if (changed)
		cw->stats.rewatches++;
	watches_free(cw->watches, cw->n_watches);
	cw->watches = nw;
	cw->n_watches = n;
	nw = NULL;
	r = 0;
out:
	if (nw != NULL)
		watches_free(nw, n);
	rs_pathchain_free(chain);
	free(chain);
	return r;
}

static int arm(struct rs_confwatch *cw, unsigned ms)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = ms / 1000;
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
	if (ms == 0)
		its.it_value.tv_nsec = 1; /* 0 would disarm */
	if (timerfd_settime(cw->tfd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

int rs_confwatch_new(const struct rs_confwatch_opts *opts, struct rs_confwatch **out)
{
	struct rs_confwatch *cw;
	struct epoll_event ev;
	int r;

	*out = NULL;
	if (opts->path == NULL || opts->path[0] != '/')
		return -EINVAL;
	cw = calloc(1, sizeof(*cw));
	if (cw == NULL)
		return -ENOMEM;
	cw->ifd = cw->tfd = cw->epfd = -1;
	cw->settle_ms = opts->settle_ms;
	cw->persist_ms = opts->persist_ms;
	cw->path = strdup(opts->path);
	if (cw->path == NULL) {
		r = -ENOMEM;
		goto fail;
	}
	cw->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	cw->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	cw->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (cw->ifd < 0 || cw->tfd < 0 || cw->epfd < 0) {
		r = -errno;
		goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = cw->ifd;
	if (epoll_ctl(cw->epfd, EPOLL_CTL_ADD, cw->ifd, &ev) < 0) {
		r = -errno;
		goto fail;
	}
	ev.data.fd = cw->tfd;
	if (epoll_ctl(cw->epfd, EPOLL_CTL_ADD, cw->tfd, &ev) < 0) {
		r = -errno;
		goto fail;
	}
	r = rewatch(cw);
	if (r < 0)
		goto fail;
	if (cw->n_watches == 0) {
		r = -ENOENT; /* not even "/" could be watched */
		goto fail;
	}
	*out = cw;
	return 0;
fail:
	rs_confwatch_free(cw);
	return r;
}

void rs_confwatch_free(struct rs_confwatch *cw)
{
	if (cw == NULL)
		return;
	watches_free(cw->watches, cw->n_watches);
	if (cw->ifd >= 0)
		close(cw->ifd);
	if (cw->tfd >= 0)
		close(cw->tfd);
	if (cw->epfd >= 0)
		close(cw->epfd);
	free(cw->path);
	free(cw);
}

int rs_confwatch_fd(const struct rs_confwatch *cw)
{
	return cw->epfd;
}

size_t rs_confwatch_n_watches(const struct rs_confwatch *cw)
{
	return cw->n_watches;
}

const struct rs_confwatch_stats *rs_confwatch_stats(const struct rs_confwatch *cw)
{
	return &cw->stats;
}

static unsigned reason_of(uint32_t mask)
{
	unsigned r = 0;

	if (mask & IN_MODIFY)
		r |= RS_CW_MODIFY;
	if (mask & IN_CLOSE_WRITE)
		r |= RS_CW_CLOSE_WRITE;
	if (mask & IN_ATTRIB)
		r |= RS_CW_ATTRIB;
	if (mask & IN_CREATE)
		r |= RS_CW_CREATE;
	if (mask & IN_DELETE)
		r |= RS_CW_DELETE;
	if (mask & (IN_MOVED_FROM | IN_MOVED_TO))
		r |= RS_CW_MOVE;
	if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT))
		r |= RS_CW_DIR;
	if (mask & IN_Q_OVERFLOW)
		r |= RS_CW_OVERFLOW;
	return r;
}

/* Drain the inotify queue; returns the reasons of the relevant events. */
static int drain(struct rs_confwatch *cw, unsigned *reasons)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));

	for (;;) {
		ssize_t n = read(cw->ifd, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			return -errno;
		}
		if (n == 0)
			return 0;
		while (off + sizeof(struct inotify_event) <= (size_t)n) {
			const struct inotify_event *ev = (const void *)(buf + off);
			size_t evlen = sizeof(*ev) + ev->len;
			struct watch *w;

			if (off + evlen > (size_t)n)
				break;
			off += evlen;
			cw->stats.events++;
			if (ev->mask & IN_Q_OVERFLOW) {
				cw->stats.overflows++;
				*reasons |= RS_CW_OVERFLOW;
				continue;
			}
			w = find_wd(cw->watches, cw->n_watches, ev->wd);
			if (w == NULL)
				continue; /* a watch dropped a moment ago */
			if (ev->len == 0 || (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))) {
				if (ev->mask &
				    (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) {
					cw->stats.relevant++;
					*reasons |= RS_CW_DIR;
				}
				continue;
			}
			for (size_t i = 0; i < w->n_names; i++) {
				if (strcmp(ev->name, w->names[i]) == 0) {
					cw->stats.relevant++;
					*reasons |= reason_of(ev->mask);
					break;
				}
			}
		}
	}
}

static int deliver(struct rs_confwatch *cw, rs_confwatch_fn fn, void *ctx)
{
	struct rs_conf_snapshot snap;
	int r;

	/* Follow the chain first, then read: a change after the read is then
	 * sure to produce an event. */
	r = rewatch(cw);
	if (r < 0)
		return r;
	r = rs_conf_snapshot_read(cw->path, &snap);
	if (r < 0)
		return r;
	cw->stats.reads++;
	if ((snap.id.state == RS_FILE_EMPTY || snap.id.state == RS_FILE_MISSING) &&
	    cw->phase == PHASE_SETTLING && cw->persist_ms > cw->settle_ms) {
		/* Probably the middle of a truncate + write or delete +
		 * create: believe it only if it stays so. */
		cw->phase = PHASE_CONFIRMING;
		rs_conf_snapshot_clear(&snap);
		return arm(cw, cw->persist_ms - cw->settle_ms);
	}
	cw->phase = PHASE_IDLE;
	fn(ctx, &snap, cw->reasons);
	cw->reasons = 0;
	rs_conf_snapshot_clear(&snap);
	return 0;
}

int rs_confwatch_process(struct rs_confwatch *cw, rs_confwatch_fn fn, void *ctx)
{
	unsigned reasons = 0;
	uint64_t ticks;
	ssize_t n;
	int r;

	r = drain(cw, &reasons);
	if (r < 0)
		return r;
	if (reasons != 0) {
		cw->reasons |= reasons;
		/* Follow a re-pointed link or a replaced directory at once, so
		 * that writes to the new target during the settle time are
		 * seen too. */
		r = rewatch(cw);
		if (r < 0)
			return r;
		cw->phase = PHASE_SETTLING;
		return arm(cw, cw->settle_ms);
	}
	n = read(cw->tfd, &ticks, sizeof(ticks));
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		return -errno;
	}
	if (cw->phase == PHASE_IDLE)
		return 0;
	return deliver(cw, fn, ctx);
}

int rs_confwatch_rescan(struct rs_confwatch *cw)
{
	cw->reasons |= RS_CW_RESCAN;
	cw->phase = PHASE_SETTLING;
	return arm(cw, 0);
}

char *rs_cw_reasons_str(unsigned reasons, char *buf, size_t len)
{
	static const char *const names[] = {"modify", "attrib",   "create", "delete",     "move",
					    "dir",    "overflow", "rescan", "close-write"};
	size_t o = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(reasons & (1u << i)))
			continue;
		o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? "," : "",
				      names[i]);
		if (o >= len)
			break;
	}
	return buf;
}
