/* `resolvstale daemon`: the event loop that records generations. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "resolvstale/audit_src.h"
#include "resolvstale/audit_stdin.h"
#include "resolvstale/auditwin.h"
#include "resolvstale/confwatch.h"
#include "resolvstale/ebpf_src.h"
#include "resolvstale/fanotify_src.h"
#include "resolvstale/judge.h"
#include "resolvstale/proccache.h"
#include "resolvstale/procscan_src.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sock.h"
#include "resolvstale/daemon.h"
#include "resolvstale/generation.h"
#include "resolvstale/store.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

#define MAX_UNSAVED 64 /* generations kept for retry while the store fails */

struct daemon {
	const struct rs_daemon_opts *o;
	struct rs_store *store;
	struct rs_confwatch *cw;
	struct rs_eventlog log;
	struct rs_generation cur; /* the generation in force */
	struct rs_file_identity last_id;
	char *last_target;
	struct rs_generation unsaved[MAX_UNSAVED]; /* not yet in the store */
	size_t n_unsaved;
	uint64_t lost_generations;
	uint64_t lost_file_events;
	bool store_failing;
	int epfd, sigfd, flushfd;
	int proc_dirfd;
	struct rs_proccache *cache;
	struct rs_fanotify_src *fan;
	struct rs_audit_src *audit;
	struct rs_ebpf_src *ebpf;
	char ebpf_why[512]; /* why the tripwire did not start, or "" */
	struct rs_audit_policy apol; /* which audit rules when */
	int64_t change_ns;           /* the change in force (0: none): opens the window */
	unsigned audit_want;         /* the groups last asked of the audit source */
	struct rs_audit_stdin *astdin; /* audit-plugin: records from auditd on stdin */
	char hostname[256];
	struct rs_procscan_src *scan; /* facts always; socket scans if scan_sockets */
	bool scan_sockets;
	struct rs_judge *judge;
	bool surveying;
	uint64_t events;
	uint64_t lost_by[RS_SRC_REPLAY + 1]; /* EVENTS_LOST per source */
	bool scan_due;                       /* a scan is wanted at the next loop turn */
	int64_t next_scan_ns;                /* monotonic time of the next periodic scan */
	int64_t last_scan_ns;
	struct rs_writer writer; /* the last writer seen since the last read */
	int64_t writer_ns;
	bool stop;
	const char *stop_reason;
	int status;
};

