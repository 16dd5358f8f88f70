/* The auditd plugin source: audit records as text lines on an fd (stdin).
 *
 * auditd's plugin dispatcher (plugins.d, format = string) writes each record
 * as one line like audit.log's ("type=SYSCALL msg=audit(1700000000.123:456):
 * ...", maybe after "node=NAME "). A plugin that reads slowly fills the pipe,
 * and then the dispatcher, then auditd waits: so a reader thread reads the fd
 * promptly whatever the main thread does, into a bounded queue of whole lines.
 * When the queue is full it drops whole lines and counts them; the main thread
 * reports them as an RS_EV_EVENTS_LOST event (at most once a second, and once
 * more at the end of input). A line longer than RS_AUDIT_STDIN_MAX_LINE, or
 * not shaped like a record (rs_audit_line_plausible), cannot be an audit
 * record: it is dropped, counted and told as a notice, not as lost events.
 * The dispatcher's end is a stream socket (socketpair) or a pipe; it also
 * passes EOE records, which complete events at once.
 *
 * The main thread side looks like audit_src.h: an fd for epoll, process() when
 * it is readable, tick() once a second. process() feeds the lines to
 * rs_audit_feed, classifies each complete audit event (rs_audit_classify),
 * fills the start time of live processes from the cache and emits the events
 * through the sink. All callbacks (sink, notice) run in the thread that calls
 * process()/tick()/free(); the reader thread touches only the fd and the
 * queue, and blocks every signal.
 */
#ifndef RESOLVSTALE_AUDIT_STDIN_H
#define RESOLVSTALE_AUDIT_STDIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/event.h"
#include "resolvstale/proccache.h"

#define RS_AUDIT_STDIN_MAX_LINE      (64 * 1024)       /* bytes, newline included */
#define RS_AUDIT_STDIN_DEFAULT_QUEUE (8 * 1024 * 1024) /* bytes */
#define RS_AUDIT_STDIN_KEYS          "resolvstale-"    /* live- and rules- keys */

struct rs_audit_stdin_opts {
	/* The input, blocking or not (not owned, never closed); -1 means 0,
	 * stdin. */
	int fd;
	const char *target;              /* the watched file's final path, or NULL */
	uint64_t target_ino, target_dev; /* its inode and device, 0 if unknown */
	/* Events with audit keys of this prefix are about the watched file
	 * (NULL: RS_AUDIT_STDIN_KEYS). Copied. */
	const char *our_keys;
	struct rs_proccache *cache; /* may be NULL; used by the main thread only */
	struct rs_sink sink;
	/* One-line messages for the operator ("warning", "notice"). */
	void (*notice)(void *ctx, const char *level, const char *msg);
	void *notice_ctx;
	size_t queue_bytes; /* queue capacity; 0 means RS_AUDIT_STDIN_DEFAULT_QUEUE */
	/* Records with a node=NAME prefix other than this one are another
	 * host's (a central auditd): counted in other_nodes and skipped ("web1"
	 * and "web1.example.com" are the same). NULL: every record is this
	 * host's. Not copied. */
	const char *local_node;
	/* Count gaps in the audit serial numbers as lost events: right for a
	 * live auditd stream (every kernel event passes), wrong for filtered
	 * logs played back. */
	bool track_serials;
};

struct rs_audit_stdin_stats {
	uint64_t lines;         /* lines read from the fd (dropped ones included) */
	uint64_t bytes;         /* bytes read from the fd */
	uint64_t events;        /* complete audit events */
	uint64_t dns_sends;     /* DNS_SEND events emitted */
	uint64_t config;        /* CONFIG_* events emitted */
	uint64_t other_sends;   /* sends/connects to other ports (ignored) */
	uint64_t dropped_lines; /* whole lines dropped: the queue was full */
	uint64_t dropped_bytes;
	uint64_t long_lines; /* lines over RS_AUDIT_STDIN_MAX_LINE, dropped */
	uint64_t long_bytes;
	uint64_t bad_lines;       /* not shaped like a record (rs_audit_line_plausible) */
	uint64_t bad_chunks;      /* chunks auparse refused (rs_audit_feed_stats.bad) */
	uint64_t rule_removals;   /* remove_rule records for our keys (someone else's) */
	uint64_t queue_peak;      /* most bytes ever waiting in the queue */
	uint64_t other_nodes;     /* events of other hosts (node=), skipped */
	uint64_t own;             /* events of this process (its reads of the file) */
	uint64_t missing_serials; /* events auditd never passed on (serial gaps) */
	bool eof;                 /* the input ended and everything was emitted */
};

struct rs_audit_stdin;

/* Whether a line (its newline optional) starts like an audit record:
 * ["node=NAME "]"type=NAME msg=audit(SECONDS.MILLI:SERIAL):", with at most
 * 10 digits of seconds (and a value that fits int64 nanoseconds), 1 to 3 of
 * milliseconds, 1 to 20 of serial. Other lines are not fed to auparse:
 * libauparse 3.0.9 leaks memory on some garbage lines (those with a '(' ten
 * bytes after the first space), and a record from before 1970 or after 2262
 * would overflow the event's time. Pure. */
bool rs_audit_line_plausible(const char *line, size_t len);

/* Start the reader thread on o->fd. Returns 0, or a negative errno with a
 * one-line reason in err (-ENOMEM, -EMFILE, -EAGAIN from pthread_create). */
int rs_audit_stdin_new(const struct rs_audit_stdin_opts *o, struct rs_audit_stdin **out, char *err,
		       size_t errlen);
/* Stop the reader thread (it blocks only in poll(), so this returns promptly
 * even when the input stays open; what is already readable is still taken,
 * at most a queue's worth), then, unless process() already returned nonzero,
 * feed every queued line, complete the pending audit events and emit them
 * and the drop report, as at the end of input (auditd stops its plugins with
 * SIGTERM: what was read is not lost). A partial last line is dropped. Does
 * not close the input fd. NULL is accepted. */
void rs_audit_stdin_free(struct rs_audit_stdin *s);
/* Readable (for epoll, level-triggered) when process() has work: lines
 * queued, the end of the input, or a read error. Owned by s. */
int rs_audit_stdin_fd(const struct rs_audit_stdin *s);
/* Feed queued lines (a bounded amount per call; the fd stays readable while
 * more wait) and emit the events they complete. Returns 0; 1 when the input
 * ended and every line was fed, the feed flushed, the events and the drop
 * report emitted (the caller stops; later calls return 1 again); or a
 * negative errno when reading the input failed (after the same draining). */
int rs_audit_stdin_process(struct rs_audit_stdin *s);
/* About once a second: complete audit events that will get no more records,
 * report dropped lines (at most once a second). */
void rs_audit_stdin_tick(struct rs_audit_stdin *s);
/* The watched file's final path (or inode) changed. Returns 0 or -ENOMEM. */
int rs_audit_stdin_retarget(struct rs_audit_stdin *s, const char *target, uint64_t ino,
			    uint64_t dev);
/* The counters, reader thread's included as of this call. The pointer stays
 * valid until s is freed; its contents change at the next call on s. */
const struct rs_audit_stdin_stats *rs_audit_stdin_stats(struct rs_audit_stdin *s);

#endif
