/* The event model: what every evidence source produces and the engine
 * consumes.
 *
 * An event is small and transient. Its strings point into buffers owned by
 * the source that made it and are valid only during the call that hands the
 * event over (struct rs_sink); a consumer that keeps anything copies it.
 *
 * A process is identified by (pid, starttime): starttime is field 22 of
 * /proc/PID/stat (clock ticks after boot), read while the process is alive.
 * It is 0 when the source could not read it (the process had already exited):
 * such an identity is weaker and consumers must not merge it with another
 * process of the same pid.
 */
#ifndef RESOLVSTALE_EVENT_H
#define RESOLVSTALE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "resolvstale/addr.h"

struct rs_sock;
struct rs_proc_facts;
struct rs_runtime;

enum rs_event_type {
	RS_EV_CONFIG_CHANGE = 1, /* a new generation (the config watcher) */
	RS_EV_CONFIG_OPEN,       /* a process opened the watched file */
	RS_EV_CONFIG_STAT,       /* a process stat()ed it (glibc, Go: reload check) */
	RS_EV_CONFIG_WRITE,      /* a process wrote, replaced or removed it */
	RS_EV_DNS_SEND,          /* a process sent to (or connected to) port 53 */
	RS_EV_SOCKET_SEEN,       /* a socket to port 53 found by the /proc scan */
	RS_EV_PROCESS_INFO,      /* facts about a process (the /proc scan) */
	RS_EV_PROCESS_EXIT,      /* a process exited */
	RS_EV_EVENTS_LOST,       /* a source lost events: verdicts may be incomplete */
};

enum rs_source {
	RS_SRC_CONFWATCH = 1,
	RS_SRC_FANOTIFY,
	RS_SRC_AUDIT,
	RS_SRC_PROCSCAN,
	RS_SRC_EBPF,
	RS_SRC_REPLAY,
};

enum rs_proto {
	RS_PROTO_UNKNOWN = 0, /* audit records carry no socket type */
	RS_PROTO_UDP,
	RS_PROTO_TCP,
};

/* Who did it. Unknown numbers are -1, unknown strings NULL. */
struct rs_proc {
	int32_t pid;        /* thread-group id; 0 for events without a process */
	uint64_t starttime; /* /proc/PID/stat field 22; 0 if unknown */
	int32_t ppid;
	int64_t uid, auid;  /* auid 4294967295 is "unset" as the kernel says */
	const char *comm;   /* untrusted: escape before printing */
	const char *exe;    /* untrusted: escape before printing */
	const char *cmdline; /* audit PROCTITLE, arguments joined by spaces; NULL
			      * if unknown; untrusted */
};

struct rs_event {
	enum rs_event_type type;
	enum rs_source source;
	int64_t time_ns; /* CLOCK_REALTIME when it happened, as the source tells */
	struct rs_proc proc;
	union {
		/* CONFIG_OPEN, CONFIG_STAT, CONFIG_WRITE */
		struct {
			const char *path;    /* as the process named it, or the target */
			const char *syscall; /* "openat", "statx", "rename", "fanotify" ... */
			int err;             /* 0, or the errno the call failed with */
		} config;
		/* DNS_SEND */
		struct {
			struct rs_addr dst;
			uint16_t port;
			enum rs_proto proto;
			const char *syscall; /* "connect", "sendto", "sendmsg", "sendmmsg" */
			int err;             /* 0, or the errno (a failed connect) */
			int64_t fd;          /* the socket fd (a0) when known, else -1 */
			bool inferred;       /* destination taken from an earlier connect */
			uint32_t count;      /* sends this event stands for (the eBPF
					      * tripwire counts in the kernel and emits
					      * at a bounded rate); 0 means 1 */
			bool fenced;         /* the tripwire redirected or refused it */
		} dns;
		/* SOCKET_SEEN: a socket to port 53 held by the process */
		struct {
			const struct rs_sock *sock;
			int fd;     /* the fd number in the process, -1 if unknown */
			bool first; /* not seen by the previous scan */
		} socket;
		/* PROCESS_INFO: facts about the process (procinfo.h) and its
		 * resolver runtime (runtime.h; NULL if it could not be read) */
		struct {
			const struct rs_proc_facts *facts;
			const struct rs_runtime *runtime;
		} info;
		/* EVENTS_LOST */
		struct {
			uint64_t count;     /* how many (0 if unknown) */
			const char *reason; /* "fanotify queue overflow", ... */
		} lost;
	} u;
};

/* Where sources deliver events. */
typedef void (*rs_event_fn)(void *ctx, const struct rs_event *ev);

struct rs_sink {
	rs_event_fn fn;
	void *ctx;
};

static inline void rs_sink_emit(const struct rs_sink *sink, const struct rs_event *ev)
{
	if (sink != NULL && sink->fn != NULL)
		sink->fn(sink->ctx, ev);
}

/* One-line messages for the operator that sources and the judge hand to
 * the daemon ("warning", "notice", "error" + text). */
typedef void (*rs_notice_fn)(void *ctx, const char *level, const char *msg);

/* Format a message (at most 511 bytes) and hand it to fn; fn NULL: nothing. */
void rs_notice(rs_notice_fn fn, void *ctx, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

const char *rs_event_type_name(enum rs_event_type t); /* "dns_send" */
const char *rs_source_name(enum rs_source s);          /* "audit" */
const char *rs_proto_name(enum rs_proto p);            /* "udp", "tcp", "unknown" */

/* Parse a comma-separated source list ("fanotify,audit"; "none" for the empty
 * set) into a bit set of
 * (1u << enum rs_source). Returns 0, or -EINVAL with the offending word in bad
 * (bad may be NULL). */
int rs_sources_parse(const char *list, unsigned *set, char *bad, size_t badlen);

#endif