static void err_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void err_line(const char *fmt, ...)
{
	va_list ap;

	fputs("resolvstale: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* systemd Type=notify, without libsystemd. */
static void sd_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	size_t len;
	int fd;

	if (path == NULL || path[0] == '\0')
		return;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		     (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	close(fd);
}

static void store_trouble(struct daemon *d, int r, const char *what)
{
	char msg[512];

	/* Report the first failure of a streak, not every retry. */
	if (d->store_failing)
		return;
	d->store_failing = true;
	snprintf(msg, sizeof(msg), "%s in %s: %s (%s); will retry", what, d->o->db_path,
		 rs_store_errmsg(d->store), strerror(-r));
	rs_eventlog_notice(&d->log, "error", msg);
	err_line("%s", msg);
}

/* Write the generations not yet in the store, oldest first. */
static void save_unsaved(struct daemon *d)
{
	size_t done = 0;
	int r = 0;

	for (; done < d->n_unsaved; done++) {
		r = rs_store_add_generation(d->store, &d->unsaved[done]);
		if (r == 0)
			r = rs_store_flush(d->store);
		if (r < 0)
			break;
	}
	for (size_t i = 0; i < done; i++)
		rs_generation_clear(&d->unsaved[i]);
	memmove(d->unsaved, d->unsaved + done, (d->n_unsaved - done) * sizeof(d->unsaved[0]));
	memset(d->unsaved + (d->n_unsaved - done), 0, done * sizeof(d->unsaved[0]));
	d->n_unsaved -= done;
	if (r < 0) {
		store_trouble(d, r, "cannot record a generation");
	} else if (d->store_failing) {
		d->store_failing = false;
		rs_eventlog_notice(&d->log, "notice", "the store is writable again");
	}
}

static void record_generation(struct daemon *d, const struct rs_generation *g)
{
	if (d->n_unsaved == MAX_UNSAVED) {
		/* The store has failed for a long time: keep the newest. */
		rs_generation_clear(&d->unsaved[0]);
		memmove(d->unsaved, d->unsaved + 1, (MAX_UNSAVED - 1) * sizeof(d->unsaved[0]));
		memset(&d->unsaved[MAX_UNSAVED - 1], 0, sizeof(d->unsaved[0]));
		d->n_unsaved--;
		d->lost_generations++;
	}
	if (rs_generation_copy(&d->unsaved[d->n_unsaved], g) < 0) {
		d->lost_generations++;
		return;
	}
	d->n_unsaved++;
	save_unsaved(d);
}

static int set_last(struct daemon *d, const struct rs_conf_snapshot *snap)
{
	char *t = strdup(snap->target ? snap->target : "");

	if (t == NULL)
		return -ENOMEM;
	free(d->last_target);
	d->last_target = t;
	d->last_id = snap->id;
	return 0;
}

/* Remember the last process that wrote the file; a source may know more
 * about the same process than another (audit has comm and exe even after it
 * exited), so facts for the same pid are merged. */
static void note_writer(struct daemon *d, const struct rs_event *ev)
{
	struct rs_writer *w = &d->writer;
	bool same = w->known && w->pid == ev->proc.pid;

	if (!same) {
		rs_writer_clear(w);
		w->known = true;
		w->pid = ev->proc.pid;
	}
	if (ev->proc.starttime != 0)
		w->starttime = ev->proc.starttime;
	if (ev->proc.uid >= 0)
		w->uid = ev->proc.uid;
	if (ev->proc.auid >= 0)
		w->auid = ev->proc.auid;
	if (ev->proc.comm != NULL && (w->comm == NULL || !same)) {
		free(w->comm);
		w->comm = strdup(ev->proc.comm);
	}
	if (ev->proc.exe != NULL && (w->exe == NULL || !same)) {
		free(w->exe);
		w->exe = strdup(ev->proc.exe);
	}
	d->writer_ns = ev->time_ns;
}

/* Hand the writer seen before this read to a generation or file event. A
 * write seen after the read (the file changes again) waits for the next. */
static void take_writer(struct daemon *d, const struct rs_conf_snapshot *snap,
			struct rs_writer *out)
{
	if (!d->writer.known || d->writer_ns > snap->time_ns)
		return;
	rs_writer_clear(out);
	*out = d->writer;
	memset(&d->writer, 0, sizeof(d->writer));
	d->writer.uid = d->writer.auid = -1;
}

static void on_event(void *ctx, const struct rs_event *ev)
{
	struct daemon *d = ctx;
	int r = 0;

	d->events++;
	/* The survey after a change describes every process: not log lines. */
	if (!(d->surveying && ev->type == RS_EV_PROCESS_INFO))
		rs_eventlog_event(&d->log, ev);
	if (d->judge != NULL)
		rs_judge_feed(d->judge, ev);
	switch (ev->type) {
	case RS_EV_CONFIG_WRITE:
		if (ev->proc.pid > 0)
			note_writer(d, ev);
		break;
	case RS_EV_EVENTS_LOST:
		/* Something was missed: look at what is there now. */
		d->scan_due = true;
		if ((unsigned)ev->source <= RS_SRC_REPLAY)
			d->lost_by[ev->source]++;
		break;
	case RS_EV_SOCKET_SEEN:
		r = rs_store_upsert_socket(d->store, ev->proc.pid, ev->proc.starttime,
					   ev->u.socket.sock, ev->u.socket.fd, ev->time_ns,
					   d->cur.number);
		break;
	case RS_EV_PROCESS_INFO: {
		const struct rs_runtime *rt = ev->u.info.runtime;
		struct rs_store_process p;
		char rule[48], ev_text[RS_RT_MAX_EVIDENCE * RS_RT_EVIDENCE_LEN];
		size_t o = 0;

		memset(&p, 0, sizeof(p));
		p.facts = ev->u.info.facts;
		p.seen_ns = ev->time_ns;
		if (rt != NULL) {
			p.runtime = rs_runtime_kind_name(rt->kind);
			p.reload_rule =
				rs_runtime_path_rule(rs_runtime_worst(rt), rule, sizeof(rule));
			p.runtime_detail = rt->version;
			ev_text[0] = '\0';
			for (unsigned i = 0; i < rt->n_evidence && o < sizeof(ev_text); i++)
				o += (size_t)snprintf(ev_text + o, sizeof(ev_text) - o, "%s%s",
						      i ? "\n" : "", rt->evidence[i]);
			p.runtime_evidence = ev_text;
		}
		r = rs_store_upsert_process(d->store, &p);
		break;
	}
	default:
		break;
	}
	if (r < 0)
		store_trouble(d, r, "cannot record evidence");
}

/* One /proc scan now, if the source runs. */
static void run_scan(struct daemon *d)
{
	int r;

	d->scan_due = false;
	if (d->scan == NULL || !d->scan_sockets)
		return;
	d->last_scan_ns = rs_time_mono_ns();
	d->next_scan_ns = d->last_scan_ns + (int64_t)d->o->scan_interval_ms * RS_NS_PER_MS;
	r = rs_procscan_src_run(d->scan, d->last_id.dev, d->last_id.ino);
	if (r < 0) {
		char msg[160];
		snprintf(msg, sizeof(msg), "the /proc scan failed: %s", strerror(-r));
		rs_eventlog_notice(&d->log, "error", msg);
	}
}

static void on_notice(void *ctx, const char *level, const char *msg)
{
	struct daemon *d = ctx;

	rs_eventlog_notice(&d->log, level, msg);
}

/* The sources mark the file itself: follow it when the chain leads to
 * another file or the file is replaced. */
static void retarget_sources(struct daemon *d, const struct rs_conf_snapshot *snap)
{
	bool exists = snap->id.state == RS_FILE_OK || snap->id.state == RS_FILE_EMPTY;
	uint64_t ino = exists ? snap->id.ino : 0, dev = exists ? snap->id.dev : 0;

	if (d->fan != NULL && snap->target != NULL)
		rs_fanotify_src_retarget(d->fan, snap->target);
	if (d->ebpf != NULL)
		rs_ebpf_src_set_watched(d->ebpf, d->o->resolv_conf, snap->target);
	if (d->audit != NULL && snap->target != NULL)
		rs_audit_src_retarget(d->audit, snap->target, ino, dev);
	if (d->astdin != NULL && snap->target != NULL)
		rs_audit_stdin_retarget(d->astdin, snap->target, ino, dev);
	if (d->scan != NULL)
		rs_procscan_src_set_watched(d->scan, dev, ino);
}

/* What `status` shows: the audit rules loaded now, and until when. */
static void note_audit_rules(struct daemon *d)
{
	char groups[64], until[64], text[160];
	int64_t end = rs_audit_policy_window_end(&d->apol, d->change_ns);
	unsigned have = rs_audit_src_groups(d->audit);

	rs_audit_groups_format(have, groups, sizeof(groups));
	if ((have & ~RS_AUDIT_GROUP_WRITE) && !d->apol.always && end > 0)
		snprintf(text, sizeof(text), "%s until %s", groups,
			 rs_time_local(end, until, sizeof(until)));
	else
		snprintf(text, sizeof(text), "%s%s", groups, d->apol.always ? " (--audit-always)" : "");
	if (rs_store_meta_set(d->store, "audit_rules", text) < 0)
		store_trouble(d, -EIO, "cannot update the store");
}

static const char *groups_text(unsigned g)
{
	static const char *const names[8] = {
		"no rule", "the write rule", "the stat/open rules", "the write and stat/open rules",
		"the send rules", "the write and send rules", "the stat/open and send rules",
		"the write, stat/open and send rules",
	};
	return names[g & 7];
}

/* Load or remove the costly audit rules as the policy says (auditwin.h):
 * after a change and until the window is over. */
static void apply_audit_policy(struct daemon *d)
{
	unsigned want, extra;
	char msg[256], until[64];
	int64_t end;

	if (d->audit == NULL)
		return;
	want = rs_audit_policy_groups(&d->apol, d->change_ns, rs_time_now_ns());
	if (want == d->audit_want)
		return;
	extra = want & ~d->audit_want;
	end = rs_audit_policy_window_end(&d->apol, d->change_ns);
	if (rs_audit_src_set_groups(d->audit, want) < 0)
		return; /* the source said why; tried again at the next change */
	if (extra != 0)
		snprintf(msg, sizeof(msg), "audit: %s loaded until %s (the window after generation %lld)",
			 groups_text(extra), rs_time_local(end, until, sizeof(until)),
			 (long long)d->cur.number);
	else
		snprintf(msg, sizeof(msg), "audit: window over: %s removed%s",
			 groups_text(d->audit_want & ~want),
			 want & RS_AUDIT_GROUP_WRITE ? ", the write rule stays" : "");
	d->audit_want = want;
	rs_eventlog_notice(&d->log, "notice", msg);
	note_audit_rules(d);
}

/* The tripwire follows the generation in force: its retired servers (the
 * judge's set: earlier generations and --retired) and current ones. */
static void arm_tripwire(struct daemon *d)
{
	const struct rs_addr *retired = NULL;
	size_t n_retired = 0;

	if (d->ebpf == NULL)
		return;
	if (d->judge != NULL)
		n_retired = rs_judge_retired(d->judge, &retired);
	(void)rs_ebpf_src_set_servers(d->ebpf, d->cur.number, retired, n_retired, d->cur.ns,
				      d->cur.n_ns);
}

/* Does pid's network namespace reach the watched file's resolvers at its
 * loopback addresses? It does when a process there reads the watched file. */
static int netns_reads(void *ctx, int32_t pid)
{
	struct daemon *d = ctx;

	if (d->proc_dirfd < 0 || d->last_id.ino == 0)
		return -1;
	return rs_netns_reads_file(d->proc_dirfd, pid, d->last_id.dev, d->last_id.ino);
}

static void sources_list(const struct daemon *d, char *buf, size_t len)
{
	const char *names[4];
	size_t n = 0, o = 0;

	if (d->ebpf != NULL)
		names[n++] = "ebpf";
	if (d->fan != NULL)
		names[n++] = "fanotify";
	if (d->audit != NULL || d->astdin != NULL)
		names[n++] = "audit";
	if (d->scan_sockets)
		names[n++] = "procscan";
	buf[0] = '\0';
	for (size_t i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : "", names[i]);
}

/* What the audit source loads when, for the start-up line. */
static void audit_policy_text(const struct daemon *d, char *buf, size_t len)
{
	char dur[32];

	buf[0] = '\0';
	if (d->audit == NULL)
		return;
	if (d->apol.always) {
		snprintf(buf, len, "; audit: every rule all the time (--audit-always)");
		return;
	}
	if (d->apol.window_ns <= 0) {
		snprintf(buf, len, "; audit: %s (--audit-window 0)",
			 d->apol.writers_named ? "no rule" : "the write rule only");
		return;
	}
	if (d->apol.window_ns % (60 * RS_NS_PER_SEC) == 0)
		snprintf(dur, sizeof(dur), "%lldm", (long long)(d->apol.window_ns / (60 * RS_NS_PER_SEC)));
	else
		snprintf(dur, sizeof(dur), "%llds", (long long)(d->apol.window_ns / RS_NS_PER_SEC));
	snprintf(buf, len, "; audit: %s, and %s for %s after each change",
		 d->apol.writers_named ? "no rule in the steady state (other sources name the writers)"
					 : "the write rule",
		 d->apol.ebpf ? "the write and stat/open rules" : "the write, stat/open and send rules",
		 dur);
}

/* One line that says which source tracks DNS sends, and why. */
static void say_send_tracking(struct daemon *d)
{
	char msg[1200], pol[256];

	audit_policy_text(d, pol, sizeof(pol));
	if (d->ebpf != NULL)
		snprintf(msg, sizeof(msg), "DNS sends: the ebpf tripwire on %s (fence %s)%s",
			 rs_ebpf_src_cgroup(d->ebpf), rs_fence_name(d->o->fence), pol);
	else if (d->audit != NULL || d->astdin != NULL)
		snprintf(msg, sizeof(msg), "DNS sends: audit%s%s%s%s",
			 d->ebpf_why[0] ? " (ebpf not available: " : "", d->ebpf_why,
			 d->ebpf_why[0] ? ")" : " (ebpf not asked for)", pol);
	else
		snprintf(msg, sizeof(msg), "DNS sends: not tracked by any source%s%s%s",
			 d->ebpf_why[0] ? " (ebpf not available: " : "", d->ebpf_why,
			 d->ebpf_why[0] ? ")" : "");
	rs_eventlog_notice(&d->log, "notice", msg);
	if (rs_store_meta_set(d->store, "send_tracking", msg) < 0 ||
	    rs_store_meta_set(d->store, "fence", rs_fence_name(d->o->fence)) < 0 ||
	    (d->audit == NULL && rs_store_meta_delete(d->store, "audit_rules") < 0))
		store_trouble(d, -EIO, "cannot update the store");
	if (d->audit != NULL)
		note_audit_rules(d);
	if (rs_store_flush(d->store) < 0) /* status can say it at once */
		store_trouble(d, -EIO, "cannot update the store");
}

static void on_snapshot(void *ctx, const struct rs_conf_snapshot *snap, unsigned reasons)
{
	struct daemon *d = ctx;
	char why[128];

	retarget_sources(d, snap);
	rs_cw_reasons_str(reasons, why, sizeof(why));
	if (rs_generation_differs(&d->cur, snap)) {
		struct rs_generation g;

		memset(&g, 0, sizeof(g));
		if (rs_generation_build(&d->cur, snap, d->cur.number + 1, &g) < 0) {
			rs_eventlog_notice(&d->log, "error",
					   "out of memory: a change of the configuration was not "
					   "recorded");
			d->lost_generations++;
			return;
		}
		take_writer(d, snap, &g.writer);
		record_generation(d, &g);
		rs_eventlog_generation(&d->log, &g, &d->cur);
		rs_generation_clear(&d->cur);
		d->cur = g;
		/* Verdicts from now on are about this change; the judge surveys
		 * the processes and asks for a socket scan after the grace. */
		if (d->judge != NULL)
			rs_judge_generation(d->judge, &d->cur);
		arm_tripwire(d);
		d->change_ns = d->cur.time_ns;
		apply_audit_policy(d);
	} else {
		struct rs_file_event e;
		int r;

		memset(&e, 0, sizeof(e));
		e.change = rs_file_change_classify(&d->last_id, d->last_target, &snap->id,
						   snap->target);
		if (e.change == RS_CHANGE_NONE) {
			set_last(d, snap);
			return;
		}
		e.time_ns = snap->time_ns;
		e.generation = d->cur.number;
		e.path = snap->path;
		e.target = snap->target;
		e.id = snap->id;
		e.reasons = why;
		e.writer.uid = e.writer.auid = -1;
		take_writer(d, snap, &e.writer);
		r = rs_store_add_file_event(d->store, &e);
		if (r < 0) {
			d->lost_file_events++;
			store_trouble(d, r, "cannot record a file event");
		}
		rs_eventlog_file_event(&d->log, &e);
		rs_writer_clear(&e.writer);
	}
	if (set_last(d, snap) < 0)
		rs_eventlog_notice(&d->log, "error", "out of memory");
}

static int add_fd(int epfd, int fd)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = fd;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int setup_fds(struct daemon *d)
{
	struct itimerspec its;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d->flushfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->flushfd < 0 || d->epfd < 0)
		return -errno;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = its.it_interval.tv_sec = d->o->flush_ms / 1000;
	its.it_value.tv_nsec = its.it_interval.tv_nsec = (long)(d->o->flush_ms % 1000) * 1000000L;
	if (timerfd_settime(d->flushfd, 0, &its, NULL) < 0)
		return -errno;
	if (add_fd(d->epfd, d->sigfd) < 0 || add_fd(d->epfd, d->flushfd) < 0 ||
	    add_fd(d->epfd, rs_confwatch_fd(d->cw)) < 0 ||
	    (d->fan != NULL && add_fd(d->epfd, rs_fanotify_src_fd(d->fan)) < 0) ||
	    (d->audit != NULL && add_fd(d->epfd, rs_audit_src_fd(d->audit)) < 0) ||
	    (d->ebpf != NULL && add_fd(d->epfd, rs_ebpf_src_fd(d->ebpf)) < 0) ||
	    (d->astdin != NULL && add_fd(d->epfd, rs_audit_stdin_fd(d->astdin)) < 0))
		return -errno;
	return 0;
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
			d->stop = true;
			d->stop_reason = "SIGTERM";
			break;
		case SIGINT:
			d->stop = true;
			d->stop_reason = "SIGINT";
			break;
		case SIGHUP:
			rs_eventlog_notice(
				&d->log, "notice",
				"SIGHUP: resolving the path again and re-reading the file");
			if (rs_confwatch_rescan(d->cw) < 0)
				rs_eventlog_notice(&d->log, "error", "cannot schedule the re-read");
			break;
		}
	}
}

