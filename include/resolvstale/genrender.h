/* Rendering of generations and file events, shared by the live event log
 * (daemon) and `history`: one JSON object shape, one text shape. Every string
 * that came from the file system or a process is escaped here. */
#ifndef RESOLVSTALE_GENRENDER_H
#define RESOLVSTALE_GENRENDER_H

#include <stdbool.h>

#include "resolvstale/generation.h"
#include "resolvstale/json.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/sbuf.h"

/* The members of a generation's JSON object (the caller opens and closes the
 * object, so that it can add its own members such as "event"). prev (may be
 * NULL) adds "previous_nameservers". */
void rs_render_generation_json(struct rs_json *j, const struct rs_generation *g,
			       const struct rs_generation *prev);
/* Only the configuration members: nameservers, default_nameserver,
 * ignored_nameservers, search, options, sortlist, file, n_warnings, warnings. */
void rs_render_config_json(struct rs_json *j, const struct rs_generation *g);
/* {"pid":..,"starttime":..,"comm":..,"exe":..,"uid":..,"auid":..} or null. */
void rs_render_writer_json(struct rs_json *j, const struct rs_writer *w);
/* The members of a file event's JSON object. */
void rs_render_file_event_json(struct rs_json *j, const struct rs_file_event *e);

/* "nameservers A B (was C D); retired C; added B; search x (was y)": what
 * changed, on one line, for the text event log. */
void rs_render_generation_summary(struct rs_sbuf *sb, const struct rs_generation *g,
				  const struct rs_generation *prev);
/* The effective configuration of g as a diff against prev (NULL: all lines
 * unchanged), one line per setting: "  - nameserver 10.0.0.1", "  + ...",
 * "    search example.com". Each line starts with indent. */
void rs_render_generation_diff(struct rs_sbuf *sb, const struct rs_generation *g,
			       const struct rs_generation *prev, const char *indent);
/* Stored warnings ("LINE CODE DETAIL" lines) as text, one per output line:
 * prefix + "line N: DETAIL [CODE]" + suffix, escaped. */
void rs_render_warnings_text(struct rs_sbuf *sb, const char *warnings, const char *prefix,
			     const char *suffix);
/* The members describing a process: pid, starttime, start_time (RFC 3339),
 * ppid, uid, auid, comm, exe, cmdline, unit, user_unit, container
 * ({kind,id,pod_uid} or null), netns, mntns, config_domain,
 * config_nameservers (its own file's, for another config domain). */
void rs_render_facts_json(struct rs_json *j, const struct rs_proc_facts *f);
/* "pid 123 (sed) uid 0 auid 1000 exe /usr/bin/sed", escaped. */
void rs_render_writer_text(struct rs_sbuf *sb, const struct rs_writer *w);

#endif
