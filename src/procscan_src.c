/* The /proc scanner as an evidence source of the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/procinfo.h"
#include "resolvstale/procscan.h"
#include "resolvstale/procscan_src.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sock.h"
#include "resolvstale/timefmt.h"

/* A set of 64-bit keys (open addressing, grows), cleared per run. */
struct u64set {
	uint64_t *keys; /* 0 marks a free slot */
	size_t cap, n;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x | 1; /* never 0 */
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
	s->proc_dirfd = open(o->proc_root ? o->proc_root : "/proc",
			     O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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
	s->fctx.boot_ns = rs_proc_boot_ns(s->proc_dirfd);
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

/* Describe a process the previous run did not know. */
static void describe(struct rs_procscan_src *s, const struct rs_procscan_hit *h)
{
	struct rs_proc_facts f;
	struct rs_runtime rt;
	struct rs_event ev;
	bool have_rt = false;
	char name[16];
	int dfd;

	memset(&f, 0, sizeof(f));
	snprintf(name, sizeof(name), "%d", (int)h->pid);
	dfd = openat(s->proc_dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return;
	if (rs_proc_read_facts_at(dfd, h->pid, &s->fctx, &f) < 0 ||
	    f.id.starttime != h->starttime) {
		close(dfd);
		rs_proc_facts_clear(&f);
		return; /* gone, or another process by now */
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
	ev.u.info.facts = &f;
	ev.u.info.runtime = have_rt ? &rt : NULL;
	s->stats.processes++;
	rs_sink_emit(&s->o.sink, &ev);
	rs_proc_facts_clear(&f);
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
