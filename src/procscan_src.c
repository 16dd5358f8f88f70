/* The /proc scanner as an evidence source of the daemon. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/hash.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/procscan.h"
#include "resolvstale/procscan_src.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sock.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

/* A set of 64-bit keys (open addressing, grows), cleared per run. */
struct u64set {
	uint64_t *keys; /* 0 marks a free slot */
	size_t cap, n;
};

static uint64_t mix(uint64_t x)
{
	return rs_hash_mix(x) | 1; /* never 0 */
}

static bool set_has(const struct u64set *s, uint64_t k)
{
	if (s->cap == 0)
		return false;
	for (size_t i = k & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->keys[i] == 0)
			return false;
		if (s->keys[i] == k)
			return true;
	}
}

static int set_add(struct u64set *s, uint64_t k)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		uint64_t *keys = calloc(cap, sizeof(*keys));
		if (keys == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++) {
			uint64_t v = s->keys[i];
			size_t j;
			if (v == 0)
				continue;
			for (j = v & (cap - 1); keys[j] != 0; j = (j + 1) & (cap - 1))
				;
			keys[j] = v;
		}
		free(s->keys);
		s->keys = keys;
		s->cap = cap;
	}
	for (size_t i = k & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->keys[i] == k)
			return 0;
		if (s->keys[i] == 0) {
			s->keys[i] = k;
			s->n++;
			return 0;
		}
	}
}

static void set_clear(struct u64set *s)
{
	if (s->keys != NULL)
		memset(s->keys, 0, s->cap * sizeof(*s->keys));
	s->n = 0;
}

struct rs_procscan_src {
	struct rs_procscan_src_opts o;
	struct rs_procscan *ps;
	struct rs_runtime_cache *rtc;
	int proc_dirfd;
	struct rs_facts_ctx fctx;
	/* What the previous run saw, and what this one sees. */
	struct u64set socks[2], procs[2];
	int cur;
	struct rs_procscan_src_stats stats;
	DIR *survey; /* a survey under way */
	int64_t survey_before, survey_t0;
	uint64_t survey_n;
};

int rs_procscan_src_new(const struct rs_procscan_src_opts *o, struct rs_procscan_src **out,
			char *err, size_t errlen)
{
	struct rs_procscan_opts po;
	struct rs_procscan_src *s = calloc(1, sizeof(*s));
	int r;

	*out = NULL;
	if (s == NULL)
		return -ENOMEM;
	s->o = *o;
	s->proc_dirfd =
		open(o->proc_root ? o->proc_root : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->proc_dirfd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open %s: %s", o->proc_root ? o->proc_root : "/proc",
			 strerror(errno));
		goto fail;
	}
	s->rtc = rs_runtime_cache_new();
	rs_procscan_opts_init(&po);
	po.proc_root = o->proc_root;
	po.self_pid = getpid();
	r = s->rtc == NULL ? -ENOMEM : rs_procscan_new(&po, &s->ps);
	if (r < 0) {
		snprintf(err, errlen, "cannot start the /proc scanner: %s", strerror(-r));
		goto fail;
	}
	s->fctx.boot_ns = o->proc_root == NULL ? rs_time_boot_ns() : rs_proc_boot_ns(s->proc_dirfd);
	s->fctx.clk_tck = sysconf(_SC_CLK_TCK);
	if (s->fctx.clk_tck <= 0)
		s->fctx.clk_tck = 100;
	s->fctx.read_config = true;
	*out = s;
	return 0;
fail:
	rs_procscan_src_free(s);
	return r;
}

void rs_procscan_src_free(struct rs_procscan_src *s)
{
	if (s == NULL)
		return;
	rs_procscan_free(s->ps);
	rs_runtime_cache_free(s->rtc);
	if (s->survey != NULL)
		closedir(s->survey);
	if (s->proc_dirfd >= 0)
		close(s->proc_dirfd);
	for (int i = 0; i < 2; i++) {
		free(s->socks[i].keys);
		free(s->procs[i].keys);
	}
	free(s);
}

const struct rs_procscan_src_stats *rs_procscan_src_stats(const struct rs_procscan_src *s)
{
	return &s->stats;
}