static void on_flush(struct daemon *d)
{
	uint64_t ticks;
	int r;

	if (read(d->flushfd, &ticks, sizeof(ticks)) < 0)
		return;
	if (d->audit != NULL) {
		rs_audit_src_tick(d->audit);
		apply_audit_policy(d); /* the window may be over */
	}
	if (d->astdin != NULL)
		rs_audit_stdin_tick(d->astdin);
	if (d->ebpf != NULL)
		rs_ebpf_src_tick(d->ebpf);
	if (d->n_unsaved > 0)
		save_unsaved(d);
	if (d->judge != NULL) {
		struct rs_metrics_source src[4] = {
			{"ebpf", d->ebpf != NULL, d->lost_by[RS_SRC_EBPF]},
			{"fanotify", d->fan != NULL, d->lost_by[RS_SRC_FANOTIFY]},
			{"audit", d->audit != NULL || d->astdin != NULL, d->lost_by[RS_SRC_AUDIT]},
			{"procscan", d->scan_sockets, d->lost_by[RS_SRC_PROCSCAN]},
		};
		rs_judge_tick(d->judge, src, 4, d->events);
	}
	if (rs_store_has_pending(d->store)) {
		r = rs_store_flush(d->store);
		if (r < 0)
			store_trouble(d, r, "cannot commit file events");
	}
}

