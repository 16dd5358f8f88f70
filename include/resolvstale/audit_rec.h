/* Audit records: from log text or netlink to resolvstale events.
 *
 * Three layers, each testable on its own:
 *   - rs_audit_feed: feeds audit text (log lines in the raw or enriched
 *     format, or netlink records formatted like log lines) to auparse, which
 *     groups records of one event by serial, and hands each complete event,
 *     extracted into a struct rs_audit_event, to a callback;
 *   - rs_audit_decode_*: pure decoders of field values (quoted or hex-encoded
 *     strings, SOCKADDR's saddr);
 *   - rs_audit_classify: pure mapping of one extracted event to the
 *     rs_events it proves (a DNS send, a stat/open/write of the watched file).
 * The same code serves the live audit source, the auditd plugin and replay.
 */
#ifndef RESOLVSTALE_AUDIT_REC_H
#define RESOLVSTALE_AUDIT_REC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/event.h"

#define RS_AUDIT_MAX_PATHS 8

struct rs_audit_path {
	char name[PATH_MAX]; /* decoded; "" if absent */
	char nametype[16];   /* NORMAL, CREATE, DELETE, PARENT, UNKNOWN */
	uint64_t inode;
	uint64_t dev; /* makedev() of PATH's dev=MAJ:MIN, 0 if absent */
};

/* The fields of one audit event that resolvstale uses. */
struct rs_audit_event {
	uint64_t serial;
	int64_t time_ns;
	char node[64]; /* node=NAME prefix (remote logging), "" if none */
	unsigned n_records;
	int first_type; /* the type of its first record (AUDIT_SYSCALL ...) */

	bool has_syscall;
	char syscall[32]; /* name ("connect"), or the number if unknown */
	int syscall_nr;
	bool success;
	int64_t exit;
	uint64_t a0, a1, a2;
	int32_t pid, ppid;
	int64_t uid, auid;
	char comm[64];
	char exe[PATH_MAX];
	char key[256]; /* "" for (null) */

	bool has_sockaddr;
	struct rs_addr addr; /* family 0 when not AF_INET/AF_INET6 */
	uint16_t port;

	char cwd[PATH_MAX];
	char proctitle[256]; /* PROCTITLE: argv joined by spaces (the kernel keeps 128
			      * bytes), "" if absent */
	struct rs_audit_path paths[RS_AUDIT_MAX_PATHS];
	size_t n_paths;

	bool has_config_change; /* a CONFIG_CHANGE record: audit rules changed */
	char cc_op[32];         /* "add_rule", "remove_rule", ... */
	char cc_key[256];
	int32_t cc_pid;
};

/* --- decoders (pure) ----------------------------------------------------- */

/* An audit string value as found after "name=": "quoted", hex-encoded, or
 * bare. Writes the decoded bytes (NUL-terminated, cut to outlen - 1) and
 * returns 0; -ENOENT for "(null)", "?" and "(none)"; -EINVAL if malformed. */
int rs_audit_decode_str(const char *raw, char *out, size_t outlen);
/* PROCTITLE's proctitle: hex of argv joined by NUL bytes (the NULs become
 * spaces, trailing ones dropped), or a quoted string. Returns 0, -ENOENT if
 * absent, -EINVAL if outlen is 0. */
int rs_audit_decode_proctitle(const char *raw, char *out, size_t outlen);
/* SOCKADDR's saddr (hex of a struct sockaddr): AF_INET and AF_INET6 give the
 * address and port (IPv4-mapped IPv6 stays IPv6; compare with
 * rs_addr_same_server). Returns the address family, or -EINVAL when it is
 * malformed; other families return their number and leave addr/port zero. */
int rs_audit_decode_sockaddr(const char *hex, struct rs_addr *addr, uint16_t *port);

/* PATH's dev field ("fd:01", hex major:minor) as a dev_t (makedev), or 0. */
uint64_t rs_audit_decode_dev(const char *s);

/* --- classification (pure) ------------------------------------------------ */

