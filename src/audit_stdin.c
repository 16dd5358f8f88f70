/* The auditd plugin source: audit records as text lines on an fd (stdin). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "resolvstale/audit_rec.h"
#include "resolvstale/audit_stdin.h"
#include "resolvstale/timefmt.h"

/* The reader's buffer: a partial line (shorter than MAX_LINE, or it is
 * dropped) plus at least one more MAX_LINE of fresh input per read. */
#define READ_BUF (2 * RS_AUDIT_STDIN_MAX_LINE)
/* What one process() call feeds at most: other sources get their turn. */
#define PROCESS_BUDGET (1024 * 1024)

/* What the reader thread counts; under lock. */
struct reader_counts {
	uint64_t lines, bytes;
	uint64_t dropped_lines, dropped_bytes;
	uint64_t long_lines, long_bytes;
	uint64_t bad_lines;
	uint64_t queue_peak;
};

/* --- gaps in the audit serial numbers ------------------------------------------ */

/* Every event the kernel sends auditd has the next serial number; auditd
 * passes them all to its plugins unless its plugin queue is full, when it
 * drops them silently. A serial never seen, once well behind the newest,
 * is an event lost on the way. Events may arrive a little out of order:
 * a window of SERIAL_WINDOW serials, judged SERIAL_LAG behind the newest. */
#define SERIAL_WINDOW 4096
#define SERIAL_LAG    512

struct serials {
	bool started;
	uint64_t base; /* every serial below it has been judged */
	uint64_t max;  /* the newest seen */
	uint64_t bits[SERIAL_WINDOW / 64];
	uint64_t missing; /* judged and never seen, not yet reported */
	uint64_t total_missing;
};

static bool serial_bit(struct serials *w, uint64_t sn, bool clear)
{
	uint64_t i = sn % SERIAL_WINDOW, m = 1ULL << (i % 64);
	bool was = (w->bits[i / 64] & m) != 0;

	if (clear)
		w->bits[i / 64] &= ~m;
	else
		w->bits[i / 64] |= m;
	return was;
}

/* Judge every serial below new_base. */
static void serial_advance(struct serials *w, uint64_t new_base)
{
	if (new_base <= w->base)
		return;
	if (new_base - w->base >= SERIAL_WINDOW) {
		uint64_t seen = 0;
		for (size_t i = 0; i < SERIAL_WINDOW / 64; i++)
			seen += (uint64_t)__builtin_popcountll(w->bits[i]);
		w->missing += new_base - w->base - seen;
		memset(w->bits, 0, sizeof(w->bits));
		w->base = new_base;
		return;
	}
	for (; w->base < new_base; w->base++)
		if (!serial_bit(w, w->base, true))
			w->missing++;
}

static void serial_seen(struct serials *w, uint64_t sn)
{
	if (sn == 0)
		return;
	if (!w->started) {
		w->started = true;
		w->base = w->max = sn;
	}
	if (sn < w->base)
		return; /* judged already (or a duplicate) */
	if (sn >= w->base + SERIAL_WINDOW)
		serial_advance(w, sn - SERIAL_WINDOW + 1);
	serial_bit(w, sn, false);
	if (sn > w->max)
		w->max = sn;
}

struct rs_audit_stdin {
	struct rs_audit_stdin_opts o;
	int in_fd;
	int evfd;    /* the reader tells the main thread: work waits */
	int stop[2]; /* the main thread tells the reader: stop */
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t lock;
	/* Under lock: the queue, a ring of whole lines. */
	char *q;
	size_t cap, q_start, q_len;
	bool signaled; /* evfd was written since the main thread last read it */
	bool in_ended; /* the reader saw the end of the input, or an error */
	int in_err;    /* that error (positive errno), 0 for the end of input */
	struct reader_counts rc;

	/* The reader thread's own. */
	char *rbuf;
	size_t rlen;   /* a partial line waiting for its end */
	bool skipping; /* inside a line too long to keep: drop up to its newline */