/* How long the loop may sleep: until the next scan (periodic, triggered,
 * or the one after a change's grace period), at most a second; not at all
 * while a survey of the processes is under way. */
static int loop_timeout(struct daemon *d, int64_t now)
{
	int64_t due = 0, ms;

	if (d->judge != NULL && rs_judge_scan_due(d->judge) != 0)
		due = rs_judge_scan_due(d->judge);
	if (d->scan == NULL || !d->scan_sockets)
		return due ? (int)((due - now) / RS_NS_PER_MS + 1) : -1;
	if (due == 0 || d->next_scan_ns < due)
		due = d->next_scan_ns;
	ms = (due - now) / RS_NS_PER_MS + 1;
	return ms < 0 ? 0 : ms > 1000 ? 1000 : (int)ms;
}

static void loop_work(struct daemon *d)
{
	int64_t now = rs_time_mono_ns();

	if (d->judge != NULL && rs_judge_scan_due(d->judge) != 0 &&
	    now >= rs_judge_scan_due(d->judge)) {
		rs_judge_scan_done(d->judge);
		run_scan(d);
	}
	if (d->scan != NULL && d->scan_sockets) {
		/* Triggered scans at most once a second: a flood of lost
		 * events must not turn into back-to-back scans. */
		if ((d->scan_due && now - d->last_scan_ns >= RS_NS_PER_SEC) ||
		    now >= d->next_scan_ns)
			run_scan(d);
	}
}