static uint64_t proc_key(int32_t pid, uint64_t starttime)
{
	return mix(((uint64_t)(uint32_t)pid << 40) ^ starttime);
}

static uint64_t sock_key(int32_t pid, uint64_t starttime, uint64_t inode)
{
	return mix(proc_key(pid, starttime) ^ mix(inode));
}

/* Emit PROCESS_INFO for the process whose /proc directory is dfd (closed
 * here), if it is still (pid, starttime). */
static int describe_at(struct rs_procscan_src *s, int dfd, int32_t pid, uint64_t starttime)
{
	struct rs_proc_facts f;
	struct rs_runtime rt;
	struct rs_event ev;
	bool have_rt = false;

	memset(&f, 0, sizeof(f));
	if (rs_proc_read_facts_at(dfd, pid, &s->fctx, &f) < 0 || f.id.starttime != starttime) {
		close(dfd);
		rs_proc_facts_clear(&f);
		return -ENOENT; /* gone, or another process by now */
	}
	have_rt = rs_runtime_read_at(s->rtc, dfd, &rt) == 0;
	close(dfd);
	memset(&ev, 0, sizeof(ev));
	ev.type = RS_EV_PROCESS_INFO;
	ev.source = RS_SRC_PROCSCAN;
	ev.time_ns = rs_time_now_ns();
	ev.proc.pid = f.id.pid;
	ev.proc.starttime = f.id.starttime;
	ev.proc.ppid = f.id.ppid;
	ev.proc.uid = f.id.uid;
	ev.proc.auid = f.id.auid;
	ev.proc.comm = f.id.comm;
	ev.proc.exe = f.id.exe;
	ev.proc.cmdline = f.cmdline;
	ev.u.info.facts = &f;
	ev.u.info.runtime = have_rt ? &rt : NULL;
	s->stats.processes++;
	rs_sink_emit(&s->o.sink, &ev);
	rs_proc_facts_clear(&f);
	return 0;
}