	/* The main thread's own. */
	struct serials serials;
	uint64_t gap_dropped; /* queue drops already seen when gaps were judged */
	int64_t last_gap_mono;
	struct rs_audit_feed *feed;
	struct rs_audit_infer *infer;
	int32_t self;
	char *target, *our_keys;
	struct rs_audit_match match;
	bool done;
	int done_ret;
	uint64_t reported_dropped;
	int64_t last_report_mono; /* 0: never reported */
	uint64_t noticed_long, noticed_bad;
	unsigned removals, additions; /* of rules with our keys, since the last tick */
	int32_t remover_pid;
	struct rs_audit_stdin_stats stats;
};

/* A one-line message for the operator (event.h). */
#define notice(x, level, ...) rs_notice((x)->o.notice, (x)->o.notice_ctx, level, __VA_ARGS__)

/* --- the shape of a record line ---------------------------------------------- */

/* Digits only, 1..max of them; their value in *v (wraps beyond 19 digits). */
static size_t digits(const char *p, size_t len, size_t max, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	while (i < len && i < max + 1 && p[i] >= '0' && p[i] <= '9')
		*v = *v * 10 + (uint64_t)(p[i++] - '0');
	return i >= 1 && i <= max ? i : 0;
}

static bool skip_lit(const char *p, size_t len, size_t *i, const char *lit)
{
	size_t n = strlen(lit);

	if (len - *i < n || memcmp(p + *i, lit, n) != 0)
		return false;
	*i += n;
	return true;
}

bool rs_audit_line_plausible(const char *p, size_t len)
{
	size_t i = 0, n;
	uint64_t v;

	if (len > 0 && p[len - 1] == '\n')
		len--;
	if (skip_lit(p, len, &i, "node=")) {
		for (n = 0; i < len && n < 256 && (unsigned char)p[i] > ' '; n++)
			i++;
		if (n == 0 || !skip_lit(p, len, &i, " "))
			return false;
	}
	if (!skip_lit(p, len, &i, "type="))
		return false;
	for (n = 0; i < len && n < 64 && p[i] != ' '; n++, i++)
		if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_' || p[i] == '[' || p[i] == ']'))
			return false;
	if (n == 0 || !skip_lit(p, len, &i, " msg=audit("))
		return false;
	/* Seconds that fit a nanosecond int64 (audit_rec.c multiplies). */
	if ((n = digits(p + i, len - i, 10, &v)) == 0 || v >= INT64_MAX / 1000000000 - 1)
		return false;
	i += n;
	if (!skip_lit(p, len, &i, ".") || (n = digits(p + i, len - i, 3, &v)) == 0)
		return false;
	i += n;
	if (!skip_lit(p, len, &i, ":") || (n = digits(p + i, len - i, 20, &v)) == 0)
		return false;
	i += n;
	if (!skip_lit(p, len, &i, "):"))
		return false;
	/* One record per line: a second header is two lines run together (a
	 * torn write), on which libauparse 3.0.9 leaks. */
	return memmem(p + i, len - i, "msg=audit(", 10) == NULL;
}

/* --- the reader thread ------------------------------------------------------ */