static int loop(struct daemon *d)
{
	while (!d->stop) {
		struct epoll_event evs[8];
		bool survey = false;
		int n, timeout;

		loop_work(d);
		if (d->judge != NULL) {
			d->surveying = true;
			survey = rs_judge_survey_step(d->judge);
			d->surveying = false;
		}
		timeout = survey ? 0 : loop_timeout(d, rs_time_mono_ns());
		if (timeout < 0 || timeout > 1000)
			timeout = timeout < 0 ? -1 : 1000;
		n = epoll_wait(d->epfd, evs, 8, timeout);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_line("epoll_wait: %s", strerror(errno));
			return 2;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == d->sigfd) {
				on_signal(d);
			} else if (fd == d->flushfd) {
				on_flush(d);
			} else if (fd == rs_confwatch_fd(d->cw)) {
				int r = rs_confwatch_process(d->cw, on_snapshot, d);
				if (r < 0) {
					err_line("the config watcher failed: %s", strerror(-r));
					return 2;
				}
			} else if (d->fan != NULL && fd == rs_fanotify_src_fd(d->fan)) {
				int r = rs_fanotify_src_process(d->fan);
				if (r < 0) {
					err_line("the fanotify source failed: %s", strerror(-r));
					return 2;
				}
			} else if (d->astdin != NULL && fd == rs_audit_stdin_fd(d->astdin)) {
				int r = rs_audit_stdin_process(d->astdin);
				if (r < 0) {
					err_line("reading audit records from standard input "
						 "failed: %s",
						 strerror(-r));
					return 2;
				}
				if (r == 1) {
					/* auditd stopped or restarts (and starts a new
					 * plugin): what was read is recorded, the next
					 * one resumes from the store. */
					d->stop = true;
					d->stop_reason = "end of input";
				}
			} else if (d->ebpf != NULL && fd == rs_ebpf_src_fd(d->ebpf)) {
				int r = rs_ebpf_src_process(d->ebpf);
				if (r < 0) {
					err_line("the ebpf source failed: %s", strerror(-r));
					return 2;
				}
			} else if (d->audit != NULL && fd == rs_audit_src_fd(d->audit)) {
				int r = rs_audit_src_process(d->audit);
				if (r < 0) {
					err_line("the audit source failed: %s", strerror(-r));
					return 2;
				}
			}
		}
	}
	return 0;
}

/* Initial state: resume from the store or record generation 0; a file that
 * changed while nobody watched becomes a generation marked at_start. */
static int start(struct daemon *d, struct rs_conf_snapshot *snap, bool *resumed, bool *new_gen,
		 struct rs_generation *prev)
{
	char stored_path[PATH_MAX];
	int r;

	r = rs_store_meta_get(d->store, "watched_path", stored_path, sizeof(stored_path));
	if (r == 0 && strcmp(stored_path, d->o->resolv_conf) != 0) {
		err_line("%s records the generations of %s, not %s: use another --db",
			 d->o->db_path, stored_path, d->o->resolv_conf);
		return -EINVAL;
	}
	if (r == -ENOENT) {
		char host[256] = "";
		char created[32];
		gethostname(host, sizeof(host) - 1);
		snprintf(created, sizeof(created), "%lld", (long long)rs_time_now_ns());
		if ((r = rs_store_meta_set(d->store, "watched_path", d->o->resolv_conf)) < 0 ||
		    (r = rs_store_meta_set(d->store, "host", host)) < 0 ||
		    (r = rs_store_meta_set(d->store, "created_ns", created)) < 0 ||
		    (r = rs_store_flush(d->store)) < 0) {
			err_line("cannot write %s: %s", d->o->db_path, rs_store_errmsg(d->store));
			return r;
		}
	} else if (r < 0) {
		err_line("cannot read %s: %s", d->o->db_path, rs_store_errmsg(d->store));
		return r;
	}

