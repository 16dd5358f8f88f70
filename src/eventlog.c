/* The daemon's live event log: text or JSON lines. */
#include <stdbool.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "resolvstale/escape.h"
#include "resolvstale/eventlog.h"
#include "resolvstale/genrender.h"
#include "resolvstale/json.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sock.h"
#include "resolvstale/timefmt.h"

void rs_eventlog_init(struct rs_eventlog *log, FILE *out, enum rs_log_format format)
{
	memset(log, 0, sizeof(*log));
	log->out = out;
	log->format = format;
	log->evidence_types = RS_LOG_ALL_EVIDENCE;
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
		rs_json_key(&j, "sources");
		rs_json_arr_begin(&j);
		for (const char *p = info->sources ? info->sources : ""; *p != '\0';) {
			size_t n = strcspn(p, ",");
			if (n > 0)
				rs_json_strn(&j, p, n);
			p += n + (p[n] == ',' ? 1 : 0);
		}
		rs_json_arr_end(&j);
		rs_json_obj_end(&j);
	} else {
		rs_sbuf_printf(&sb, "resolvstale %s started (pid %d): watching ", info->version,
			       (int)getpid());
		text_escaped(&sb, info->chain);
		rs_sbuf_printf(&sb, " (%zu directories); generation %lld (%s); sources %s; store ",
			       info->watches, (long long)info->generation,
			       info->resumed ? "resumed" : "new store",
			       info->sources && info->sources[0] ? info->sources : "none");
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

static void json_proc(struct rs_json *j, const struct rs_proc *p)
{
	rs_json_kv_int(j, "pid", p->pid);
	if (p->starttime != 0)
		rs_json_kv_uint(j, "starttime", p->starttime);
	else
		rs_json_kv_str(j, "starttime", NULL);
	rs_json_key(j, "ppid");
	if (p->ppid >= 0)
		rs_json_int(j, p->ppid);
	else
		rs_json_null(j);
	rs_json_key(j, "uid");
	if (p->uid >= 0)
		rs_json_int(j, p->uid);
	else
		rs_json_null(j);
	rs_json_key(j, "auid");
	if (p->auid >= 0)
		rs_json_int(j, p->auid);
	else
		rs_json_null(j);
	rs_json_kv_str(j, "comm", p->comm);
	rs_json_kv_str(j, "exe", p->exe);
}

static void text_proc(struct rs_sbuf *sb, const struct rs_proc *p)
{
	rs_sbuf_printf(sb, "pid %d (", (int)p->pid);
	text_escaped(sb, p->comm ? p->comm : "?");
	rs_sbuf_putc(sb, ')');
	if (p->uid >= 0)
		rs_sbuf_printf(sb, " uid %lld", (long long)p->uid);
}

void rs_eventlog_event(struct rs_eventlog *log, const struct rs_event *ev)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char dst[RS_ADDR_STRLEN];
	struct rs_json j;

	if (ev->type >= 32 || !(log->evidence_types & (1u << ev->type)))
		return;
	/* Every scan sees the same sockets again: log them when they appear. */
	if (ev->type == RS_EV_SOCKET_SEEN && !ev->u.socket.first)
		return;
	begin(log, &sb, &j, rs_event_type_name(ev->type), ev->time_ns, true);
	if (log->format == RS_LOG_JSON) {
		rs_json_kv_str(&j, "source", rs_source_name(ev->source));
		/* PROCESS_INFO carries the full facts, identity included. */
		if (ev->type != RS_EV_EVENTS_LOST && ev->type != RS_EV_PROCESS_INFO)
			json_proc(&j, &ev->proc);
	} else {
		rs_sbuf_printf(&sb, "%s [%s] ", rs_event_type_name(ev->type),
			       rs_source_name(ev->source));
		if (ev->type != RS_EV_EVENTS_LOST)
			text_proc(&sb, &ev->proc);
	}
	switch (ev->type) {
	case RS_EV_DNS_SEND:
		rs_addr_format(&ev->u.dns.dst, dst, sizeof(dst));
		if (log->format == RS_LOG_JSON) {
			rs_json_kv_str(&j, "syscall", ev->u.dns.syscall);
			rs_json_kv_str(&j, "dst", dst);
			rs_json_kv_uint(&j, "port", ev->u.dns.port);
			rs_json_kv_str(&j, "proto", rs_proto_name(ev->u.dns.proto));
			rs_json_kv_str(&j, "error", ev->u.dns.err ? strerror(ev->u.dns.err) : NULL);
			if (ev->u.dns.fd >= 0)
				rs_json_kv_int(&j, "fd", ev->u.dns.fd);
			if (ev->u.dns.inferred)
				rs_json_kv_bool(&j, "inferred", true);
			if (ev->u.dns.count > 1)
				rs_json_kv_uint(&j, "count", ev->u.dns.count);
			if (ev->u.dns.fenced)
				rs_json_kv_bool(&j, "fenced", true);
		} else {
			rs_sbuf_printf(&sb, ": %s %s%s%s:%u%s%s%s%s", ev->u.dns.syscall,
				       ev->u.dns.dst.family == AF_INET6 ? "[" : "", dst,
				       ev->u.dns.dst.family == AF_INET6 ? "]" : "", ev->u.dns.port,
				       ev->u.dns.proto != RS_PROTO_UNKNOWN ? "/" : "",
				       ev->u.dns.proto != RS_PROTO_UNKNOWN
					       ? rs_proto_name(ev->u.dns.proto)
					       : "",
				       ev->u.dns.err ? " failed: " : "",
				       ev->u.dns.err ? strerror(ev->u.dns.err) : "");
			if (ev->u.dns.count > 1)
				rs_sbuf_printf(&sb, " (x%u)", (unsigned)ev->u.dns.count);
			if (ev->u.dns.fenced)
				rs_sbuf_printf(&sb, " fenced");
		}
		break;
	case RS_EV_CONFIG_OPEN:
	case RS_EV_CONFIG_STAT:
	case RS_EV_CONFIG_WRITE:
		if (log->format == RS_LOG_JSON) {
			rs_json_kv_str(&j, "syscall", ev->u.config.syscall);
			rs_json_kv_str(&j, "path", ev->u.config.path);
			rs_json_kv_str(&j, "error",
				       ev->u.config.err ? strerror(ev->u.config.err) : NULL);
		} else {
			rs_sbuf_printf(&sb, ": %s ", ev->u.config.syscall ? ev->u.config.syscall : "?");
			text_escaped(&sb, ev->u.config.path);
			if (ev->u.config.err)
				rs_sbuf_printf(&sb, " failed: %s", strerror(ev->u.config.err));
		}
		break;
	case RS_EV_SOCKET_SEEN: {
		const struct rs_sock *k = ev->u.socket.sock;
		char local[RS_ADDR_STRLEN];

		rs_addr_format(&k->remote, dst, sizeof(dst));
		rs_addr_format(&k->local, local, sizeof(local));
		if (log->format == RS_LOG_JSON) {
			rs_json_kv_int(&j, "fd", ev->u.socket.fd);
			rs_json_kv_str(&j, "proto", rs_proto_name(k->proto));
			rs_json_kv_str(&j, "local", local);
			rs_json_kv_uint(&j, "lport", k->lport);
			rs_json_kv_str(&j, "remote", dst);
			rs_json_kv_uint(&j, "rport", k->rport);
			rs_json_kv_str(&j, "state", rs_sock_state_name(k->proto, k->state));
			rs_json_kv_uint(&j, "inode", k->inode);
			rs_json_kv_uint(&j, "netns", k->netns);
		} else {
			rs_sbuf_printf(&sb, ": %s %s%s%s:%u %s (fd %d)", rs_proto_name(k->proto),
				       k->remote.family == AF_INET6 ? "[" : "", dst,
				       k->remote.family == AF_INET6 ? "]" : "", k->rport,
				       rs_sock_state_name(k->proto, k->state), ev->u.socket.fd);
		}
		break;
	}
	case RS_EV_PROCESS_INFO: {
		const struct rs_proc_facts *f = ev->u.info.facts;
		const struct rs_runtime *rt = ev->u.info.runtime;
		char where[128], rule[48];

		if (log->format == RS_LOG_JSON) {
			rs_render_facts_json(&j, f);
			if (rt != NULL)
				rs_runtime_json(&j, rt);
			else
				rs_json_kv_str(&j, "runtime", NULL);
		} else {
			rs_proc_facts_where(f, where, sizeof(where));
			rs_sbuf_puts(&sb, ": ");
			text_escaped(&sb, where);
			rs_sbuf_printf(&sb, "; config %s", rs_config_domain_name(f->domain));
			if (rt != NULL)
				rs_sbuf_printf(&sb, "; %s %s", rs_runtime_kind_name(rt->kind),
					       rs_runtime_path_rule(&rt->primary, rule, sizeof(rule)));
			if (f->id.exe != NULL) {
				rs_sbuf_puts(&sb, "; exe ");
				text_escaped(&sb, f->id.exe);
			}
		}
		break;
	}
	case RS_EV_EVENTS_LOST:
		if (log->format == RS_LOG_JSON) {
			rs_json_kv_uint(&j, "count", ev->u.lost.count);
			rs_json_kv_str(&j, "reason", ev->u.lost.reason);
		} else {
			if (ev->u.lost.count)
				rs_sbuf_printf(&sb, "%llu lost: ", (unsigned long long)ev->u.lost.count);
			text_escaped(&sb, ev->u.lost.reason);
		}
		break;
	default:
		break;
	}
	if (log->format == RS_LOG_JSON)
		rs_json_obj_end(&j);
	emit(log, &sb);
	rs_sbuf_free(&sb);
}
