/* The fanotify source: who opens and who writes the watched file. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/fanotify_src.h"
#include "resolvstale/timefmt.h"

#define INODE_MASK (FAN_OPEN | FAN_MODIFY | FAN_CLOSE_WRITE)
#define DIR_MASK   (FAN_CREATE | FAN_MOVED_TO | FAN_DELETE | FAN_MOVED_FROM)

struct rs_fanotify_src {
	struct rs_fanotify_src_opts o;
	int ifd;  /* inode group */
	int dfd;  /* directory group with FID reporting, or -1 */
	int epfd;
	char *target;
	char *base; /* the file's name in its directory */
	char *dir;  /* the directory marked in the dir group */
	dev_t marked_dev;
	ino_t marked_ino;
	bool marked;
	struct rs_fanotify_src_stats stats;
	pid_t self;
};

/* A one-line message for the operator (event.h). */
#define notice(x, level, ...) rs_notice((x)->o.notice, (x)->o.notice_ctx, level, __VA_ARGS__)

/* Mark the inode the target names now, if it is not the one marked. */
static int mark_inode(struct rs_fanotify_src *s)
{
	struct stat st;

	if (stat(s->target, &st) < 0) {
		/* Missing for now: the directory mark or the config watcher
		 * will bring us back when it appears. */
		if (s->marked)
			fanotify_mark(s->ifd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
		s->marked = false;
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	}
	if (s->marked && st.st_dev == s->marked_dev && st.st_ino == s->marked_ino)
		return 0;
	/* Marks belong to inodes: drop the old one (the replaced file may live
	 * on, open somewhere, and need not be watched). */
	if (s->marked)
		fanotify_mark(s->ifd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
	if (fanotify_mark(s->ifd, FAN_MARK_ADD, INODE_MASK, AT_FDCWD, s->target) < 0) {
		s->marked = false;
		return -errno;
	}
	if (s->marked)
		s->stats.remarks++;
	s->marked = true;
	s->marked_dev = st.st_dev;
	s->marked_ino = st.st_ino;
	return 0;
}

static int mark_dir(struct rs_fanotify_src *s, const char *dir)
{
	if (s->dfd < 0)
		return 0;
	if (s->dir != NULL && strcmp(s->dir, dir) == 0)
		return 0;
	if (s->dir != NULL)
		fanotify_mark(s->dfd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
	free(s->dir);
	s->dir = NULL;
	if (fanotify_mark(s->dfd, FAN_MARK_ADD | FAN_MARK_ONLYDIR, DIR_MASK, AT_FDCWD, dir) < 0) {
		int e = errno;
		if (e == ENOENT || e == ENOTDIR)
			return 0; /* the config watcher follows the chain */
		/* EXDEV / EOPNOTSUPP / ENODEV: FID marks are not supported on
		 * this file system (overlayfs before kernel 6.6). */
		notice(s, "warning",
		       "fanotify directory events are not available on %s (%s; FID marks on "
		       "overlayfs need kernel 6.6): writers of a rename come from audit only",
		       dir, strerror(e));
		close(s->dfd);
		s->dfd = -1;
		return 0;
	}
	s->dir = strdup(dir);
	return s->dir ? 0 : -ENOMEM;
}

int rs_fanotify_src_retarget(struct rs_fanotify_src *s, const char *target)
{
	char *copy, *d, *b;
	int r;

	if (s->target == NULL || strcmp(s->target, target) != 0) {
		char *t = strdup(target);
		copy = strdup(target);
		char *copy2 = strdup(target);
		if (t == NULL || copy == NULL || copy2 == NULL) {
			free(t);
			free(copy);
			free(copy2);
			return -ENOMEM;
		}
		d = dirname(copy);
		b = basename(copy2);
		free(s->target);
		free(s->base);
		s->target = t;
		s->base = strdup(b);
		r = s->base ? mark_dir(s, d) : -ENOMEM;
		free(copy);
		free(copy2);
		if (r < 0)
			return r;
	}
	return mark_inode(s);
}

static void fill_proc(struct rs_fanotify_src *s, int32_t pid, struct rs_event *ev)
{
	const struct rs_proc_ident *id = NULL;

	ev->proc.pid = pid;
	ev->proc.ppid = -1;
	ev->proc.uid = ev->proc.auid = -1;
	if (s->o.cache != NULL)
		id = rs_proccache_get(s->o.cache, pid, rs_time_now_ns(), NULL);
	if (id == NULL) {
		s->stats.unknown_pid++;
		return;
	}
	ev->proc.starttime = id->starttime;
	ev->proc.ppid = id->ppid;
	ev->proc.uid = id->uid;
	ev->proc.auid = id->auid;
	ev->proc.comm = id->comm;
	ev->proc.exe = id->exe;
}

static void emit_config(struct rs_fanotify_src *s, enum rs_event_type type, int32_t pid,
			const char *syscall)
{
	struct rs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.source = RS_SRC_FANOTIFY;
	ev.time_ns = rs_time_now_ns();
	fill_proc(s, pid, &ev);
	ev.u.config.path = s->target;
	ev.u.config.syscall = syscall;
	rs_sink_emit(&s->o.sink, &ev);
}

static void emit_overflow(struct rs_fanotify_src *s)
{
	struct rs_event ev;

	s->stats.overflows++;
	memset(&ev, 0, sizeof(ev));
	ev.type = RS_EV_EVENTS_LOST;
	ev.source = RS_SRC_FANOTIFY;
	ev.time_ns = rs_time_now_ns();
	ev.proc.ppid = -1;
	ev.proc.uid = ev.proc.auid = -1;
	ev.u.lost.reason = "fanotify queue overflow";
	rs_sink_emit(&s->o.sink, &ev);
}

/* The name in a DFID_NAME info record, or NULL if the record is malformed. */
static const char *dfid_name(const struct fanotify_event_metadata *m)
{
	const char *p = (const char *)m + m->metadata_len;
	const char *end = (const char *)m + m->event_len;

	while (p + sizeof(struct fanotify_event_info_header) <= end) {
		const struct fanotify_event_info_header *h = (const void *)p;
		const char *rec_end = p + h->len;

		if (h->len < sizeof(*h) || rec_end > end)
			return NULL;
		if (h->info_type == FAN_EVENT_INFO_TYPE_DFID_NAME) {
			const struct fanotify_event_info_fid *fid = (const void *)p;
			const struct file_handle *fh = (const void *)fid->handle;
			const char *name;

			if ((const char *)fh + sizeof(*fh) > rec_end)
				return NULL;
			name = (const char *)fh->f_handle + fh->handle_bytes;
			if (name >= rec_end || memchr(name, '\0', (size_t)(rec_end - name)) == NULL)
				return NULL;
			return name;
		}
		p = rec_end;
	}
	return NULL;
}

static void on_inode_event(struct rs_fanotify_src *s, const struct fanotify_event_metadata *m)
{
	if (m->mask & FAN_OPEN)
		emit_config(s, RS_EV_CONFIG_OPEN, m->pid, "open");
	if (m->mask & FAN_MODIFY)
		emit_config(s, RS_EV_CONFIG_WRITE, m->pid, "write");
	else if (m->mask & FAN_CLOSE_WRITE)
		emit_config(s, RS_EV_CONFIG_WRITE, m->pid, "close-write");
}

static void on_dir_event(struct rs_fanotify_src *s, const struct fanotify_event_metadata *m)
{
	const char *name = dfid_name(m);

	if (name == NULL || s->base == NULL || strcmp(name, s->base) != 0) {
		/* Another file in the directory (sed's temporary file): learn
		 * who the process is while it is alive. */
		if (s->o.cache != NULL)
			rs_proccache_get(s->o.cache, m->pid, rs_time_now_ns(), NULL);
		return;
	}
	if (m->mask & FAN_MOVED_TO)
		emit_config(s, RS_EV_CONFIG_WRITE, m->pid, "rename");
	else if (m->mask & FAN_CREATE)
		emit_config(s, RS_EV_CONFIG_WRITE, m->pid, "create");
	else if (m->mask & FAN_DELETE)
		emit_config(s, RS_EV_CONFIG_WRITE, m->pid, "unlink");
	else if (m->mask & FAN_MOVED_FROM)
		emit_config(s, RS_EV_CONFIG_WRITE, m->pid, "rename-away");
	if (m->mask & (FAN_MOVED_TO | FAN_CREATE))
		mark_inode(s); /* a new inode: watch its opens from now on */
}

static int drain(struct rs_fanotify_src *s, int fd, bool dir)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));

	for (int guard = 0; guard < 10000; guard++) {
		ssize_t len = read(fd, buf, sizeof(buf));
		const struct fanotify_event_metadata *m = (const void *)buf;

		if (len < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		if (len == 0)
			return 0;
		for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
			/* Close every event fd, also of events dropped below. */
			if (m->fd >= 0)
				close(m->fd);
			if (m->vers != FANOTIFY_METADATA_VERSION)
				continue;
			s->stats.events++;
			if (m->mask & FAN_Q_OVERFLOW) {
				emit_overflow(s);
				continue;
			}
			if (m->pid == s->self) {
				s->stats.own++;
				continue;
			}
			if (dir)
				on_dir_event(s, m);
			else
				on_inode_event(s, m);
		}
	}
	return 0;
}

