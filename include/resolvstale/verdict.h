/* Verdicts: what a process did about a change of resolv.conf (DESIGN.md §5).
 *
 * rs_verdict_decide() is a pure function: the generation (time of the change,
 * retired and current nameservers, grace), what is known about the process
 * (start, config domain, resolver runtime, whether it exited) and its
 * evidence aggregated since the change go in; one verdict, the reason that
 * decided it and the numbers the report shows come out. The same input gives
 * the same output, so the daemon, the report and the unit tests agree.
 *
 * Precedence (the first that applies wins):
 *   stale        a DNS send to a retired address, or a socket connected to
 *                one, after T + grace (and not followed by a clean switch)
 *   recovered    stale, then only sends to the current servers
 *   other-config reads another resolv.conf (container, chroot) and shows no
 *                stale evidence
 *   unaffected   started after the change (read the new file)
 *   reloaded     opened the file after the change, or sent only to current
 *                servers
 *   at-risk      alive since before the change, idle, and its resolver reads
 *                the configuration once
 *   unaffected   everything else (its runtime re-reads on use, or it is not
 *                a DNS client we recognise)
 *
 * A process whose evidence shows two resolver paths at once (sends to the
 * current servers, then to a retired one again: node's dns.lookup moved on,
 * its c-ares channel did not) stays stale: the worse of the two.
 *
 * A retired loopback address (127/8, ::1) names another server in each
 * network namespace: it counts only when the caller says the process's
 * namespace is one where the watched file is read (loopback_ok).
 */
#ifndef RESOLVSTALE_VERDICT_H
#define RESOLVSTALE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/event.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/runtime.h"

enum rs_verdict {
	RS_V_NONE = 0,
	RS_V_STALE,
	RS_V_RECOVERED,
	RS_V_RELOADED,
	RS_V_AT_RISK,
	RS_V_UNAFFECTED,
	RS_V_OTHER_CONFIG,
	RS_V_COUNT,
};

const char *rs_verdict_name(enum rs_verdict v); /* "stale", "at-risk" ... */
/* The verdict named s, or RS_V_NONE. */
enum rs_verdict rs_verdict_from_name(const char *s);

/* What a row of evidence is about. */
enum rs_ev_kind {
	RS_EK_SEND = 1, /* "dns_send": connect/sendto/sendmsg to port 53 */
	RS_EK_SOCKET,   /* "socket": a socket to port 53 held, seen by a scan */
	RS_EK_OPEN,     /* "config_open": opened the watched file */
	RS_EK_STAT,     /* "config_stat": stat()ed it */
};

const char *rs_ev_kind_name(enum rs_ev_kind k);
enum rs_ev_kind rs_ev_kind_from_name(const char *s); /* 0 if unknown */

/* Evidence aggregated per (kind, source, destination, port, protocol,
 * syscall): first and last time and how many. */
struct rs_evidence {
	enum rs_ev_kind kind;
	enum rs_source source;
	struct rs_addr dst; /* family 0 for config events */
	uint16_t port;
	enum rs_proto proto;
	char syscall[24];
	bool inferred; /* destination taken from an earlier connect */
	int64_t first_ns, last_ns;
	uint64_t count;
};

/* The change a verdict is about. */
struct rs_vgen {
	int64_t t_ns;     /* when the change was seen */
	int64_t grace_ns; /* sends up to t_ns + grace_ns were in flight */
	const struct rs_addr *retired;
	size_t n_retired;
	const struct rs_addr *current; /* the nameservers in force */
	size_t n_current;
};

/* The order of sends since the change, which aggregates cannot show: the
 * engine counts them as events arrive. */
struct rs_vseq {
	int64_t last_stale_ns; /* the last stale send after T + grace, 0 if none */
	uint64_t new_after;    /* sends to current servers after last_stale_ns */
	uint64_t new_before;   /* sends to current servers before a stale one */
};

/* What is known of the process. Unknown values are 0 / NULL / false. */
struct rs_vproc {
	int64_t start_ns;      /* wall-clock start; 0 if unknown */
	int64_t first_seen_ns; /* first evidence or observation of it */
	bool exited;
	enum rs_config_domain domain;
	const char *config_ns; /* other domain: the nameservers its own file lists */
	const char *cmdline;
	bool loopback_ok; /* a retired loopback address counts for it */
	bool have_runtime;
	enum rs_runtime_kind runtime;
	struct rs_runtime_path primary, second;
};

#define RS_VERDICT_REASON_MAX 320

struct rs_vresult {
	enum rs_verdict verdict;
	char reason[RS_VERDICT_REASON_MAX];
	int64_t last_stale_ns;    /* latest stale send or socket sighting, 0 if none */
	uint64_t stale_count;     /* stale sends + socket sightings */
	bool explicit_server;     /* the retired address was given to it explicitly */
	bool own_file_lists;      /* another config domain whose file lists it */
	struct rs_addr stale_dst; /* a retired address it used (family 0 if none) */
};

/* Whether a row of evidence is stale under gen for proc: a send or socket to
 * a retired address (loopback only with loopback_ok), port 53, after T + grace
 * (after T for a process started after the change: it had nothing in flight). */
bool rs_evidence_is_stale(const struct rs_evidence *e, const struct rs_vgen *gen,
			  const struct rs_vproc *proc);
/* Whether addr is in the list. */
bool rs_addr_in(const struct rs_addr *addr, const struct rs_addr *list, size_t n);

void rs_verdict_decide(const struct rs_vgen *gen, const struct rs_vproc *proc,
		       const struct rs_evidence *ev, size_t n_ev, const struct rs_vseq *seq,
		       struct rs_vresult *out);

/* --- what to do about it --------------------------------------------------- */

/* What the action is computed from (all strings may be NULL). */
struct rs_action_in {
	enum rs_verdict verdict;
	bool alive;
	int32_t pid;
	const char *exe, *comm, *cmdline;
	const char *unit; /* systemd unit ("x.service", "session-3.scope") */
	bool user_unit;
	int64_t unit_uid; /* the user of a user unit, -1 if unknown */
	const char *container_kind, *container_id;
	enum rs_config_domain domain;
	enum rs_runtime_kind runtime;
	bool explicit_server;
	bool own_file_lists;
};

/* One line: "systemctl restart nginx.service", "docker restart 3f2a...",
 * "kill -HUP 812 (dnsmasq re-reads its upstream servers)", ... */
void rs_verdict_action(const struct rs_action_in *in, char *buf, size_t len);
/* Whether unit names a restartable service (".service", not a scope or the
 * user manager itself). */
bool rs_unit_is_service(const char *unit);

#endif
