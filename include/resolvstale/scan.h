/* `resolvstale scan`: one look at the host, no daemon needed.
 *
 * Lists every process holding a socket to port 53 (in every network
 * namespace), with the server, protocol, state, unit or container and the
 * resolver runtime with its reload rule, and marks the ones talking to a
 * retired resolver. Then lists the processes at risk: alive since before the
 * watched file last changed, reading that file, and running a resolver that
 * reads the configuration once (a c-ares channel, a JNDI context, glibc with
 * no-reload, dnsmasq --no-poll ...): they will use the old servers at their
 * next lookup although nothing shows it yet.
 *
 * A retired loopback address (127/8, ::1) names another server in every
 * network namespace: a socket to it counts only in processes that read the
 * watched file (same config domain).
 */
#ifndef RESOLVSTALE_SCAN_H
#define RESOLVSTALE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/sock.h"

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
	const char *retired_from; /* "--retired", "the store (generations 0-3)", ... */
	bool use_sockdiag;
	bool at_risk; /* look for at-risk processes (reads every process's runtime) */
	enum rs_scan_format format;
};

struct rs_scan_proc {
	struct rs_proc_facts facts;
	struct rs_runtime rt;
	bool have_rt;
	bool at_risk;
	char reason[192]; /* why at risk */
};

struct rs_scan_socket {
	int fd;
	struct rs_sock sock;
	bool retired;
	size_t proc; /* index into procs */
};

struct rs_scan_result {
	int64_t time_ns;
	char *chain; /* where the watched path leads */
	uint64_t conf_dev, conf_ino;
	int64_t conf_mtime_ns;
	struct rs_addr nameservers[3];
	size_t n_nameservers;
	struct rs_scan_proc *procs;
	size_t n_procs;
	struct rs_scan_socket *sockets;
	size_t n_sockets;
	size_t n_retired_sockets, n_at_risk;
	uint64_t processes_examined; /* for at-risk */
	uint64_t scan_processes, scan_namespaces, scan_gone;
};

/* Run the scan. Returns 0, or a negative errno with a one-line reason in
 * err. Free the result with rs_scan_free. */
int rs_scan_run(const struct rs_scan_opts *o, struct rs_scan_result **out, char *err,
		size_t errlen);
void rs_scan_free(struct rs_scan_result *r);
/* Text for a terminal or JSON (schema 1), into out. */
void rs_scan_render(const struct rs_scan_result *r, const struct rs_scan_opts *o,
		    struct rs_sbuf *out);

#endif
