/* Rendering of generations and file events (JSON and text). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/escape.h"
#include "resolvstale/genrender.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

static void json_addrs(struct rs_json *j, const char *key, const struct rs_addr *a, size_t n)
{
	char text[RS_ADDR_STRLEN];

	rs_json_key(j, key);
	rs_json_arr_begin(j);
	for (size_t i = 0; i < n; i++)
		rs_json_str(j, rs_addr_format(&a[i], text, sizeof(text)));
	rs_json_arr_end(j);
}

/* A list separated by sep as a JSON array of strings. */
static void json_list(struct rs_json *j, const char *key, const char *words, char sep)
{
	const char *p = words ? words : "";
	const char seps[2] = {sep, '\0'};

	rs_json_key(j, key);
	rs_json_arr_begin(j);
	while (*p != '\0') {
		size_t n;
		while (*p == sep)
			p++;
		n = strcspn(p, seps);
		if (n > 0)
			rs_json_strn(j, p, n);
		p += n;
	}
	rs_json_arr_end(j);
}

static void json_words(struct rs_json *j, const char *key, const char *words)
{
	json_list(j, key, words, ' ');
}

static void json_time(struct rs_json *j, const char *key, int64_t ns)
{
	char buf[RS_TIME_BUF];

	rs_json_kv_str(j, key, rs_time_rfc3339(ns, buf, sizeof(buf)));
}

static void json_hash(struct rs_json *j, uint64_t h)
{
	char buf[17];
	static const char hex[] = "0123456789abcdef";

	for (int i = 15; i >= 0; i--, h >>= 4)
		buf[i] = hex[h & 15];
	buf[16] = '\0';
	rs_json_kv_str(j, "hash", buf);
}

static void json_file(struct rs_json *j, const struct rs_file_identity *id)
{
	rs_json_key(j, "file");
	rs_json_obj_begin(j);
	rs_json_kv_str(j, "state", rs_file_state_name(id->state));
	if (id->state == RS_FILE_OK || id->state == RS_FILE_EMPTY) {
		rs_json_kv_uint(j, "inode", id->ino);
		rs_json_kv_int(j, "size", id->size);
		json_time(j, "mtime", id->mtime_ns);
		json_time(j, "ctime", id->ctime_ns);
		json_hash(j, id->hash);
	} else if (id->err != 0) {
		rs_json_kv_str(j, "error", strerror(id->err));
	}
	rs_json_obj_end(j);
}

void rs_render_writer_json(struct rs_json *j, const struct rs_writer *w)
{
	if (!w->known) {
		rs_json_null(j);
		return;
	}
	rs_json_obj_begin(j);
	rs_json_kv_int(j, "pid", w->pid);
	rs_json_kv_uint(j, "starttime", w->starttime);
	rs_json_kv_str(j, "comm", w->comm);
	rs_json_kv_str(j, "exe", w->exe);
	rs_json_key(j, "uid");
	if (w->uid >= 0)
		rs_json_int(j, w->uid);
	else
		rs_json_null(j);
	rs_json_key(j, "auid");
	if (w->auid >= 0)
		rs_json_int(j, w->auid);
	else
		rs_json_null(j);
	rs_json_obj_end(j);
}

/* One stored warning: a line of "LINE CODE DETAIL". */
struct warning {
	uint64_t line; /* 0 for the whole file */
	const char *code, *detail;
	size_t code_len, detail_len;
	const char *raw; /* the whole line, for a malformed one (code == NULL) */
	size_t raw_len;
};

static void split_warning(const char *p, size_t n, struct warning *w)
{
	const char *sp1 = memchr(p, ' ', n);
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - p)) : NULL;
	char num[16];
	size_t nl = sp1 ? (size_t)(sp1 - p) : 0;

	memset(w, 0, sizeof(*w));
	w->raw = p;
	w->raw_len = n;
	if (sp1 == NULL || sp2 == NULL || nl == 0 || nl >= sizeof(num))
		return;
	memcpy(num, p, nl);
	num[nl] = '\0';
	if (rs_strtou64(num, 0, UINT32_MAX, &w->line) < 0)
		return;
	w->code = sp1 + 1;
	w->code_len = (size_t)(sp2 - sp1 - 1);
	w->detail = sp2 + 1;
	w->detail_len = n - (size_t)(sp2 + 1 - p);
}

