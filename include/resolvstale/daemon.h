/* `resolvstale daemon`: the single-threaded event loop that records every
 * change of resolv.conf as a generation in the store. */
#ifndef RESOLVSTALE_DAEMON_H
#define RESOLVSTALE_DAEMON_H

#include <stdbool.h>

#include "resolvstale/addr.h"
#include "resolvstale/ebpf_src.h"
#include "resolvstale/eventlog.h"

#define RS_DAEMON_MAX_RETIRED 32

struct rs_daemon_opts {
	const char *resolv_conf; /* absolute path of the watched file */
	const char *db_path;
	enum rs_log_format log_format;
	unsigned settle_ms;        /* quiet time before reading after an event */
	unsigned persist_ms;       /* how long an empty/missing file must last */
	unsigned flush_ms;         /* longest time a write waits in a transaction */
	unsigned sources;          /* evidence sources: bit (1u << enum rs_source) */
	bool sources_explicit;     /* --sources given: a source that fails is an error */
	bool audit_register;       /* read audit as the registered audit daemon */
	unsigned log_evidence;     /* evidence event types logged (eventlog.h) */
	unsigned scan_interval_ms; /* /proc scans between the triggered ones */
	unsigned grace_ms;         /* sends this long after a change were in flight */
	struct rs_addr retired[RS_DAEMON_MAX_RETIRED]; /* --retired */
	size_t n_retired;
	const char *metrics_file;  /* Prometheus text file, or NULL */
	unsigned keep_generations; /* evidence of older generations is pruned */
	bool audit_stdin;          /* audit-plugin: audit records come from auditd on
				    * stdin instead of the kernel */
	const char *local_node;    /* audit-plugin: this host's node= name (NULL:
				    * the host name) */
	bool log_stderr;           /* the event log on stderr (stdout is auditd's) */
	uint64_t audit_window_ms;  /* audit conf (and send) rules after a change */
	bool audit_always;         /* every audit rule all the time */
	enum rs_fence fence;       /* the eBPF tripwire's fence */
};

/* Run until SIGTERM or SIGINT. Prints the event log on stdout and one-line
 * errors on stderr. Returns the process exit status: 0 after a clean stop, 2
 * when it could not start or had to stop on an error. */
int rs_daemon_run(const struct rs_daemon_opts *opts);

#endif
