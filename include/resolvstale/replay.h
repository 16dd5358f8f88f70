/* `resolvstale replay`: verdicts from audit logs that already exist.
 *
 * Reads audit log files (raw or enriched, rotated pieces in any order: they
 * are put in the order of their first record's time, and an event whose
 * records straddle two pieces is joined), whatever rules and keys produced
 * them: a DNS send is a SOCKADDR with port 53 on connect, sendto, sendmsg,
 * sendmmsg or i386 socketcall; a send without an address on a socket
 * connected to port 53 earlier in the log is attributed to that destination
 * and marked inferred; opens, stats and writes of the watched file come from
 * PATH records. Lines that are not audit records are counted and skipped.
 *
 * The changes come from a store with history (--db: its generations) or
 * from --retired (one change from the start of the log); writes of the
 * watched file seen in the log are listed with their time and writer.
 *
 * Records with a node=NAME prefix (auditd name_format, remote logging to a
 * central auditd) are kept apart: one engine and one temporary store per
 * node, a report per node and a summary.
 *
 * Streaming: files are read in chunks, processes idle for a minute of log
 * time are written out and forgotten, so memory does not grow with the size
 * of the logs (the temporary stores on disk do).
 */
#ifndef RESOLVSTALE_REPLAY_H
#define RESOLVSTALE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "resolvstale/addr.h"
#include "resolvstale/report.h"

#define RS_REPLAY_MAX_RETIRED 32
#define RS_REPLAY_MAX_NODES   1024

struct rs_replay_opts {
	const char *const *files;
	size_t n_files;
	struct rs_addr retired[RS_REPLAY_MAX_RETIRED];
	size_t n_retired;
	const char *db;             /* a store whose generations to use, or NULL */
	const char *resolv_conf;    /* the watched path (default /etc/resolv.conf) */
	int64_t since_ns, until_ns; /* 0: unbounded */
	const char *node;           /* only this node ("" = records without node=) */
	int64_t generation;         /* -1: the generation in force at the end of the logs */
	int64_t grace_ns;
	const char *keep_dir; /* keep the per-node stores here (NULL: temporary) */
	struct rs_report_opts report;
};

struct rs_replay_stats {
	uint64_t files, bytes, lines, garbage, records, events, dns_sends, inferred;
	uint64_t config, writes, outside, nodes;
	uint64_t own; /* events of resolvstale itself, skipped */
	double seconds;
};

/* Replay and write the report(s) to out. Returns the exit status the report
 * stands for (0/1, or the Nagios state), or -1 after writing a one-line error
 * into err (unreadable file, no change to judge, store errors). */
int rs_replay_run(const struct rs_replay_opts *o, FILE *out, struct rs_replay_stats *stats,
		  char *err, size_t errlen);

#endif