	r = rs_store_latest_generation(d->store, prev);
	if (r < 0 && r != -ENOENT) {
		err_line("cannot read %s: %s", d->o->db_path, rs_store_errmsg(d->store));
		return r;
	}
	*resumed = r == 0;
	*new_gen = !*resumed || rs_generation_differs(prev, snap);
	if (!*new_gen) {
		r = rs_generation_copy(&d->cur, prev);
	} else {
		r = rs_generation_build(*resumed ? prev : NULL, snap,
					*resumed ? prev->number + 1 : 0, &d->cur);
		d->cur.at_start = *resumed;
	}
	if (r < 0) {
		err_line("out of memory");
		return r;
	}
	if (*new_gen) {
		r = rs_store_add_generation(d->store, &d->cur);
		if (r == 0)
			r = rs_store_flush(d->store);
		if (r < 0) {
			err_line("cannot record generation %lld in %s: %s",
				 (long long)d->cur.number, d->o->db_path,
				 rs_store_errmsg(d->store));
			return r;
		}
	}
	return set_last(d, snap);
}

#define META_RUNNING "running_pid"

/* A writer that was killed (SIGKILL, a crash, the OOM killer) lost what it
 * had not committed yet, up to a second of evidence. Its marker is still in
 * the store: say so in the generation in force, so that report does not
 * call the evidence complete. Then leave our own marker. */
static void note_unclean_stop(struct daemon *d)
{
	char pid[32], reason[160];

	if (rs_store_meta_get(d->store, META_RUNNING, pid, sizeof(pid)) == 0) {
		snprintf(reason, sizeof(reason),
			 "the previous resolvstale (pid %s) stopped without saving: up to a "
			 "second of evidence is missing",
			 pid);
		rs_eventlog_notice(&d->log, "warning", reason);
		if (rs_store_add_lost(d->store, d->cur.number, "daemon", reason, 0,
				      rs_time_now_ns()) < 0)
			store_trouble(d, -EIO, "cannot record lost events");
	}
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (rs_store_meta_set(d->store, META_RUNNING, pid) < 0 || rs_store_flush(d->store) < 0)
		store_trouble(d, -EIO, "cannot update the store");
}

#define META_AUDIT_RESTORE "audit_restore"

/* The kernel audit settings an earlier run changed and did not restore (it
 * crashed): "enabled=N backlog_limit=N". */
static bool load_audit_restore(struct daemon *d, struct rs_audit_state *st)
{
	char buf[128], a[32], b[32];
	uint64_t en, bl;

	memset(st, 0, sizeof(*st));
	if (rs_store_meta_get(d->store, META_AUDIT_RESTORE, buf, sizeof(buf)) < 0)
		return false;
	if (sscanf(buf, "enabled=%31s backlog_limit=%31s", a, b) != 2 ||
	    rs_strtou64(a, 0, 2, &en) < 0 || rs_strtou64(b, 0, UINT32_MAX, &bl) < 0)
		return false;
	st->enabled = (uint32_t)en;
	st->backlog_limit = (uint32_t)bl;
	return true;
}

static void save_audit_restore(struct daemon *d, const struct rs_audit_state *st)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "enabled=%u backlog_limit=%u", st->enabled, st->backlog_limit);
	if (rs_store_meta_set(d->store, META_AUDIT_RESTORE, buf) < 0 ||
	    rs_store_flush(d->store) < 0)
		rs_eventlog_notice(&d->log, "warning",
				   "cannot record the audit settings to restore after a crash");
}

static void clear_audit_restore(struct daemon *d)
{
	if (rs_store_meta_delete(d->store, META_AUDIT_RESTORE) < 0 || rs_store_flush(d->store) < 0)
		rs_eventlog_notice(&d->log, "warning", "cannot update the store");
}

/* Start the evidence sources asked for. A source that cannot start is
 * reported once; the daemon goes on with the others. Returns the number
 * started, -1 when --sources named sources and none of them started, or -2
 * when the fence was asked for and the tripwire could not start (the
 * operator asked to change what processes do: no silent fallback). */
