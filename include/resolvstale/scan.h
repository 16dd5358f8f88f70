/* `resolvstale scan`: one look at the host, no daemon needed.
 *
 * Lists every process holding a socket to port 53 (in every network
 * namespace), with the server, protocol, state, unit or container and the
 * resolver runtime with its reload rule, and marks the ones talking to a
 * retired resolver. Then lists the processes at risk: alive since before the
 * watched file last changed, reading that file, and resolving through code
 * that reads the configuration once (a c-ares channel, glibc with no-reload,
 * dnsmasq --no-poll ...): they will use the old servers at their next lookup
 * although nothing shows it yet.
 *
 * A retired loopback address (127/8, ::1) names another server in every
 * network namespace: a socket to it counts only in processes that read the
 * watched file (the same config domain).
 *
 * The report is written as the scan goes, one process at a time: memory does
 * not grow with the number of processes or sockets.
 */
#ifndef RESOLVSTALE_SCAN_H
#define RESOLVSTALE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "resolvstale/addr.h"

#define RS_SCAN_MAX_RETIRED 64

enum rs_scan_format {
	RS_SCAN_TEXT,
	RS_SCAN_JSON,
};

struct rs_scan_opts {
	const char *proc_root;   /* NULL: /proc */
	const char *resolv_conf; /* absolute path of the watched file */
	struct rs_addr retired[RS_SCAN_MAX_RETIRED];
	size_t n_retired;
	const char *retired_from; /* "--retired", "generations 0-3 in ...", ... */
	bool use_sockdiag;
	bool at_risk; /* look for at-risk processes (reads every older process's runtime) */
	enum rs_scan_format format;
};

struct rs_scan_summary {
	uint64_t sockets;          /* sockets to port 53 */
	uint64_t retired_sockets;  /* of them, to a retired resolver */
	uint64_t processes;        /* processes holding them */
	uint64_t retired_processes; /* processes with a socket to a retired resolver */
	uint64_t at_risk;
	uint64_t examined;         /* processes examined for risk */
};

/* Scan and write the report to out. Returns 0, -EIO when writing failed, or
 * another negative errno with a one-line reason in err (nothing written
 * then, or a partial report). */
int rs_scan_run(const struct rs_scan_opts *o, FILE *out, struct rs_scan_summary *sum, char *err,
		size_t errlen);

#endif
