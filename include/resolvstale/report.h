/* `report` and `services`: rendering what reportdata.h loaded.
 *
 * Report formats: text for a terminal (header, one row per process, short-
 * lived processes of the same parent and exe in one row, colour only when
 * asked), JSON (schema 1, documented in the README; every pid listed), CSV
 * (one row per process) and a Nagios plugin line with perfdata.
 */
#ifndef RESOLVSTALE_REPORT_H
#define RESOLVSTALE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "resolvstale/json.h"
#include "resolvstale/reportdata.h"

enum rs_report_format {
	RS_REPORT_TEXT,
	RS_REPORT_JSON,
	RS_REPORT_CSV,
	RS_REPORT_NAGIOS,
};

enum rs_fail_on {
	RS_FAIL_STALE,
	RS_FAIL_AT_RISK,
	RS_FAIL_NEVER,
};

struct rs_report_opts {
	enum rs_report_format format;
	enum rs_fail_on fail_on;
	bool color; /* ANSI colours (text, on a terminal) */
	bool all;   /* text: list unaffected processes too */
	/* Extra JSON members (after "lost_events") and extra text header lines,
	 * from a caller that knows more (replay: files, records, writes). */
	void (*json_extra)(void *ctx, struct rs_json *j);
	void (*text_extra)(void *ctx, struct rs_sbuf *sb);
	void *extra_ctx;
	const char *csv_node; /* CSV: a first column "node" with this value */
	bool csv_no_header;   /* CSV: rows only */
};

/* Nagios plugin states. */
enum {
	RS_NAGIOS_OK = 0,
	RS_NAGIOS_WARNING = 1,
	RS_NAGIOS_CRITICAL = 2,
	RS_NAGIOS_UNKNOWN = 3,
};

/* The exit status the report stands for: 0 compliant, 1 not (per fail_on);
 * for the Nagios format the plugin state. */
int rs_report_status(const struct rs_rdata *d, const struct rs_report_opts *o);
/* Write the report. Returns 0 or -EIO (output failed), -ENOMEM. */
int rs_report_write(const struct rs_rdata *d, const struct rs_report_opts *o, FILE *out);
/* The Nagios line for a store that could not be read. */
void rs_report_nagios_unknown(const char *why, FILE *out);

/* `services`: what to restart, deduplicated. json: the JSON form. */
int rs_services_write(const struct rs_rdata *d, bool json, bool color, FILE *out);

#endif