static int start_sources(struct daemon *d, const struct rs_conf_snapshot *snap)
{
	const char *target = snap->target;
	struct rs_sink sink = {on_event, d};
	char err[512], msg[640];
	int started = 0, wanted = 0;

	d->proc_dirfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->proc_dirfd >= 0)
		d->cache = rs_proccache_new(d->proc_dirfd, 4096, 500 * RS_NS_PER_MS);
	if (d->o->sources & (1u << RS_SRC_EBPF)) {
		struct rs_ebpf_src_opts eo;
		memset(&eo, 0, sizeof(eo));
		eo.cache = d->cache;
		eo.sink = sink;
		eo.notice = on_notice;
		eo.notice_ctx = d;
		eo.netns_reads = netns_reads;
		eo.netns_ctx = d;
		eo.fence = d->o->fence;
		wanted++;
		if (rs_ebpf_src_new(&eo, &d->ebpf, err, sizeof(err)) == 0) {
			started++;
		} else {
			snprintf(d->ebpf_why, sizeof(d->ebpf_why), "%s", err);
			snprintf(msg, sizeof(msg), "source ebpf not started: %s", err);
			rs_eventlog_notice(&d->log, "warning", msg);
			err_line("%s", msg);
			if (d->o->fence != RS_FENCE_OFF) {
				err_line("--fence %s needs the ebpf source: not starting",
					 rs_fence_name(d->o->fence));
				return -2;
			}
		}
	}
	/* What the audit rules cost is decided once we know who tracks sends. */
	d->apol.ebpf = d->ebpf != NULL; /* writers_named once fanotify started */
	if (d->ebpf != NULL)
		rs_ebpf_src_set_watched(d->ebpf, d->o->resolv_conf, target);
	d->apol.always = d->o->audit_always;
	d->apol.window_ns = (int64_t)d->o->audit_window_ms * RS_NS_PER_MS;
	/* A change in force opens the window; so do retired servers given by
	 * hand (the operator asks about them now). */
	d->change_ns = d->cur.number > 0 ? d->cur.time_ns
		       : d->o->n_retired > 0 ? rs_time_now_ns()
					      : 0;
	if (d->o->sources & (1u << RS_SRC_FANOTIFY)) {
		struct rs_fanotify_src_opts fo = {target, d->cache, sink, on_notice, d};
		wanted++;
		if (rs_fanotify_src_new(&fo, &d->fan, err, sizeof(err)) == 0) {
			started++;
		} else {
			snprintf(msg, sizeof(msg), "source fanotify not started: %s", err);
			rs_eventlog_notice(&d->log, "warning", msg);
			err_line("%s", msg);
		}
	}
	d->apol.writers_named = (d->fan != NULL && rs_fanotify_src_dir_events(d->fan)) ||
				(d->ebpf != NULL && rs_ebpf_src_sees_writers(d->ebpf));
	if ((d->o->sources & (1u << RS_SRC_AUDIT)) && d->o->audit_stdin) {
		struct rs_audit_stdin_opts so;
		memset(&so, 0, sizeof(so));
		so.fd = STDIN_FILENO;
		so.target = target;
		so.target_ino = snap->id.state == RS_FILE_OK ? snap->id.ino : 0;
		so.target_dev = snap->id.state == RS_FILE_OK ? snap->id.dev : 0;
		so.cache = d->cache;
		so.sink = sink;
		so.notice = on_notice;
		so.notice_ctx = d;
		so.local_node = d->o->local_node ? d->o->local_node : d->hostname;
		/* The shipped rules' keys: a daemon on the same host adds and
		 * removes resolvstale-live-* rules, which is none of our
		 * business. */
		so.our_keys = "resolvstale-rules-";
		so.track_serials = true;
		wanted++;
		if (rs_audit_stdin_new(&so, &d->astdin, err, sizeof(err)) == 0) {
			started++;
		} else {
			snprintf(msg, sizeof(msg), "audit records from standard input: %s", err);
			rs_eventlog_notice(&d->log, "error", msg);
			err_line("%s", msg);
			return -1;
		}
	} else if (d->o->sources & (1u << RS_SRC_AUDIT)) {
		struct rs_audit_src_opts ao;
		struct rs_audit_state restore, now;
		bool have_restore = load_audit_restore(d, &restore);
		memset(&ao, 0, sizeof(ao));
		ao.restore = have_restore ? &restore : NULL;
		ao.target = target;
		ao.target_ino = snap->id.state == RS_FILE_OK ? snap->id.ino : 0;
		ao.target_dev = snap->id.state == RS_FILE_OK ? snap->id.dev : 0;
		ao.register_daemon = d->o->audit_register;
		ao.groups = d->audit_want =
			rs_audit_policy_groups(&d->apol, d->change_ns, rs_time_now_ns());
		ao.cache = d->cache;
		ao.sink = sink;
		ao.notice = on_notice;
		ao.notice_ctx = d;
		wanted++;
		if (rs_audit_src_new(&ao, &d->audit, err, sizeof(err)) == 0) {
			started++;
			/* Keep what must be restored where a crash cannot lose it. */
			if (rs_audit_src_restore_info(d->audit, &now))
				save_audit_restore(d, &now);
			else if (have_restore)
				clear_audit_restore(d);
		} else {
			snprintf(msg, sizeof(msg), "source audit not started: %s", err);
			rs_eventlog_notice(&d->log, "warning", msg);
			err_line("%s", msg);
		}
	}
	{
		/* Facts of processes are read whatever the sources: the verdicts
		 * need them. Socket scans only when procscan is a source. */
		struct rs_procscan_src_opts po = {NULL, sink};
		bool want = (d->o->sources & (1u << RS_SRC_PROCSCAN)) != 0;
		wanted += want;
		if (rs_procscan_src_new(&po, &d->scan, err, sizeof(err)) == 0) {
			bool ok = snap->id.state == RS_FILE_OK || snap->id.state == RS_FILE_EMPTY;
			rs_procscan_src_set_watched(d->scan, ok ? snap->id.dev : 0,
						    ok ? snap->id.ino : 0);
			started += want;
			d->scan_sockets = want;
			d->scan_due = want; /* the first scan, right after start-up */
		} else {
			snprintf(msg, sizeof(msg), "%s not started: %s",
				 want ? "source procscan" : "reading process facts", err);
			rs_eventlog_notice(&d->log, "warning", msg);
			err_line("%s", msg);
		}
	}
	if (wanted > 0 && started == 0 && d->o->sources_explicit)
		return -1;
	return started;
}

static void stop_sources(struct daemon *d)
{
	rs_procscan_src_free(d->scan);
	d->scan = NULL;
	rs_ebpf_src_free(d->ebpf); /* detaches the programs */
	d->ebpf = NULL;
	rs_fanotify_src_free(d->fan);
	d->fan = NULL;
	if (d->audit != NULL) {
		struct rs_audit_state st;
		bool restores = rs_audit_src_restore_info(d->audit, &st);
		rs_audit_src_free(d->audit); /* restores the kernel's settings */
		d->audit = NULL;
		if (restores)
			clear_audit_restore(d);
	}
	rs_proccache_free(d->cache);
	d->cache = NULL;
	if (d->proc_dirfd >= 0)
		close(d->proc_dirfd);
	d->proc_dirfd = -1;
}