static int open_pid(struct rs_procscan_src *s, int32_t pid)
{
	char name[16];

	snprintf(name, sizeof(name), "%d", (int)pid);
	return openat(s->proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

void rs_procscan_src_set_watched(struct rs_procscan_src *s, uint64_t dev, uint64_t ino)
{
	s->fctx.watched_dev = dev;
	s->fctx.watched_ino = ino;
}

int rs_procscan_src_describe(struct rs_procscan_src *s, int32_t pid, uint64_t starttime)
{
	int dfd = open_pid(s, pid);

	if (dfd < 0)
		return -ENOENT;
	return describe_at(s, dfd, pid, starttime);
}

/* Describe a process the previous run did not know. */
static void describe(struct rs_procscan_src *s, const struct rs_procscan_hit *h)
{
	(void)rs_procscan_src_describe(s, h->pid, h->starttime);
}

/* starttime and ppid from <dfd>/stat; -ENOENT if gone or unreadable. */
static int quick_stat(int dfd, struct rs_proc_stat *st)
{
	char buf[1024];
	ssize_t n = rs_proc_read_file(dfd, "stat", buf, sizeof(buf));

	if (n <= 0 || rs_proc_parse_stat(buf, (size_t)n, st) < 0)
		return -ENOENT;
	return 0;
}

int rs_procscan_src_alive(struct rs_procscan_src *s, int32_t pid, uint64_t starttime)
{
	struct rs_proc_stat st;
	int dfd = open_pid(s, pid), r;

	if (dfd < 0)
		return 0;
	r = quick_stat(dfd, &st);
	close(dfd);
	return r == 0 && st.starttime == starttime && st.state != 'Z' && st.state != 'X';
}

int64_t rs_procscan_src_boot_ns(const struct rs_procscan_src *s)
{
	return s->fctx.boot_ns;
}

long rs_procscan_src_clk_tck(const struct rs_procscan_src *s)
{
	return s->fctx.clk_tck;
}

static void survey_end(struct rs_procscan_src *s)
{
	if (s->survey != NULL)
		closedir(s->survey);
	s->survey = NULL;
	s->stats.surveyed = s->survey_n;
	s->stats.survey_ms = (uint64_t)((rs_time_mono_ns() - s->survey_t0) / RS_NS_PER_MS);
}

int rs_procscan_src_survey_start(struct rs_procscan_src *s, int64_t before_ns)
{
	int dfd;

	if (s->survey != NULL)
		survey_end(s);
	dfd = dup(s->proc_dirfd);
	if (dfd < 0)
		return -errno;
	s->survey = fdopendir(dfd);
	if (s->survey == NULL) {
		close(dfd);
		return -errno;
	}
	rewinddir(s->survey);
	s->survey_before = before_ns;
	s->survey_n = 0;
	s->survey_t0 = rs_time_mono_ns();
	s->stats.surveys++;
	return 0;
}

bool rs_procscan_src_surveying(const struct rs_procscan_src *s)
{
	return s->survey != NULL;
}

int rs_procscan_src_survey_step(struct rs_procscan_src *s, unsigned max_processes)
{
	int32_t self = getpid();
	unsigned done = 0;
	struct dirent *e;

	if (s->survey == NULL)
		return 0;
	while (done < max_processes && (e = readdir(s->survey)) != NULL) {
		struct rs_proc_stat st;
		uint64_t pid;
		int pfd;

		if (rs_strtou64(e->d_name, 1, INT32_MAX, &pid) < 0 || (int32_t)pid == self)
			continue;
		pfd = open_pid(s, (int32_t)pid);
		if (pfd < 0)
			continue;
		done++;
		if (quick_stat(pfd, &st) < 0 || st.ppid == 2 || pid == 2 || st.state == 'Z' ||
		    (s->fctx.boot_ns > 0 &&
		     s->fctx.boot_ns + (int64_t)(st.starttime * (uint64_t)RS_NS_PER_SEC /
						 (uint64_t)s->fctx.clk_tck) >=
			     s->survey_before)) {
			close(pfd);
			continue; /* gone, a kernel thread, or started after the change */
		}
		if (describe_at(s, pfd, (int32_t)pid, st.starttime) == 0)
			s->survey_n++;
	}
	if (done < max_processes) {
		survey_end(s);
		return 0;
	}
	return 1;
}

static int on_hit(void *arg, const struct rs_procscan_hit *h)
{
	struct rs_procscan_src *s = arg;
	int prev = 1 - s->cur;
	uint64_t pk, sk;
	struct rs_event ev;

	if (h->pid <= 0)
		return 0;
	pk = proc_key(h->pid, h->starttime);
	sk = sock_key(h->pid, h->starttime, h->sock->inode);
	if (!set_has(&s->procs[s->cur], pk)) {
		if (!set_has(&s->procs[prev], pk))
			describe(s, h);
		if (set_add(&s->procs[s->cur], pk) < 0)
			return -ENOMEM;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = RS_EV_SOCKET_SEEN;
	ev.source = RS_SRC_PROCSCAN;
	ev.time_ns = rs_time_now_ns();
	ev.proc.pid = h->pid;
	ev.proc.starttime = h->starttime;
	ev.proc.ppid = -1;
	ev.proc.uid = ev.proc.auid = -1;
	ev.proc.comm = h->comm;
	ev.u.socket.sock = h->sock;
	ev.u.socket.fd = h->fd;
	ev.u.socket.first = !set_has(&s->socks[prev], sk);
	if (set_add(&s->socks[s->cur], sk) < 0)
		return -ENOMEM;
	s->stats.sockets++;
	rs_sink_emit(&s->o.sink, &ev);
	return 0;
}

int rs_procscan_src_run(struct rs_procscan_src *s, uint64_t watched_dev, uint64_t watched_ino)
{
	int64_t t0 = rs_time_mono_ns();
	int r;

	s->fctx.watched_dev = watched_dev;
	s->fctx.watched_ino = watched_ino;
	/* This run's sets start empty; the previous run's stay for "first". */
	s->cur = 1 - s->cur;
	set_clear(&s->socks[s->cur]);
	set_clear(&s->procs[s->cur]);
	r = rs_procscan_run(s->ps, on_hit, s);
	s->stats.runs++;
	s->stats.last_ms = (uint64_t)((rs_time_mono_ns() - t0) / RS_NS_PER_MS);
	return r;
}