/* Call fn for every stored warning line of text. */
static void foreach_warning(const char *text, void (*fn)(void *ctx, const struct warning *w),
			    void *ctx)
{
	const char *p = text ? text : "";

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		struct warning w;

		split_warning(p, n, &w);
		fn(ctx, &w);
		p += n + (nl ? 1 : 0);
	}
}

struct text_ctx {
	struct rs_sbuf *sb;
	const char *prefix, *suffix;
};

static void text_warning(void *p, const struct warning *w)
{
	struct text_ctx *c = p;

	rs_sbuf_puts(c->sb, c->prefix);
	if (w->code != NULL) {
		if (w->line > 0)
			rs_sbuf_printf(c->sb, "line %llu: ", (unsigned long long)w->line);
		rs_escape_text(c->sb, w->detail, w->detail_len);
		rs_sbuf_puts(c->sb, " [");
		rs_escape_text(c->sb, w->code, w->code_len);
		rs_sbuf_putc(c->sb, ']');
	} else {
		rs_escape_text(c->sb, w->raw, w->raw_len);
	}
	rs_sbuf_puts(c->sb, c->suffix);
}

void rs_render_warnings_text(struct rs_sbuf *sb, const char *warnings, const char *prefix,
			     const char *suffix)
{
	struct text_ctx c = {sb, prefix, suffix};

	foreach_warning(warnings, text_warning, &c);
}

static void json_warning(void *p, const struct warning *w)
{
	struct rs_json *j = p;

	if (w->code == NULL)
		return;
	rs_json_obj_begin(j);
	rs_json_kv_uint(j, "line", w->line);
	rs_json_key(j, "code");
	rs_json_strn(j, w->code, w->code_len);
	rs_json_key(j, "detail");
	rs_json_strn(j, w->detail, w->detail_len);
	rs_json_obj_end(j);
}

static void json_warnings(struct rs_json *j, const char *text)
{
	rs_json_key(j, "warnings");
	rs_json_arr_begin(j);
	foreach_warning(text, json_warning, j);
	rs_json_arr_end(j);
}

void rs_render_config_json(struct rs_json *j, const struct rs_generation *g)
{
	json_addrs(j, "nameservers", g->ns, g->n_ns);
	rs_json_kv_bool(j, "default_nameserver", g->default_ns);
	json_words(j, "ignored_nameservers", g->ignored);
	json_words(j, "search", g->search);
	json_words(j, "options", g->options);
	json_words(j, "sortlist", g->sortlist);
	json_file(j, &g->id);
	rs_json_kv_uint(j, "n_warnings", g->n_warnings);
	json_warnings(j, g->warnings);
}

void rs_render_generation_json(struct rs_json *j, const struct rs_generation *g,
			       const struct rs_generation *prev)
{
	rs_json_kv_int(j, "generation", g->number);
	json_time(j, "time", g->time_ns);
	rs_json_kv_str(j, "path", g->path);
	rs_json_kv_str(j, "target", g->target);
	if (prev != NULL)
		json_addrs(j, "previous_nameservers", prev->ns, prev->n_ns);
	json_addrs(j, "retired", g->retired, g->n_retired);
	json_addrs(j, "added", g->added, g->n_added);
	rs_json_kv_bool(j, "at_start", g->at_start);
	rs_json_key(j, "writer");
	rs_render_writer_json(j, &g->writer);
	rs_render_config_json(j, g);
}

void rs_render_file_event_json(struct rs_json *j, const struct rs_file_event *e)
{
	json_time(j, "time", e->time_ns);
	rs_json_kv_int(j, "generation", e->generation);
	rs_json_kv_str(j, "change", rs_file_change_name(e->change));
	rs_json_kv_str(j, "path", e->path);
	rs_json_kv_str(j, "target", e->target);
	json_list(j, "seen", e->reasons, ',');
	json_file(j, &e->id);
	rs_json_key(j, "writer");
	rs_render_writer_json(j, &e->writer);
}

/* --- text --------------------------------------------------------------- */

static void text_addrs(struct rs_sbuf *sb, const struct rs_addr *a, size_t n)
{
	if (n == 0) {
		rs_sbuf_puts(sb, "none");
		return;
	}
	rs_addrs_join(a, n, sb);
}

static bool same_addrs(const struct rs_addr *a, size_t na, const struct rs_addr *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!rs_addr_equal(&a[i], &b[i]))
			return false;
	return true;
}