struct rs_audit_match {
	const char *target;   /* final path of the watched file, or NULL */
	uint64_t target_ino;  /* its inode, 0 if unknown */
	uint64_t target_dev;  /* its device (st_dev), 0 if unknown */
	const char *our_keys; /* events with keys of this prefix are about it */
};

/* The events one audit event proves: a DNS send (a SOCKADDR with port 53 on
 * connect/sendto/sendmsg/sendmmsg/socketcall), a CONFIG_STAT, CONFIG_OPEN or
 * CONFIG_WRITE of the target. Strings in out[] point into ae. Returns how many
 * were written (at most max). proc.starttime is left 0: the caller knows
 * whether the process is alive. */
size_t rs_audit_classify(const struct rs_audit_event *ae, const struct rs_audit_match *m,
			 struct rs_event *out, size_t max);
/* Whether a syscall name is a stat / open / write of a path. */
bool rs_audit_is_stat(const char *syscall);
bool rs_audit_is_open(const char *syscall);
bool rs_audit_is_write(const char *syscall);

/* --- sends on connected sockets (stateful, bounded) ----------------------- */

/* A send on a socket that was connected earlier carries no SOCKADDR record.
 * The inference table remembers, per (node, pid, fd = a0), the destination
 * of the last connect to port 53, forgets it at any later connect on that fd
 * (fds are reused, and close is rarely logged), and turns a later
 * sendto/sendmsg/sendmmsg/send/write/writev without an address on that fd
 * into a DNS_SEND marked inferred. Fixed capacity, 4-way set-associative by
 * key: a full set gives up its least recently used entry. socketcall (i386) is not followed: its fd
 * is behind a pointer. */
struct rs_audit_infer;

struct rs_audit_infer_stats {
	uint64_t learned;   /* connects to port 53 remembered */
	uint64_t forgotten; /* connects elsewhere on a remembered fd */
	uint64_t inferred;  /* DNS_SEND events made */
	uint64_t evicted;   /* entries dropped for room */
};

struct rs_audit_infer *rs_audit_infer_new(size_t capacity);
void rs_audit_infer_free(struct rs_audit_infer *ai);
/* Learn from ae, and append an inferred DNS_SEND to out[n..max) when ae is an
 * addressless send on a remembered fd. Returns the new count. Call it after
 * rs_audit_classify() with that call's out and count. */
size_t rs_audit_infer_apply(struct rs_audit_infer *ai, const struct rs_audit_event *ae,
			    struct rs_event *out, size_t n, size_t max);
const struct rs_audit_infer_stats *rs_audit_infer_stats(const struct rs_audit_infer *ai);

/* --- the feed ------------------------------------------------------------- */

struct rs_audit_feed;

/* Called for each complete event; ae is valid during the call only. */
typedef void (*rs_audit_event_fn)(void *ctx, const struct rs_audit_event *ae);

struct rs_audit_feed_stats {
	uint64_t records; /* lines (newlines) or netlink records fed */
	uint64_t events;  /* complete events handed to the callback */
	uint64_t bad;     /* chunks auparse refused */
};

struct rs_audit_feed *rs_audit_feed_new(rs_audit_event_fn fn, void *ctx);
void rs_audit_feed_free(struct rs_audit_feed *f);
/* Log text: one or more "type=... msg=audit(...): ..." lines (a partial last
 * line is kept for the next call). Returns 0, or -EINVAL when auparse refused
 * the chunk (counted in stats.bad; later chunks are still taken). */
int rs_audit_feed_text(struct rs_audit_feed *f, const char *data, size_t len);
/* One record from the kernel (netlink type and payload "audit(...): ..."). */
int rs_audit_feed_record(struct rs_audit_feed *f, int type, const char *payload, size_t len);
/* Complete events that will get no more records (call about once a second). */
void rs_audit_feed_age(struct rs_audit_feed *f);
/* Complete everything pending (end of input). */
void rs_audit_feed_flush(struct rs_audit_feed *f);
const struct rs_audit_feed_stats *rs_audit_feed_stats(const struct rs_audit_feed *f);

#endif
