/* The eBPF source: loads the tripwire (src/bpf/tripwire.bpf.c, through the
 * bpftool-generated skeleton), attaches it to the cgroup v2 root with links
 * owned by this process, keeps its maps in step with the generation in force
 * and turns its ring-buffer records into DNS_SEND events. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../src/bpf/tripwire.h"
#include "resolvstale/ebpf_src.h"
#include "resolvstale/timefmt.h"
#include "tripwire.skel.h"

#define MAX_LINKS        9

_Static_assert(RS_EBPF_MAX_SERVERS == RS_TW_MAX_SERVERS,
	       "the public limit is the size of the servers map");
#define MOUNTINFO_MAX    (4 << 20)

struct rs_ebpf_src {
	struct rs_ebpf_src_opts o;
	struct tripwire *skel;
	struct bpf_link *links[MAX_LINKS];
	size_t n_links;
	struct ring_buffer *rb;
	int cgfd;
	char cgroup[PATH_MAX];
	struct rs_ebpf_src_stats stats;
	uint64_t dropped_reported;
	int ncpus;
	bool writers; /* a rename program is attached */
	bool fentry;  /* the fentry program loaded (BTF, tracing allowed) */
	char *watched[2]; /* the watched path and its final target */
	char names[2][RS_TW_NAME_MAX]; /* their last components */
	struct rs_tw_addr to4, to6;
	int64_t generation;
	bool armed;
};

/* libbpf prints through one global callback: keep its last warning for the
 * one-line error of a failed load (the verifier log is for developers). */
static char libbpf_last[256];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(libbpf_last)];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strcspn(line, "\n");
	line[n] = '\0';
	if (n > 0)
		memcpy(libbpf_last, line, n + 1);
	return 0;
}

/* A one-line message for the operator (event.h). */
#define notice(x, level, ...) rs_notice((x)->o.notice, (x)->o.notice_ctx, level, __VA_ARGS__)

const char *rs_fence_name(enum rs_fence f)
{
	switch (f) {
	case RS_FENCE_REDIRECT:
		return "redirect";
	case RS_FENCE_REFUSE:
		return "refuse";
	default:
		return "off";
	}
}

int rs_fence_parse(const char *s, enum rs_fence *out)
{
	if (strcmp(s, "off") == 0)
		*out = RS_FENCE_OFF;
	else if (strcmp(s, "redirect") == 0)
		*out = RS_FENCE_REDIRECT;
	else if (strcmp(s, "refuse") == 0)
		*out = RS_FENCE_REFUSE;
	else
		return -EINVAL;
	return 0;
}