static bool same_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

static void text_escaped(struct rs_sbuf *sb, const char *s)
{
	rs_escape_text(sb, s ? s : "", s ? strlen(s) : 0);
}

void rs_render_generation_summary(struct rs_sbuf *sb, const struct rs_generation *g,
				  const struct rs_generation *prev)
{
	rs_sbuf_puts(sb, "nameservers ");
	text_addrs(sb, g->ns, g->n_ns);
	if (g->default_ns)
		rs_sbuf_puts(sb, " (none listed: glibc default)");
	if (prev != NULL && !same_addrs(g->ns, g->n_ns, prev->ns, prev->n_ns)) {
		rs_sbuf_puts(sb, " (was ");
		text_addrs(sb, prev->ns, prev->n_ns);
		rs_sbuf_putc(sb, ')');
	}
	if (g->n_retired > 0) {
		rs_sbuf_puts(sb, "; retired ");
		text_addrs(sb, g->retired, g->n_retired);
	}
	if (g->n_added > 0 && prev != NULL) {
		rs_sbuf_puts(sb, "; added ");
		text_addrs(sb, g->added, g->n_added);
	}
	if (prev == NULL || !same_str(g->search, prev->search)) {
		if (prev != NULL || (g->search && g->search[0])) {
			rs_sbuf_puts(sb, "; search ");
			text_escaped(sb, g->search && g->search[0] ? g->search : "(none)");
		}
	}
	if (prev == NULL || !same_str(g->options, prev->options)) {
		if (prev != NULL || (g->options && g->options[0])) {
			rs_sbuf_puts(sb, "; options ");
			text_escaped(sb, g->options && g->options[0] ? g->options : "(none)");
		}
	}
	if (prev != NULL && !same_str(g->sortlist, prev->sortlist)) {
		rs_sbuf_puts(sb, "; sortlist ");
		text_escaped(sb, g->sortlist && g->sortlist[0] ? g->sortlist : "(none)");
	}
}

void rs_render_writer_text(struct rs_sbuf *sb, const struct rs_writer *w)
{
	if (!w->known) {
		rs_sbuf_puts(sb, "unknown");
		return;
	}
	rs_sbuf_printf(sb, "pid %d (", w->pid);
	text_escaped(sb, w->comm ? w->comm : "?");
	rs_sbuf_putc(sb, ')');
	if (w->uid >= 0)
		rs_sbuf_printf(sb, " uid %lld", (long long)w->uid);
	if (w->auid >= 0 && w->auid != 4294967295LL)
		rs_sbuf_printf(sb, " auid %lld", (long long)w->auid);
	if (w->exe != NULL && w->exe[0] != '\0') {
		rs_sbuf_puts(sb, " exe ");
		text_escaped(sb, w->exe);
	}
}

/* The effective configuration as lines ("nameserver X", "search ...",
 * "sortlist ...", "options ..."), for diffing. */
#define MAX_CONF_LINES (RS_RC_MAXNS + 3)
#define CONF_LINE_MAX  2048 /* a resolv.conf line is at most 1024 bytes */

static size_t conf_lines(const struct rs_generation *g, char lines[][CONF_LINE_MAX])
{
	char text[RS_ADDR_STRLEN];
	size_t n = 0;

	for (size_t i = 0; i < g->n_ns; i++)
		snprintf(lines[n++], CONF_LINE_MAX, "nameserver %s%s",
			 rs_addr_format(&g->ns[i], text, sizeof(text)),
			 g->default_ns ? " (default: no nameserver listed)" : "");
	if (g->search && g->search[0])
		snprintf(lines[n++], CONF_LINE_MAX, "search %s", g->search);
	if (g->sortlist && g->sortlist[0])
		snprintf(lines[n++], CONF_LINE_MAX, "sortlist %s", g->sortlist);
	if (g->options && g->options[0])
		snprintf(lines[n++], CONF_LINE_MAX, "options %s", g->options);
	return n;
}

static void diff_line(struct rs_sbuf *sb, const char *indent, char mark, const char *line)
{
	rs_sbuf_puts(sb, indent);
	rs_sbuf_putc(sb, mark);
	rs_sbuf_putc(sb, ' ');
	rs_escape_text(sb, line, strlen(line));
	rs_sbuf_putc(sb, '\n');
}