/* Under lock. */
static void signal_main(struct rs_audit_stdin *s)
{
	uint64_t one = 1;

	if (s->signaled)
		return;
	s->signaled = true;
	/* Cannot fail short of a counter near 2^64: EAGAIN would still leave
	 * it readable. */
	while (write(s->evfd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* Under lock: queue one whole line, or drop it whole. */
static bool push_line(struct rs_audit_stdin *s, const char *line, size_t len)
{
	size_t end, first;

	if (len > s->cap - s->q_len) {
		s->rc.dropped_lines++;
		s->rc.dropped_bytes += len;
		return false;
	}
	end = (s->q_start + s->q_len) % s->cap;
	first = s->cap - end < len ? s->cap - end : len;
	memcpy(s->q + end, line, first);
	memcpy(s->q, line + first, len - first);
	s->q_len += len;
	if (s->q_len > s->rc.queue_peak)
		s->rc.queue_peak = s->q_len;
	return true;
}

/* n fresh bytes at rbuf + rlen: queue the complete lines, keep the rest. */
static void take(struct rs_audit_stdin *s, size_t n)
{
	size_t end = s->rlen + n, start = 0, pos = s->rlen;
	bool added = false;

	pthread_mutex_lock(&s->lock);
	s->rc.bytes += n;
	for (;;) {
		const char *nl = memchr(s->rbuf + pos, '\n', end - pos);
		size_t len;

		if (nl == NULL)
			break;
		len = (size_t)(nl - s->rbuf) + 1 - start;
		s->rc.lines++;
		if (s->skipping) {
			s->rc.long_bytes += len;
			s->skipping = false;
		} else if (len > RS_AUDIT_STDIN_MAX_LINE) {
			s->rc.long_lines++;
			s->rc.long_bytes += len;
		} else if (!rs_audit_line_plausible(s->rbuf + start, len)) {
			s->rc.bad_lines++;
		} else if (push_line(s, s->rbuf + start, len)) {
			added = true;
		}
		start = pos = start + len;
	}
	if (s->skipping) {
		s->rc.long_bytes += end - start;
		s->rlen = 0;
	} else if (end - start >= RS_AUDIT_STDIN_MAX_LINE) {
		/* With its newline it would be longer than the cap. */
		s->skipping = true;
		s->rc.long_lines++;
		s->rc.long_bytes += end - start;
		s->rlen = 0;
	} else {
		memmove(s->rbuf, s->rbuf + start, end - start);
		s->rlen = end - start;
	}
	if (added)
		signal_main(s);
	pthread_mutex_unlock(&s->lock);
}

/* The input ended (err 0) or failed: a final line without its newline is
 * still a record. */
static void input_ended(struct rs_audit_stdin *s, int err)
{
	pthread_mutex_lock(&s->lock);
	if (err == 0 && s->skipping) {
		s->rc.lines++; /* the long line ends here: already counted as one */
	} else if (err == 0 && s->rlen > 0) {
		s->rbuf[s->rlen++] = '\n'; /* rlen < MAX_LINE < READ_BUF */
		s->rc.lines++;
		if (!rs_audit_line_plausible(s->rbuf, s->rlen))
			s->rc.bad_lines++;
		else
			push_line(s, s->rbuf, s->rlen);
	}
	s->skipping = false;
	s->rlen = 0;
	s->in_ended = true;
	s->in_err = err;
	signal_main(s);
	pthread_mutex_unlock(&s->lock);
}

/* Read promptly whatever the main thread does: never wait for room in the
 * queue (auditd would wait for us), drop instead. Blocks only in poll(). Once
 * told to stop, it takes what is already readable (bounded) and leaves. */
static void *reader_main(void *arg)
{
	struct rs_audit_stdin *s = arg;
	bool stopping = false;
	size_t swept = 0;

	for (;;) {
		struct pollfd p[2] = {{s->in_fd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
		ssize_t n;
		int r;

		r = poll(p, stopping ? 1 : 2, stopping ? 0 : -1);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			input_ended(s, errno);
			break;
		}
		if (!stopping && p[1].revents != 0) {
			stopping = true;
			continue;
		}
		if (r == 0)
			break; /* stopping, and nothing more is readable */
		if (p[0].revents & POLLNVAL) {
			input_ended(s, EBADF);
			break;
		}
		if (p[0].revents == 0)
			continue;
		n = read(s->in_fd, s->rbuf + s->rlen, READ_BUF - s->rlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				if (stopping)
					break;
				continue;
			}
			input_ended(s, errno);
			break;
		}
		if (n == 0) {
			input_ended(s, 0);
			break;
		}
		take(s, (size_t)n);
		if (stopping && (swept += (size_t)n) >= s->cap)
			break;
	}
	return NULL;
}

/* --- the main thread ------------------------------------------------------- */

static void emit_lost(struct rs_audit_stdin *s, uint64_t count, const char *reason)
{
	struct rs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = RS_EV_EVENTS_LOST;
	ev.source = RS_SRC_AUDIT;
	ev.time_ns = rs_time_now_ns();
	ev.proc.ppid = -1;
	ev.proc.uid = ev.proc.auid = -1;
	ev.u.lost.count = count;
	ev.u.lost.reason = reason;
	rs_sink_emit(&s->o.sink, &ev);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "web1" names the host "web1.example.com" (auditd's name_format hostname
 * or fqd): equal, or equal up to the first dot. */
static bool same_node(const char *a, const char *b)
{
	size_t la = strcspn(a, "."), lb = strcspn(b, ".");

	return strcmp(a, b) == 0 || (la == lb && la > 0 && strncmp(a, b, la) == 0);
}

/* As audit_src.c's on_audit_event, without its own-rule bookkeeping: here
 * auditd loads the rules. */
static void on_audit_event(void *ctx, const struct rs_audit_event *ae)
{
	struct rs_audit_stdin *s = ctx;
	struct rs_event evs[4];
	size_t n;

	s->stats.events++;
	/* Every event counts for the serial numbers (of this host: another
	 * host's have their own); auditd's own records (DAEMON_START ...)
	 * count from its own serial. */
	if (s->o.track_serials && (ae->node[0] == '\0' || s->o.local_node == NULL ||
				   same_node(ae->node, s->o.local_node)) &&
	    (ae->first_type < 1200 || ae->first_type > 1299))
		serial_seen(&s->serials, ae->serial);
	if (ae->has_config_change && has_prefix(ae->cc_key, s->our_keys)) {
		/* A rule change, no evidence. A removal not followed by the
		 * addition (augenrules --load does both) blinds us: told at
		 * the next tick. */
		if (strcmp(ae->cc_op, "remove_rule") == 0) {
			s->stats.rule_removals++;
			s->removals++;
			s->remover_pid = ae->cc_pid ? ae->cc_pid : ae->pid;
		} else if (strcmp(ae->cc_op, "add_rule") == 0) {
			s->additions++;
		}
		return;
	}
	/* Another host's records (a central auditd receiving audisp-remote):
	 * not this host's processes. replay keeps them apart. */
	if (s->o.local_node != NULL && ae->node[0] != '\0' &&
	    !same_node(ae->node, s->o.local_node)) {
		s->stats.other_nodes++;
		return;
	}
	/* Our own reads of the file (the shipped rules cannot exclude a pid). */
	if (ae->pid == s->self) {
		s->stats.own++;
		return;
	}
	n = 0;
	if (ae->has_sockaddr && ae->port != 53 && ae->has_syscall)
		s->stats.other_sends++;
	else
		n = rs_audit_classify(ae, &s->match, evs, sizeof(evs) / sizeof(evs[0]));
	/* Sends without an address on a socket connected to port 53 before
	 * (other sites' rules log them). */
	if (s->infer != NULL)
		n = rs_audit_infer_apply(s->infer, ae, evs, n, sizeof(evs) / sizeof(evs[0]));
	for (size_t i = 0; i < n; i++) {
		rs_proccache_fill(s->o.cache, &evs[i].proc, rs_time_now_ns());
		if (evs[i].type == RS_EV_DNS_SEND)
			s->stats.dns_sends++;
		else
			s->stats.config++;
		rs_sink_emit(&s->o.sink, &evs[i]);
	}
}

/* Report lines the reader dropped since the last report: at most once a
 * second, unless forced (the end). */
static void report_drops(struct rs_audit_stdin *s, bool force)
{
	int64_t now = rs_time_mono_ns();
	uint64_t dropped, long_lines, bad_lines;
	char reason[160];

	pthread_mutex_lock(&s->lock);
	dropped = s->rc.dropped_lines;
	long_lines = s->rc.long_lines;
	bad_lines = s->rc.bad_lines;
	pthread_mutex_unlock(&s->lock);

	if (dropped > s->reported_dropped &&
	    (force || s->last_report_mono == 0 || now - s->last_report_mono >= RS_NS_PER_SEC)) {
		uint64_t n = dropped - s->reported_dropped;
		snprintf(reason, sizeof(reason),
			 "the auditd plugin queue was full: %llu lines dropped",
			 (unsigned long long)n);
		s->reported_dropped = dropped;
		s->last_report_mono = now;
		emit_lost(s, n, reason);
	}
	/* Serials behind the newest that never came. Our own queue's drops
	 * explain gaps too: they are reported above, not twice. */
	if (s->serials.started) {
		serial_advance(
			&s->serials,
			force ? s->serials.max + 1
			      : (s->serials.max > SERIAL_LAG ? s->serials.max - SERIAL_LAG : 0));
		if (dropped > s->gap_dropped) {
			s->gap_dropped = dropped;
			s->serials.missing = 0;
		} else if (s->serials.missing > 0 &&
			   (force || now - s->last_gap_mono >= RS_NS_PER_SEC)) {
			snprintf(reason, sizeof(reason),
				 "%llu audit events never reached the plugin (gaps in the serial "
				 "numbers: auditd's plugin queue was full?)",
				 (unsigned long long)s->serials.missing);
			s->serials.total_missing += s->serials.missing;
			emit_lost(s, s->serials.missing, reason);
			s->serials.missing = 0;
			s->last_gap_mono = now;
		}
	}
	if (long_lines > s->noticed_long) {
		notice(s, "warning",
		       "dropped %llu input lines longer than %d bytes (not audit records)",
		       (unsigned long long)(long_lines - s->noticed_long), RS_AUDIT_STDIN_MAX_LINE);
		s->noticed_long = long_lines;
	}
	if (bad_lines > s->noticed_bad) {
		notice(s, "warning",
		       "ignored %llu input lines that are not audit records (type=... "
		       "msg=audit(...): ...)",
		       (unsigned long long)(bad_lines - s->noticed_bad));
		s->noticed_bad = bad_lines;
	}
}

/* Feed at most budget queued bytes. Returns whether the queue is empty, and
 * in *ended whether the input had ended by then (so nothing more comes). */
static bool drain(struct rs_audit_stdin *s, size_t budget, bool *ended)
{
	for (;;) {
		size_t start, len, chunk;

		pthread_mutex_lock(&s->lock);
		start = s->q_start;
		len = s->q_len;
		*ended = s->in_ended;
		pthread_mutex_unlock(&s->lock);
		if (len == 0)
			return true;
		if (budget == 0)
			return false;
		chunk = len;
		if (chunk > s->cap - start)
			chunk = s->cap - start;
		if (chunk > budget)
			chunk = budget;
		/* The reader writes only after q_start + q_len: these bytes
		 * stay put until released below. A chunk auparse refuses is
		 * counted by the feed; the next one is still taken. */
		rs_audit_feed_text(s->feed, s->q + start, chunk);
		pthread_mutex_lock(&s->lock);
		s->q_start = (s->q_start + chunk) % s->cap;
		s->q_len -= chunk;
		pthread_mutex_unlock(&s->lock);
		budget -= chunk;
	}
}

/* Everything was fed and nothing more comes: complete, report, done. */
static void finish(struct rs_audit_stdin *s)
{
	int err;

	pthread_mutex_lock(&s->lock);
	err = s->in_err;
	pthread_mutex_unlock(&s->lock);
	rs_audit_feed_flush(s->feed);
	report_drops(s, true);
	s->done = true;
	s->done_ret = err != 0 ? -err : 1;
	s->stats.eof = true;
}

int rs_audit_stdin_process(struct rs_audit_stdin *s)
{
	uint64_t v;
	bool ended;

	pthread_mutex_lock(&s->lock);
	s->signaled = false;
	while (read(s->evfd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	pthread_mutex_unlock(&s->lock);
	if (s->done)
		return s->done_ret;
	if (!drain(s, PROCESS_BUDGET, &ended)) {
		/* More waits: stay readable for the caller's next turn. */
		pthread_mutex_lock(&s->lock);
		signal_main(s);
		pthread_mutex_unlock(&s->lock);
		return 0;
	}
	if (!ended)
		return 0;
	finish(s);
	return s->done_ret;
}

void rs_audit_stdin_tick(struct rs_audit_stdin *s)
{
	rs_audit_feed_age(s->feed);
	report_drops(s, false);
	if (s->removals > s->additions)
		notice(s, "warning",
		       "%u audit rules with keys %s* were removed (by pid %d) and not added again: "
		       "audit evidence may be missing until they are loaded (augenrules --load)",
		       s->removals - s->additions, s->our_keys, (int)s->remover_pid);
	s->removals = s->additions = 0;
}

int rs_audit_stdin_retarget(struct rs_audit_stdin *s, const char *target, uint64_t ino,
			    uint64_t dev)
{
	char *t;

	s->match.target_ino = ino;
	s->match.target_dev = dev;
	if (target == NULL || (s->target != NULL && strcmp(target, s->target) == 0))
		return 0;
	t = strdup(target);
	if (t == NULL)
		return -ENOMEM;
	free(s->target);
	s->target = t;
	s->match.target = t;
	return 0;
}

const struct rs_audit_stdin_stats *rs_audit_stdin_stats(struct rs_audit_stdin *s)
{
	pthread_mutex_lock(&s->lock);
	s->stats.lines = s->rc.lines;
	s->stats.bytes = s->rc.bytes;
	s->stats.dropped_lines = s->rc.dropped_lines;
	s->stats.dropped_bytes = s->rc.dropped_bytes;
	s->stats.long_lines = s->rc.long_lines;
	s->stats.long_bytes = s->rc.long_bytes;
	s->stats.bad_lines = s->rc.bad_lines;
	s->stats.queue_peak = s->rc.queue_peak;
	pthread_mutex_unlock(&s->lock);
	s->stats.bad_chunks = rs_audit_feed_stats(s->feed)->bad;
	s->stats.missing_serials = s->serials.total_missing;
	return &s->stats;
}

int rs_audit_stdin_fd(const struct rs_audit_stdin *s)
{
	return s->evfd;
}

/* The reader must not take the daemon's signals: they are blocked for its
 * signalfd, and a thread that left one unblocked would die of it. */
static int start_reader(struct rs_audit_stdin *s)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&s->thread, NULL, reader_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return -r;
	s->thread_started = true;
	return 0;
}

int rs_audit_stdin_new(const struct rs_audit_stdin_opts *o, struct rs_audit_stdin **out, char *err,
		       size_t errlen)
{
	struct rs_audit_stdin *s;
	int r;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->o = *o;
	s->in_fd = o->fd >= 0 ? o->fd : 0;
	s->evfd = s->stop[0] = s->stop[1] = -1;
	s->cap = o->queue_bytes > 0 ? o->queue_bytes : RS_AUDIT_STDIN_DEFAULT_QUEUE;
	pthread_mutex_init(&s->lock, NULL);
	s->q = malloc(s->cap);
	s->rbuf = malloc(READ_BUF);
	s->feed = rs_audit_feed_new(on_audit_event, s);
	s->infer = rs_audit_infer_new(65536);
	s->self = (int32_t)getpid();
	s->target = o->target != NULL ? strdup(o->target) : NULL;
	s->our_keys = strdup(o->our_keys != NULL ? o->our_keys : RS_AUDIT_STDIN_KEYS);
	if (s->q == NULL || s->rbuf == NULL || s->feed == NULL || s->our_keys == NULL ||
	    s->infer == NULL || (o->target != NULL && s->target == NULL)) {
		r = -ENOMEM;
		snprintf(err, errlen, "out of memory (a queue of %zu bytes)", s->cap);
		goto fail;
	}
	s->match.target = s->target;
	s->match.target_ino = o->target_ino;
	s->match.target_dev = o->target_dev;
	s->match.our_keys = s->our_keys;

	s->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->evfd < 0 || pipe2(s->stop, O_NONBLOCK | O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot create the audit input queue: %s", strerror(errno));
		goto fail;
	}
	if (fcntl(s->in_fd, F_GETFL) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot read audit records from fd %d: %s", s->in_fd,
			 strerror(errno));
		goto fail;
	}
	r = start_reader(s);
	if (r < 0) {
		snprintf(err, errlen, "cannot start the audit input thread: %s", strerror(-r));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	rs_audit_stdin_free(s);
	return r;
}

void rs_audit_stdin_free(struct rs_audit_stdin *s)
{
	bool ended;

	if (s == NULL)
		return;
	if (s->thread_started) {
		while (write(s->stop[1], "x", 1) < 0 && errno == EINTR)
			;
		pthread_join(s->thread, NULL);
	}
	/* What was read is fed and reported, as the end of input would be
	 * (auditd stops its plugins with SIGTERM); a partial line is not. */
	if (s->feed != NULL && s->q != NULL && !s->done) {
		drain(s, SIZE_MAX, &ended);
		rs_audit_feed_flush(s->feed);
		report_drops(s, true);
	}
	rs_audit_feed_free(s->feed);
	rs_audit_infer_free(s->infer);
	if (s->evfd >= 0)
		close(s->evfd);
	if (s->stop[0] >= 0)
		close(s->stop[0]);
	if (s->stop[1] >= 0)
		close(s->stop[1]);
	pthread_mutex_destroy(&s->lock);
	free(s->q);
	free(s->rbuf);
	free(s->target);
	free(s->our_keys);
	free(s);
}