static int find_cgroup2(char *out, size_t outlen)
{
	char *buf = malloc(MOUNTINFO_MAX);
	size_t len = 0;
	ssize_t n;
	int fd, r;

	if (buf == NULL)
		return -ENOMEM;
	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while (len < MOUNTINFO_MAX && (n = read(fd, buf + len, MOUNTINFO_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	r = rs_cgroup2_mount_find(buf, len, out, outlen);
	free(buf);
	return r;
}

static int handle_event(void *ctx, void *data, size_t size);

/* What a failed load means, in the operator's terms. */
static int load_error(int r, char *err, size_t errlen)
{
	if (r == -EPERM || r == -EACCES)
		snprintf(err, errlen,
			 "the kernel refused to load the eBPF programs (%s): run as root "
			 "(CAP_BPF, CAP_NET_ADMIN), and check kernel.unprivileged_bpf_disabled "
			 "and lockdown",
			 strerror(-r));
	else
		snprintf(err, errlen, "cannot load the eBPF programs: %s%s%s", strerror(-r),
			 libbpf_last[0] ? ": " : "", libbpf_last);
	return r == -EPERM || r == -EACCES ? -EPERM : -EOPNOTSUPP;
}

static const char *const rename_tps[3] = {"sys_enter_rename", "sys_enter_renameat",
					   "sys_enter_renameat2"};

static const char *const tp_id_paths[3] = {
	"/sys/kernel/tracing/events/syscalls/sys_enter_rename/id",
	"/sys/kernel/tracing/events/syscalls/sys_enter_renameat/id",
	"/sys/kernel/tracing/events/syscalls/sys_enter_renameat2/id",
};

/* A tracepoint's id is only in tracefs, which some hosts do not mount. Read
 * it from a tracefs mounted in a child's private mount namespace: the host's
 * mounts stay as they are. ids[i] is 0 when unknown. */
static void tracepoint_ids_private(uint64_t ids[3])
{
	int fds[2];
	pid_t pid;

	memset(ids, 0, 3 * sizeof(ids[0]));
	if (pipe2(fds, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		uint64_t out[3] = {0, 0, 0};
		/* Private first, so that the mount cannot propagate to the
		 * host: "/" is no mount point in a chroot, /sys then is. */
		if (unshare(CLONE_NEWNS) == 0 &&
		    (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 ||
		     mount(NULL, "/sys", NULL, MS_REC | MS_PRIVATE, NULL) == 0) &&
		    mount("nodev", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  NULL) == 0) {
			/* Only async-signal-safe calls after fork: the audit
			 * plugin has a reader thread that may hold a lock. */
			for (int i = 0; i < 3; i++) {
				char buf[32];
				ssize_t n;
				int fd = open(tp_id_paths[i], O_RDONLY | O_CLOEXEC);

				if (fd < 0)
					continue;
				n = read(fd, buf, sizeof(buf));
				close(fd);
				for (ssize_t j = 0; j < n && buf[j] >= '0' && buf[j] <= '9'; j++)
					out[i] = out[i] * 10 + (uint64_t)(buf[j] - '0');
			}
		}
		(void)!write(fds[1], out, sizeof(out));
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0) {
		if (read(fds[0], ids, 3 * sizeof(ids[0])) != (ssize_t)(3 * sizeof(ids[0])))
			memset(ids, 0, 3 * sizeof(ids[0]));
		waitpid(pid, NULL, 0);
	}
	close(fds[0]);
}

static struct bpf_link *attach_tp_id(struct bpf_program *p, uint64_t id)
{
	struct perf_event_attr attr;
	struct bpf_link *l;
	int pfd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	/* One event for the whole host: a BPF program on a tracepoint runs on
	 * every CPU whichever CPU its perf event names. */
	pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		return NULL;
	l = bpf_program__attach_perf_event(p, pfd);
	if (l == NULL)
		close(pfd);
	return l;
}

/* Writers: the fentry program on do_renameat2 when it loaded (BTF), else
 * the rename tracepoints (tracefs: the host's, or one mounted privately for
 * their ids). A machine without rename(2) (aarch64) lacks one tracepoint,
 * which is fine; without any, writers are named by the other sources. */
static void attach_writers(struct rs_ebpf_src *s)
{
	struct bpf_program *progs[3] = {s->skel->progs.tw_rename, s->skel->progs.tw_renameat,
					s->skel->progs.tw_renameat2};
	uint64_t ids[3];
	bool have_ids = false;

	if (s->fentry) {
		struct bpf_link *l = bpf_program__attach_trace(s->skel->progs.tw_do_renameat2);
		if (l != NULL) {
			s->links[s->n_links++] = l;
			s->writers = true;
			return;
		}
	}
	for (size_t i = 0; i < 3 && s->n_links < MAX_LINKS; i++) {
		struct bpf_link *l = bpf_program__attach_tracepoint(progs[i], "syscalls",
								    rename_tps[i]);
		if (l == NULL) {
			if (!have_ids)
				tracepoint_ids_private(ids);
			have_ids = true;
			l = ids[i] ? attach_tp_id(progs[i], ids[i]) : NULL;
		}
		if (l == NULL)
			continue;
		s->links[s->n_links++] = l;
		s->writers = true;
	}
	if (!s->writers)
		notice(s, "notice", "the eBPF rename programs could not be attached (no BTF for "
				    "fentry, no tracefs): writers of the file are named by fanotify "
				    "and audit only");
}

/* Open and load the skeleton; with_fentry says whether the fentry program
 * is loaded. On failure the skeleton is gone again (s->skel NULL). */
static int open_and_load(struct rs_ebpf_src *s, bool with_fentry)
{
	int r;

	s->skel = tripwire__open();
	if (s->skel == NULL)
		return -errno;
	/* The reply programs run on every UDP receive with an address: only
	 * the redirect fence needs them. */
	if (s->o.fence != RS_FENCE_REDIRECT) {
		bpf_program__set_autoload(s->skel->progs.tw_recvmsg4, false);
		bpf_program__set_autoload(s->skel->progs.tw_recvmsg6, false);
	}
	if (!with_fentry)
		bpf_program__set_autoload(s->skel->progs.tw_do_renameat2, false);
	r = tripwire__load(s->skel);
	if (r < 0) {
		tripwire__destroy(s->skel);
		s->skel = NULL;
	}
	return r;
}

static int attach(struct rs_ebpf_src *s, struct bpf_program *p, char *err, size_t errlen)
{
	struct bpf_link *l = bpf_program__attach_cgroup(p, s->cgfd);

	if (l == NULL) {
		int r = -errno;
		snprintf(err, errlen, "cannot attach %s to %s: %s", bpf_program__name(p), s->cgroup,
			 strerror(-r));
		return r == -EPERM ? -EPERM : -EOPNOTSUPP;
	}
	s->links[s->n_links++] = l;
	return 0;
}

static int write_config(struct rs_ebpf_src *s)
{
	struct rs_tw_config c;
	uint32_t zero = 0;

	memset(&c, 0, sizeof(c));
	c.generation = (uint64_t)s->generation;
	c.fence = s->o.fence == RS_FENCE_REDIRECT ? RS_TW_FENCE_REDIRECT
		  : s->o.fence == RS_FENCE_REFUSE ? RS_TW_FENCE_REFUSE
						   : RS_TW_FENCE_OFF;
	c.stale_per_sec = s->o.stale_per_sec ? s->o.stale_per_sec : RS_EBPF_STALE_PER_SEC;
	c.to4 = s->to4;
	c.to6 = s->to6;
	c.armed = s->armed;
	for (int i = 0; i < 2; i++) {
		memcpy(c.names[i], s->names[i], sizeof(c.names[i]));
		c.name_len[i] = (uint32_t)strlen(s->names[i]);
	}
	if (bpf_map__update_elem(s->skel->maps.config, &zero, sizeof(zero), &c, sizeof(c),
				 BPF_ANY) < 0)
		return -errno;
	return 0;
}

int rs_ebpf_src_new(const struct rs_ebpf_src_opts *o, struct rs_ebpf_src **out, char *err,
		    size_t errlen)
{
	struct rs_ebpf_src *s;
	int r;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->o = *o;
	s->cgfd = -1;
	if (o->cgroup_path != NULL) {
		snprintf(s->cgroup, sizeof(s->cgroup), "%s", o->cgroup_path);
	} else if ((r = find_cgroup2(s->cgroup, sizeof(s->cgroup))) < 0) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted (%s)",
			 r == -ENOENT ? "no cgroup2 line in /proc/self/mountinfo" : strerror(-r));
		free(s);
		return -ENOENT;
	}
	s->cgfd = open(s->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->cgfd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open the cgroup v2 root %s: %s", s->cgroup,
			 strerror(-r));
		free(s);
		return r == -EACCES ? -EPERM : -ENOENT;
	}
	libbpf_last[0] = '\0';
	libbpf_set_print(libbpf_print);
	/* The fentry program needs the kernel's BTF and may be refused where
	 * tracing programs are not allowed: then load without it. */
	r = open_and_load(s, true);
	if (r < 0 && s->skel == NULL)
		r = open_and_load(s, false);
	else
		s->fentry = r == 0;
	if (r < 0) {
		r = load_error(r, err, errlen);
		goto fail;
	}
	s->ncpus = libbpf_num_possible_cpus();
	/* Disarmed until the servers are known: every hook returns at once. */
	if ((r = write_config(s)) < 0) {
		snprintf(err, errlen, "cannot configure the eBPF programs: %s", strerror(-r));
		goto fail;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), handle_event, s, NULL);
	if (s->rb == NULL) {
		r = -errno;
		snprintf(err, errlen, "cannot open the eBPF ring buffer: %s", strerror(-r));
		goto fail;
	}
	if ((r = attach(s, s->skel->progs.tw_connect4, err, errlen)) < 0 ||
	    (r = attach(s, s->skel->progs.tw_connect6, err, errlen)) < 0 ||
	    (r = attach(s, s->skel->progs.tw_sendmsg4, err, errlen)) < 0 ||
	    (r = attach(s, s->skel->progs.tw_sendmsg6, err, errlen)) < 0)
		goto fail;
	if (o->fence == RS_FENCE_REDIRECT &&
	    ((r = attach(s, s->skel->progs.tw_recvmsg4, err, errlen)) < 0 ||
	     (r = attach(s, s->skel->progs.tw_recvmsg6, err, errlen)) < 0))
		goto fail;
	attach_writers(s);
	*out = s;
	return 0;
fail:
	rs_ebpf_src_free(s);
	return r;
}