void rs_render_generation_diff(struct rs_sbuf *sb, const struct rs_generation *g,
			       const struct rs_generation *prev, const char *indent)
{
	char(*a)[CONF_LINE_MAX] = calloc(MAX_CONF_LINES, CONF_LINE_MAX);
	char(*b)[CONF_LINE_MAX] = calloc(MAX_CONF_LINES, CONF_LINE_MAX);
	size_t na = 0, nb, lcs[MAX_CONF_LINES + 1][MAX_CONF_LINES + 1];
	size_t i = 0, k = 0;

	if (a == NULL || b == NULL) {
		sb->failed = true;
		goto out;
	}
	if (prev != NULL)
		na = conf_lines(prev, a);
	nb = conf_lines(g, b);
	if (prev == NULL) {
		for (size_t x = 0; x < nb; x++)
			diff_line(sb, indent, ' ', b[x]);
		goto out;
	}
	/* Longest common subsequence over a handful of lines. */
	for (size_t x = na + 1; x-- > 0;) {
		for (size_t y = nb + 1; y-- > 0;) {
			if (x == na || y == nb)
				lcs[x][y] = 0;
			else if (strcmp(a[x], b[y]) == 0)
				lcs[x][y] = lcs[x + 1][y + 1] + 1;
			else
				lcs[x][y] = lcs[x + 1][y] > lcs[x][y + 1] ? lcs[x + 1][y]
									  : lcs[x][y + 1];
		}
	}
	while (i < na || k < nb) {
		if (i < na && k < nb && strcmp(a[i], b[k]) == 0) {
			diff_line(sb, indent, ' ', b[k]);
			i++;
			k++;
		} else if (k < nb && (i == na || lcs[i][k + 1] >= lcs[i + 1][k])) {
			/* Removals first when both are possible reads better;
			 * handled by the branch below on ties. */
			if (i < na && lcs[i + 1][k] == lcs[i][k + 1]) {
				diff_line(sb, indent, '-', a[i]);
				i++;
			} else {
				diff_line(sb, indent, '+', b[k]);
				k++;
			}
		} else {
			diff_line(sb, indent, '-', a[i]);
			i++;
		}
	}
out:
	free(a);
	free(b);
}

static void json_opt_int(struct rs_json *j, const char *key, int64_t v, bool known)
{
	rs_json_key(j, key);
	if (known)
		rs_json_int(j, v);
	else
		rs_json_null(j);
}

void rs_render_facts_json(struct rs_json *j, const struct rs_proc_facts *f)
{
	char t[RS_TIME_BUF];

	rs_json_kv_int(j, "pid", f->id.pid);
	rs_json_kv_uint(j, "starttime", f->id.starttime);
	rs_json_kv_str(j, "start_time",
		       f->start_ns ? rs_time_rfc3339(f->start_ns, t, sizeof(t)) : NULL);
	json_opt_int(j, "ppid", f->id.ppid, f->id.ppid >= 0);
	json_opt_int(j, "uid", f->id.uid, f->id.uid >= 0);
	json_opt_int(j, "auid", f->id.auid, f->id.auid >= 0);
	rs_json_kv_str(j, "comm", f->id.comm);
	rs_json_kv_str(j, "exe", f->id.exe);
	rs_json_kv_str(j, "cmdline", f->cmdline);
	rs_json_kv_str(j, "unit", f->cg.unit[0] ? f->cg.unit : NULL);
	rs_json_kv_bool(j, "user_unit", f->cg.user_unit);
	rs_json_key(j, "container");
	if (f->cg.container != RS_CONTAINER_NONE) {
		rs_json_obj_begin(j);
		rs_json_kv_str(j, "kind", rs_container_kind_name(f->cg.container));
		rs_json_kv_str(j, "id", f->cg.container_id);
		rs_json_kv_str(j, "pod_uid", f->cg.pod_uid[0] ? f->cg.pod_uid : NULL);
		rs_json_obj_end(j);
	} else {
		rs_json_null(j);
	}
	json_opt_int(j, "netns", (int64_t)f->netns, f->netns != 0);
	json_opt_int(j, "mntns", (int64_t)f->mntns, f->mntns != 0);
	rs_json_kv_str(j, "config_domain", rs_config_domain_name(f->domain));
	if (f->config_ns != NULL)
		json_words(j, "config_nameservers", f->config_ns);
	else
		rs_json_kv_str(j, "config_nameservers", NULL);
}