int rs_daemon_run(const struct rs_daemon_opts *o)
{
	struct rs_confwatch_opts cwo = {o->resolv_conf, o->settle_ms, o->persist_ms};
	struct rs_conf_snapshot snap;
	struct rs_generation prev;
	struct rs_start_info info;
	struct daemon d;
	char err[320], sources[96];
	bool resumed = false, new_gen = false;
	int r;

	memset(&d, 0, sizeof(d));
	memset(&snap, 0, sizeof(snap));
	memset(&prev, 0, sizeof(prev));
	d.o = o;
	d.sigfd = d.flushfd = d.epfd = d.proc_dirfd = -1;
	d.writer.uid = d.writer.auid = -1;
	d.status = 2;
	rs_eventlog_init(&d.log, o->log_stderr ? stderr : stdout, o->log_format);
	if (gethostname(d.hostname, sizeof(d.hostname) - 1) < 0)
		d.hostname[0] = '\0';
	d.log.evidence_types = o->log_evidence;

	r = rs_store_open(o->db_path, RS_STORE_WRITE, &d.store, err, sizeof(err));
	if (r < 0) {
		err_line("cannot open the store %s: %s", o->db_path, err);
		goto out;
	}
	/* Watch before the first read: a change in between is then an event. */
	r = rs_confwatch_new(&cwo, &d.cw);
	if (r < 0) {
		err_line("cannot watch %s: %s%s", o->resolv_conf, strerror(-r),
			 r == -ENOSPC || r == -EMFILE
				 ? " (raise fs.inotify.max_user_watches / max_user_instances)"
				 : "");
		goto out;
	}
	r = rs_conf_snapshot_read(o->resolv_conf, &snap);
	if (r < 0) {
		err_line("cannot read %s: %s", o->resolv_conf, strerror(-r));
		goto out;
	}
	if (start(&d, &snap, &resumed, &new_gen, &prev) < 0)
		goto out;
	note_unclean_stop(&d);
	r = start_sources(&d, &snap);
	if (r < 0) {
		if (r == -1)
			err_line("none of the evidence sources asked for could start");
		goto out;
	}
	{
		struct rs_judge_opts jo;
		memset(&jo, 0, sizeof(jo));
		jo.store = d.store;
		jo.facts = d.scan;
		jo.grace_ms = o->grace_ms;
		jo.retired = o->retired;
		jo.n_retired = o->n_retired;
		jo.metrics_file = o->metrics_file;
		jo.keep_generations = o->keep_generations;
		jo.notice = on_notice;
		jo.notice_ctx = &d;
		r = rs_judge_new(&jo, &d.judge);
		if (r < 0) {
			err_line("cannot start the verdict engine: %s", strerror(-r));
			goto out;
		}
		rs_judge_generation(d.judge, &d.cur);
		arm_tripwire(&d);
	}
	r = setup_fds(&d);
	if (r < 0) {
		err_line("cannot set up the event loop: %s", strerror(-r));
		goto out;
	}

	memset(&info, 0, sizeof(info));
	info.version = RS_VERSION;
	info.path = o->resolv_conf;
	info.chain = snap.chain;
	info.db = o->db_path;
	info.generation = d.cur.number;
	info.resumed = resumed;
	info.watches = rs_confwatch_n_watches(d.cw);
	sources_list(&d, sources, sizeof(sources));
	info.sources = sources;
	/* What the report needs to judge the evidence: which sources ran, and
	 * which boot the pids belong to. */
	{
		char boot[64], started[32];
		rs_read_line(RS_BOOT_ID_PATH, boot, sizeof(boot));
		snprintf(started, sizeof(started), "%lld", (long long)rs_time_now_ns());
		if (rs_store_meta_set(d.store, "sources", sources) < 0 ||
		    rs_store_meta_set(d.store, "started_ns", started) < 0 ||
		    (boot[0] && rs_store_meta_set(d.store, "boot_id", boot) < 0) ||
		    rs_store_flush(d.store) < 0)
			rs_eventlog_notice(&d.log, "warning", "cannot update the store");
	}
	rs_eventlog_start(&d.log, &info);
	say_send_tracking(&d);
	if (new_gen)
		rs_eventlog_generation(&d.log, &d.cur, resumed ? &prev : NULL);
	if (snap.id.state == RS_FILE_MISSING || snap.id.state == RS_FILE_UNREADABLE) {
		char msg[PATH_MAX + 128];
		snprintf(msg, sizeof(msg), "%s is %s (%s): glibc uses 127.0.0.1", o->resolv_conf,
			 rs_file_state_name(snap.id.state), strerror(snap.id.err));
		rs_eventlog_notice(&d.log, "warning", msg);
	}
	sd_notify("READY=1");

	d.status = loop(&d);
	sd_notify("STOPPING=1");
	if (d.n_unsaved > 0)
		save_unsaved(&d);
	r = rs_store_flush(d.store);
	if (r < 0 || d.n_unsaved > 0) {
		err_line("could not save everything to %s before stopping: %s", o->db_path,
			 rs_store_errmsg(d.store));
		d.status = 2;
	}
	rs_eventlog_stop(&d.log, d.stop_reason ? d.stop_reason : "error", d.cur.number);
out:
	rs_conf_snapshot_clear(&snap);
	rs_generation_clear(&prev);
	rs_generation_clear(&d.cur);
	for (size_t i = 0; i < d.n_unsaved; i++)
		rs_generation_clear(&d.unsaved[i]);
	free(d.last_target);
	rs_writer_clear(&d.writer);
	/* The plugin's input emits what it still holds: the judge must be
	 * there to take it. */
	rs_audit_stdin_free(d.astdin);
	d.astdin = NULL;
	rs_judge_free(d.judge);
	d.judge = NULL;
	/* Everything is saved (this is no crash): the next start need not warn. */
	if (d.store != NULL &&
	    (rs_store_meta_delete(d.store, META_RUNNING) < 0 || rs_store_flush(d.store) < 0))
		err_line("cannot update %s", o->db_path);
	if (d.store != NULL)
		(void)rs_store_flush(d.store);
	stop_sources(&d);
	rs_confwatch_free(d.cw);
	rs_store_close(d.store);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.flushfd >= 0)
		close(d.flushfd);
	if (d.epfd >= 0)
		close(d.epfd);
	return d.status;
}