void rs_ebpf_src_free(struct rs_ebpf_src *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_links; i++)
		bpf_link__destroy(s->links[i]);
	ring_buffer__free(s->rb);
	tripwire__destroy(s->skel);
	if (s->cgfd >= 0)
		close(s->cgfd);
	free(s->watched[0]);
	free(s->watched[1]);
	free(s);
}

int rs_ebpf_src_fd(const struct rs_ebpf_src *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

const char *rs_ebpf_src_cgroup(const struct rs_ebpf_src *s)
{
	return s->cgroup;
}

/* A loopback destination is another server in each network namespace: ask
 * once per namespace whether its processes read the watched file, and let
 * the kernel drop the sends of namespaces that do not. Returns whether the
 * event counts. */
static bool netns_counts(struct rs_ebpf_src *s, const struct rs_tw_event *raw)
{
	uint64_t cookie = raw->netns_cookie;
	uint32_t v = 0;
	int reads;

	/* A count swept from the kernel's map (no cookie): its sends passed
	 * the namespace check when the kernel counted them. */
	if (s->o.netns_reads == NULL || cookie == 0)
		return true;
	if (bpf_map__lookup_elem(s->skel->maps.netns, &cookie, sizeof(cookie), &v, sizeof(v), 0) ==
	    0)
		return v != RS_TW_NETNS_OTHER;
	reads = s->o.netns_reads(s->o.netns_ctx, (int32_t)raw->tgid);
	if (reads < 0)
		return true; /* gone already: let the verdict decide from its facts */
	v = reads ? RS_TW_NETNS_READS : RS_TW_NETNS_OTHER;
	if (bpf_map__update_elem(s->skel->maps.netns, &cookie, sizeof(cookie), &v, sizeof(v),
				 BPF_ANY) == 0)
		s->stats.netns_classified++;
	return reads != 0;
}

/* A rename's destination matched a watched name in the kernel: an absolute
 * one must be the watched path or its target (another directory's
 * resolv.conf is not ours); a relative one cannot be checked without the
 * renamer's cwd, which may be gone: it is taken. */
static bool watched_path(const struct rs_ebpf_src *s, const char *path)
{
	if (path[0] != '/')
		return true;
	for (int i = 0; i < 2; i++)
		if (s->watched[i] != NULL && strcmp(s->watched[i], path) == 0)
			return true;
	return false;
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct rs_ebpf_src *s = ctx;
	const struct rs_tw_event *raw = data;
	struct rs_event ev;
	char comm[sizeof(raw->comm) + 1];
	int64_t now = rs_time_now_ns();

	if (rs_tw_event_convert(raw, size, rs_time_mono_ns(), now, &ev, comm, sizeof(comm)) < 0)
		return 0;
	if (ev.type == RS_EV_CONFIG_WRITE && !watched_path(s, ev.u.config.path))
		return 0;
	if ((raw->flags & RS_TW_F_LOOPBACK) && !netns_counts(s, raw))
		return 0;
	if (s->o.cache != NULL) {
		const struct rs_proc_ident *id =
			rs_proccache_get(s->o.cache, ev.proc.pid, now, NULL);
		/* The event's comm is the sending thread's; the process's is
		 * what reports name. */
		if (id != NULL) {
			ev.proc.starttime = id->starttime;
			ev.proc.ppid = id->ppid;
			ev.proc.auid = id->auid;
			ev.proc.exe = id->exe;
			if (id->comm[0])
				ev.proc.comm = id->comm;
		}
	}
	s->stats.events++;
	rs_sink_emit(&s->o.sink, &ev);
	return 0;
}

int rs_ebpf_src_process(struct rs_ebpf_src *s)
{
	int n = ring_buffer__consume(s->rb);

	if (n < 0 && n != -EINTR)
		return n;
	return 0;
}

static void read_stats(struct rs_ebpf_src *s)
{
	uint64_t sum[RS_TW_ST_MAX];
	uint64_t *v;

	if (s->ncpus <= 0)
		return;
	v = calloc((size_t)s->ncpus, sizeof(*v));
	if (v == NULL)
		return;
	for (uint32_t k = 0; k < RS_TW_ST_MAX; k++) {
		sum[k] = 0;
		if (bpf_map__lookup_elem(s->skel->maps.stats, &k, sizeof(k), v,
					 sizeof(*v) * (size_t)s->ncpus, 0) < 0)
			continue;
		for (int c = 0; c < s->ncpus; c++)
			sum[k] += v[c];
	}
	free(v);
	s->stats.hook = sum[RS_TW_ST_HOOK];
	s->stats.retired = sum[RS_TW_ST_RETIRED];
	s->stats.current = sum[RS_TW_ST_CURRENT];
	s->stats.emitted = sum[RS_TW_ST_EMITTED];
	s->stats.rate_limited = sum[RS_TW_ST_RATE_LIMITED];
	s->stats.dropped = sum[RS_TW_ST_DROPPED];
	s->stats.fenced = sum[RS_TW_ST_FENCED];
	s->stats.replies = sum[RS_TW_ST_REPLIES];
	s->stats.other_netns = sum[RS_TW_ST_OTHER_NETNS];
}

const struct rs_ebpf_src_stats *rs_ebpf_src_stats(struct rs_ebpf_src *s)
{
	read_stats(s);
	return &s->stats;
}

/* Sends folded into a rate-limited count are carried by the next event of
 * the same process and server; when none comes (the burst ended), report
 * them here, once their second is over. Only the entries the kernel marked
 * in the folded map are looked at. The kernel may add a send between the
 * read and the reset: that one is lost, the count stays a lower bound. */
static void flush_one(struct rs_ebpf_src *s, const struct rs_tw_rate_key *k, uint64_t mono)
{
	struct bpf_map *rate = s->skel->maps.rate;
	struct rs_tw_rate v;
	struct rs_tw_event raw;

	if (bpf_map__lookup_elem(rate, k, sizeof(*k), &v, sizeof(v), 0) < 0 || v.pending == 0 ||
	    v.generation != (uint64_t)s->generation) {
		/* Gone, carried by an event, or of an older change. */
		bpf_map__delete_elem(s->skel->maps.folded, k, sizeof(*k), 0);
		return;
	}
	if (mono - v.window_ns < 1000000000ULL)
		return; /* its second is not over: an event may still carry it */
	memset(&raw, 0, sizeof(raw));
	raw.time_ns = v.window_ns;
	raw.count = v.pending;
	raw.generation = v.generation;
	raw.tgid = k->tgid;
	raw.dst = k->dst;
	raw.port = 53;
	raw.proto = v.proto;
	raw.kind = v.kind;
	raw.flags = v.flags;
	v.pending = 0;
	(void)bpf_map__update_elem(rate, k, sizeof(*k), &v, sizeof(v), BPF_EXIST);
	bpf_map__delete_elem(s->skel->maps.folded, k, sizeof(*k), 0);
	s->stats.flushed += raw.count;
	handle_event(s, &raw, sizeof(raw));
}

static void flush_pending(struct rs_ebpf_src *s)
{
	struct bpf_map *m = s->skel->maps.folded;
	uint64_t mono = (uint64_t)rs_time_mono_ns();
	struct rs_tw_rate_key first, *keys;
	size_t n = 1;

	if (bpf_map__get_next_key(m, NULL, &first, sizeof(first)) < 0)
		return; /* nothing folded: the usual case */
	/* Collect first: deleting while walking a hash map may skip keys. */
	keys = malloc(RS_TW_MAX_FOLDED * sizeof(*keys));
	if (keys == NULL)
		return;
	keys[0] = first;
	while (n < RS_TW_MAX_FOLDED &&
	       bpf_map__get_next_key(m, &keys[n - 1], &keys[n], sizeof(keys[n])) == 0)
		n++;
	for (size_t i = 0; i < n; i++)
		flush_one(s, &keys[i], mono);
	free(keys);
}

void rs_ebpf_src_tick(struct rs_ebpf_src *s)
{
	if (s->armed)
		flush_pending(s);
	read_stats(s);
	if (s->stats.dropped > s->dropped_reported) {
		struct rs_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = RS_EV_EVENTS_LOST;
		ev.source = RS_SRC_EBPF;
		ev.time_ns = rs_time_now_ns();
		ev.u.lost.count = s->stats.dropped - s->dropped_reported;
		ev.u.lost.reason = "eBPF ring buffer full";
		s->dropped_reported = s->stats.dropped;
		rs_sink_emit(&s->o.sink, &ev);
	}
}

/* Empty a small hash map (keys up to 64 bytes): always the first key, so
 * that a deletion cannot make the walk skip one. */
static void map_clear(struct bpf_map *m, unsigned max)
{
	unsigned char k[64];
	size_t ks = bpf_map__key_size(m);

	if (ks > sizeof(k))
		return;
	for (unsigned i = 0; i < 2 * max && bpf_map__get_next_key(m, NULL, k, ks) == 0; i++)
		if (bpf_map__delete_elem(m, k, ks, 0) < 0)
			break;
}

/* Replace the servers map's content: retired first, then current (an
 * address in both lists is current). */
static int fill_servers(struct rs_ebpf_src *s, const struct rs_addr *retired, size_t n_retired,
			const struct rs_addr *current, size_t n_current, size_t *used)
{
	struct bpf_map *m = s->skel->maps.servers;
	struct rs_tw_addr k;

	map_clear(m, RS_TW_MAX_SERVERS);
	*used = 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct rs_addr *a = pass ? current : retired;
		size_t n = pass ? n_current : n_retired;
		uint32_t v = pass ? RS_TW_SERVER_CURRENT : RS_TW_SERVER_RETIRED;

		for (size_t i = 0; i < n; i++) {
			if (rs_tw_addr_from(&a[i], &k) < 0)
				continue;
			if (*used >= RS_TW_MAX_SERVERS)
				return -E2BIG;
			if (bpf_map__update_elem(m, &k, sizeof(k), &v, sizeof(v), BPF_ANY) < 0)
				return -errno;
			(*used)++;
		}
	}
	return 0;
}

