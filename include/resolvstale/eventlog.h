/* The daemon's live event log: one line per event on a stream (stdout, the
 * journal under systemd), as text for people or JSON lines for machines.
 * Every line is written whole and flushed at once. */
#ifndef RESOLVSTALE_EVENTLOG_H
#define RESOLVSTALE_EVENTLOG_H

#include <stdint.h>
#include <stdio.h>

#include "resolvstale/event.h"
#include "resolvstale/generation.h"

enum rs_log_format {
	RS_LOG_TEXT,
	RS_LOG_JSON,
};

struct rs_eventlog {
	FILE *out;
	enum rs_log_format format;
	unsigned evidence_types; /* bit (1u << enum rs_event_type) of evidence events logged */
	uint64_t write_errors;   /* lines that could not be written (closed stdout) */
};

/* Evidence events logged by default: all of them. */
#define RS_LOG_ALL_EVIDENCE (~0u)

struct rs_start_info {
	const char *version;
	const char *path;  /* watched path */
	const char *chain; /* where it leads now */
	const char *db;
	int64_t generation; /* current generation number */
	int resumed;        /* the store already had generations */
	size_t watches;     /* directories watched */
	const char *sources; /* evidence sources running: "fanotify,audit", "" */
};

void rs_eventlog_init(struct rs_eventlog *log, FILE *out, enum rs_log_format format);
void rs_eventlog_start(struct rs_eventlog *log, const struct rs_start_info *info);
/* A new generation; prev (NULL for the first) is the one it replaces. */
void rs_eventlog_generation(struct rs_eventlog *log, const struct rs_generation *g,
			    const struct rs_generation *prev);
void rs_eventlog_file_event(struct rs_eventlog *log, const struct rs_file_event *e);
/* An evidence event from a source (dns_send, config_open, events_lost...),
 * if its type is in log->evidence_types. */
void rs_eventlog_event(struct rs_eventlog *log, const struct rs_event *ev);
/* Something the operator should know ("warning") or a failure ("error"):
 * {"event":"warning","time":..,"message":..}. */
void rs_eventlog_notice(struct rs_eventlog *log, const char *level, const char *message);
void rs_eventlog_stop(struct rs_eventlog *log, const char *reason, int64_t generation);

#endif