int rs_fanotify_src_process(struct rs_fanotify_src *s)
{
	int r = drain(s, s->ifd, false);

	if (r == 0 && s->dfd >= 0)
		r = drain(s, s->dfd, true);
	return r;
}

static int add_epoll(int epfd, int fd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int rs_fanotify_src_new(const struct rs_fanotify_src_opts *o, struct rs_fanotify_src **out,
			char *err, size_t errlen)
{
	struct rs_fanotify_src *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (s == NULL)
		return -ENOMEM;
	s->o = *o;
	s->self = getpid();
	s->ifd = s->dfd = s->epfd = -1;
	s->ifd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
			       O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NOATIME);
	if (s->ifd < 0 && errno == EPERM)
		s->ifd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
				       O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	if (s->ifd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot start fanotify: %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_SYS_ADMIN)"
					: errno == ENOSYS ? " (kernel without fanotify)" : "");
		goto fail;
	}
	s->dfd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME,
			       O_RDONLY | O_CLOEXEC);
	if (s->dfd < 0)
		notice(s, "warning",
		       "fanotify directory events are not available (%s; needs kernel 5.9): writers "
		       "of a rename come from audit only",
		       strerror(errno));
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0 || add_epoll(s->epfd, s->ifd) < 0 ||
	    (s->dfd >= 0 && add_epoll(s->epfd, s->dfd) < 0)) {
		r = -errno;
		snprintf(err, errlen, "cannot set up fanotify: %s", strerror(errno));
		goto fail;
	}
	if (o->target != NULL) {
		r = rs_fanotify_src_retarget(s, o->target);
		if (r < 0) {
			snprintf(err, errlen, "cannot mark %s: %s", o->target, strerror(-r));
			goto fail;
		}
		/* mark_dir may have closed the directory group: closing an
		 * fd takes it out of the epoll set. */
	}
	*out = s;
	return 0;
fail:
	rs_fanotify_src_free(s);
	return r;
}

void rs_fanotify_src_free(struct rs_fanotify_src *s)
{
	if (s == NULL)
		return;
	if (s->ifd >= 0)
		close(s->ifd);
	if (s->dfd >= 0)
		close(s->dfd);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s->target);
	free(s->base);
	free(s->dir);
	free(s);
}

int rs_fanotify_src_fd(const struct rs_fanotify_src *s)
{
	return s->epfd;
}

bool rs_fanotify_src_dir_events(const struct rs_fanotify_src *s)
{
	return s->dfd >= 0;
}

const struct rs_fanotify_src_stats *rs_fanotify_src_stats(const struct rs_fanotify_src *s)
{
	return &s->stats;
}