int rs_ebpf_src_set_servers(struct rs_ebpf_src *s, int64_t generation,
			    const struct rs_addr *retired, size_t n_retired,
			    const struct rs_addr *current, size_t n_current)
{
	struct rs_tw_addr to4, to6, a;
	size_t used = 0;
	int r;

	memset(&to4, 0, sizeof(to4));
	memset(&to6, 0, sizeof(to6));
	s->generation = generation;
	/* The fence sends to the first current server of the same family. */
	for (size_t i = 0; i < n_current; i++) {
		if (rs_tw_addr_from(&current[i], &a) < 0)
			continue;
		if (a.family == RS_TW_FAMILY_V4 && to4.family == 0)
			to4 = a;
		if (a.family == RS_TW_FAMILY_V6 && to6.family == 0)
			to6 = a;
	}
	/* Namespaces are asked again: which processes read the file may have
	 * changed with it. */
	map_clear(s->skel->maps.netns, RS_TW_MAX_NETNS);
	r = fill_servers(s, retired, n_retired, current, n_current, &used);
	if (r < 0 && r != -E2BIG) {
		notice(s, "error", "cannot update the eBPF server map: %s", strerror(-r));
		return r;
	}
	if (r == -E2BIG)
		notice(s, "warning", "more than %d resolver addresses: the eBPF tripwire watches "
			  "the first %zu",
			  RS_TW_MAX_SERVERS, used);
	s->to4 = to4;
	s->to6 = to6;
	s->armed = true;
	{
		int w = write_config(s);
		if (w < 0) {
			notice(s, "error", "cannot update the eBPF configuration: %s", strerror(-w));
			return w;
		}
	}
	return r;
}

bool rs_ebpf_src_sees_writers(const struct rs_ebpf_src *s)
{
	return s->writers;
}

static void set_name(char *out, const char *path)
{
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;
	const char *base = slash != NULL ? slash + 1 : path;

	out[0] = '\0';
	if (base != NULL && strlen(base) < RS_TW_NAME_MAX)
		memcpy(out, base, strlen(base) + 1);
}

void rs_ebpf_src_set_watched(struct rs_ebpf_src *s, const char *path, const char *target)
{
	const char *p[2] = {path, target};
	bool same = true;

	for (int i = 0; i < 2; i++) {
		const char *cur = s->watched[i];
		if ((cur == NULL) != (p[i] == NULL) || (cur != NULL && strcmp(cur, p[i]) != 0))
			same = false;
	}
	if (same)
		return;
	for (int i = 0; i < 2; i++) {
		free(s->watched[i]);
		s->watched[i] = p[i] != NULL ? strdup(p[i]) : NULL;
		set_name(s->names[i], s->watched[i]);
	}
	int r = write_config(s);

	if (r < 0)
		notice(s, "warning", "cannot update the eBPF configuration: %s", strerror(-r));
}
