/* The daemon's live event log: text or JSON lines. */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/escape.h"
#include "resolvstale/eventlog.h"
#include "resolvstale/genrender.h"
#include "resolvstale/json.h"
#include "resolvstale/timefmt.h"

void rs_eventlog_init(struct rs_eventlog *log, FILE *out, enum rs_log_format format)
{
	memset(log, 0, sizeof(*log));
	log->out = out;
	log->format = format;
}

static void emit(struct rs_eventlog *log, struct rs_sbuf *sb)
{
	if (rs_sbuf_failed(sb)) {
		log->write_errors++;
		return;
	}
	rs_sbuf_putc(sb, '\n');
	if (fwrite(sb->buf, 1, sb->len, log->out) != sb->len || fflush(log->out) != 0) {
		log->write_errors++;
		clearerr(log->out);
	}
}

/* Text lines start with the local time; JSON objects with the event name and,
 * unless with_time is false (the renderer writes it), the time. */
static void begin(struct rs_eventlog *log, struct rs_sbuf *sb, struct rs_json *j, const char *event,
		  int64_t ns, bool with_time)
{
	char t[RS_TIME_BUF];

	if (log->format == RS_LOG_JSON) {
		rs_json_init(j, sb);
		rs_json_obj_begin(j);
		rs_json_kv_str(j, "event", event);
		if (with_time)
			rs_json_kv_str(j, "time", rs_time_rfc3339(ns, t, sizeof(t)));
	} else {
		rs_sbuf_puts(sb, rs_time_local(ns, t, sizeof(t)));
		rs_sbuf_putc(sb, ' ');
	}
}

static void text_escaped(struct rs_sbuf *sb, const char *s)
{
	rs_escape_text(sb, s ? s : "", s ? strlen(s) : 0);
}

void rs_eventlog_start(struct rs_eventlog *log, const struct rs_start_info *info)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	begin(log, &sb, &j, "daemon_start", rs_time_now_ns(), true);
	if (log->format == RS_LOG_JSON) {
		rs_json_kv_str(&j, "version", info->version);
		rs_json_kv_int(&j, "pid", getpid());
		rs_json_kv_str(&j, "path", info->path);
		rs_json_kv_str(&j, "chain", info->chain);
		rs_json_kv_str(&j, "db", info->db);
		rs_json_kv_int(&j, "generation", info->generation);
		rs_json_kv_bool(&j, "resumed", info->resumed);
		rs_json_kv_uint(&j, "watches", info->watches);
		rs_json_obj_end(&j);
	} else {
		rs_sbuf_printf(&sb, "resolvstale %s started (pid %d): watching ", info->version,
			       (int)getpid());
		text_escaped(&sb, info->chain);
		rs_sbuf_printf(&sb, " (%zu directories); generation %lld (%s); store ",
			       info->watches, (long long)info->generation,
			       info->resumed ? "resumed" : "new store");
		text_escaped(&sb, info->db);
	}
	emit(log, &sb);
	rs_sbuf_free(&sb);
}

/* One text line per warning of a new generation. */
static void text_warnings(struct rs_eventlog *log, const struct rs_generation *g)
{
	struct rs_sbuf prefix = RS_SBUF_INIT, lines = RS_SBUF_INIT;
	char t[RS_TIME_BUF];
	const char *p;

	if (g->warnings == NULL || g->warnings[0] == '\0')
		return;
	rs_sbuf_puts(&prefix, rs_time_local(g->time_ns, t, sizeof(t)));
	rs_sbuf_puts(&prefix, " warning: ");
	text_escaped(&prefix, g->target && g->target[0] ? g->target : g->path);
	rs_sbuf_putc(&prefix, ' ');
	rs_render_warnings_text(&lines, g->warnings, rs_sbuf_str(&prefix), "\n");
	/* emit() adds the final newline and flushes: hand it one line at a time. */
	p = rs_sbuf_str(&lines);
	while (*p != '\0') {
		struct rs_sbuf one = RS_SBUF_INIT;
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		rs_sbuf_append(&one, p, n);
		emit(log, &one);
		rs_sbuf_free(&one);
		p += n + (nl ? 1 : 0);
	}
	rs_sbuf_free(&prefix);
	rs_sbuf_free(&lines);
}

void rs_eventlog_generation(struct rs_eventlog *log, const struct rs_generation *g,
			    const struct rs_generation *prev)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	begin(log, &sb, &j, "config_change", g->time_ns, false);
	if (log->format == RS_LOG_JSON) {
		rs_render_generation_json(&j, g, prev);
		rs_json_obj_end(&j);
		emit(log, &sb);
	} else {
		rs_sbuf_printf(&sb, "generation %lld%s: ", (long long)g->number,
			       g->at_start ? " (changed while not watched)" : "");
		rs_render_generation_summary(&sb, g, prev);
		if (g->writer.known) {
			rs_sbuf_puts(&sb, "; written by ");
			rs_render_writer_text(&sb, &g->writer);
		}
		rs_sbuf_puts(&sb, " [");
		text_escaped(&sb, g->target && g->target[0] ? g->target : g->path);
		rs_sbuf_putc(&sb, ']');
		emit(log, &sb);
		text_warnings(log, g);
	}
	rs_sbuf_free(&sb);
}

void rs_eventlog_file_event(struct rs_eventlog *log, const struct rs_file_event *e)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	begin(log, &sb, &j, "config_file", e->time_ns, false);
	if (log->format == RS_LOG_JSON) {
		rs_render_file_event_json(&j, e);
		rs_json_obj_end(&j);
	} else {
		rs_sbuf_puts(&sb, "file ");
		text_escaped(&sb, e->target && e->target[0] ? e->target : e->path);
		rs_sbuf_printf(&sb, " %s (seen: %s); configuration unchanged, generation %lld",
			       rs_file_change_name(e->change),
			       e->reasons && e->reasons[0] ? e->reasons : "-",
			       (long long)e->generation);
		if (e->writer.known) {
			rs_sbuf_puts(&sb, "; by ");
			rs_render_writer_text(&sb, &e->writer);
		}
	}
	emit(log, &sb);
	rs_sbuf_free(&sb);
}

void rs_eventlog_notice(struct rs_eventlog *log, const char *level, const char *message)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	begin(log, &sb, &j, level, rs_time_now_ns(), true);
	if (log->format == RS_LOG_JSON) {
		rs_json_kv_str(&j, "message", message);
		rs_json_obj_end(&j);
	} else {
		rs_sbuf_printf(&sb, "%s: ", level);
		text_escaped(&sb, message);
	}
	emit(log, &sb);
	rs_sbuf_free(&sb);
}

void rs_eventlog_stop(struct rs_eventlog *log, const char *reason, int64_t generation)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	begin(log, &sb, &j, "daemon_stop", rs_time_now_ns(), true);
	if (log->format == RS_LOG_JSON) {
		rs_json_kv_str(&j, "reason", reason);
		rs_json_kv_int(&j, "generation", generation);
		rs_json_obj_end(&j);
	} else {
		rs_sbuf_printf(&sb, "resolvstale stopped (%s) at generation %lld", reason,
			       (long long)generation);
	}
	emit(log, &sb);
	rs_sbuf_free(&sb);
}
