/* Configuration generations: what counts as a change of resolv.conf. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/generation.h"
#include "resolvstale/sbuf.h"

void rs_writer_clear(struct rs_writer *w)
{
	if (w == NULL)
		return;
	free(w->comm);
	free(w->exe);
	memset(w, 0, sizeof(*w));
	w->uid = w->auid = -1;
}

void rs_generation_clear(struct rs_generation *g)
{
	if (g == NULL)
		return;
	free(g->path);
	free(g->target);
	free(g->ignored);
	free(g->search);
	free(g->sortlist);
	free(g->options);
	free(g->key);
	free(g->warnings);
	free(g->content);
	rs_writer_clear(&g->writer);
	memset(g, 0, sizeof(*g));
	g->writer.uid = g->writer.auid = -1;
}

void rs_addrs_join(const struct rs_addr *a, size_t n, struct rs_sbuf *out)
{
	char text[RS_ADDR_STRLEN];

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			rs_sbuf_putc(out, ' ');
		rs_sbuf_puts(out, rs_addr_format(&a[i], text, sizeof(text)));
	}
}

int rs_addrs_split(const char *text, struct rs_addr *out, size_t max)
{
	char tok[RS_ADDR_STRLEN];
	size_t n = 0;
	const char *p = text;

	while (p != NULL && *p != '\0') {
		size_t len;
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		len = strcspn(p, " ");
		if (len >= sizeof(tok) || n >= max)
			return -EINVAL;
		memcpy(tok, p, len);
		tok[len] = '\0';
		if (rs_addr_parse(tok, &out[n]) < 0)
			return -EINVAL;
		n++;
		p += len;
	}
	return (int)n;
}

static char *sbuf_take(struct rs_sbuf *sb)
{
	char *s;

	if (rs_sbuf_failed(sb)) {
		rs_sbuf_free(sb);
		return NULL;
	}
	s = sb->buf != NULL ? sb->buf : strdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

static bool contains(const struct rs_addr *set, size_t n, const struct rs_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (rs_addr_equal(&set[i], a))
			return true;
	return false;
}

/* out = a minus b, order of a kept, duplicates once. */
static size_t minus(const struct rs_addr *a, size_t na, const struct rs_addr *b, size_t nb,
		    struct rs_addr *out)
{
	size_t n = 0;

	for (size_t i = 0; i < na; i++)
		if (!contains(b, nb, &a[i]) && !contains(out, n, &a[i]))
			out[n++] = a[i];
	return n;
}

static char *warnings_text(const struct rs_resolvconf *rc)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	unsigned kept = rc->n_warnings < RS_RC_MAX_WARNINGS ? rc->n_warnings : RS_RC_MAX_WARNINGS;

	for (unsigned i = 0; i < kept; i++)
		rs_sbuf_printf(&sb, "%u %s %s\n", rc->warnings[i].line,
			       rs_rc_warn_name(rc->warnings[i].code), rc->warnings[i].detail);
	if (rc->n_warnings > kept)
		rs_sbuf_printf(&sb, "0 more-warnings %u more warnings not kept\n",
			       rc->n_warnings - kept);
	return sbuf_take(&sb);
}

int rs_generation_build(const struct rs_generation *prev, const struct rs_conf_snapshot *snap,
			int64_t number, struct rs_generation *out)
{
	const struct rs_resolvconf *rc = &snap->conf;
	struct rs_sbuf sb = RS_SBUF_INIT;

	rs_generation_clear(out);
	out->number = number;
	out->time_ns = snap->time_ns;
	out->path = strdup(snap->path ? snap->path : "");
	out->target = strdup(snap->target ? snap->target : "");
	out->id = snap->id;
	out->n_ns = rs_resolvconf_effective(rc, out->ns);
	out->default_ns = rs_resolvconf_uses_default(rc);
	if (prev != NULL) {
		out->n_retired = minus(prev->ns, prev->n_ns, out->ns, out->n_ns, out->retired);
		out->n_added = minus(out->ns, out->n_ns, prev->ns, prev->n_ns, out->added);
	}

	for (size_t i = 0; i < rc->n_ns; i++) {
		if (!rc->ns[i].ignored)
			continue;
		if (sb.len > 0)
			rs_sbuf_putc(&sb, ' ');
		rs_addrs_join(&rc->ns[i].addr, 1, &sb);
	}
	out->ignored = sbuf_take(&sb);
	for (size_t i = 0; i < rc->n_search; i++) {
		if (i > 0)
			rs_sbuf_putc(&sb, ' ');
		rs_sbuf_puts(&sb, rc->search[i]);
	}
	out->search = sbuf_take(&sb);
	for (size_t i = 0; i < rc->n_sortlist; i++) {
		if (i > 0)
			rs_sbuf_putc(&sb, ' ');
		rs_sbuf_puts(&sb, rc->sortlist[i]);
	}
	out->sortlist = sbuf_take(&sb);
	rs_resolvconf_options(rc, &sb);
	out->options = sbuf_take(&sb);
	rs_resolvconf_key(rc, &sb);
	out->key = sbuf_take(&sb);
	out->warnings = warnings_text(rc);
	out->n_warnings = rc->n_warnings;
	if (snap->content_len > 0) {
		out->content = malloc(snap->content_len);
		if (out->content != NULL) {
			memcpy(out->content, snap->content, snap->content_len);
			out->content_len = snap->content_len;
		}
	}
	if (out->path == NULL || out->target == NULL || out->ignored == NULL ||
	    out->search == NULL || out->sortlist == NULL || out->options == NULL ||
	    out->key == NULL || out->warnings == NULL ||
	    (snap->content_len > 0 && out->content == NULL)) {
		rs_generation_clear(out);
		return -ENOMEM;
	}
	return 0;
}

bool rs_generation_differs(const struct rs_generation *gen, const struct rs_conf_snapshot *snap)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	bool differs;

	rs_resolvconf_key(&snap->conf, &sb);
	differs =
		rs_sbuf_failed(&sb) || gen->key == NULL || strcmp(gen->key, rs_sbuf_str(&sb)) != 0;
	rs_sbuf_free(&sb);
	return differs;
}

static bool readable(enum rs_file_state s)
{
	return s == RS_FILE_OK || s == RS_FILE_EMPTY;
}

enum rs_file_change rs_file_change_classify(const struct rs_file_identity *before,
					    const char *target_before,
					    const struct rs_file_identity *after,
					    const char *target_after)
{
	if (readable(before->state) && !readable(after->state))
		return RS_CHANGE_VANISHED;
	if (!readable(before->state) && readable(after->state))
		return RS_CHANGE_APPEARED;
	if (target_before != NULL && target_after != NULL &&
	    strcmp(target_before, target_after) != 0)
		return RS_CHANGE_RELINKED;
	if (!readable(after->state))
		return before->state == after->state ? RS_CHANGE_NONE : RS_CHANGE_VANISHED;
	if (before->dev != after->dev || before->ino != after->ino)
		return RS_CHANGE_REPLACED;
	if (before->hash != after->hash || before->size != after->size)
		return RS_CHANGE_MODIFIED;
	if (before->mtime_ns != after->mtime_ns || before->ctime_ns != after->ctime_ns ||
	    before->mode != after->mode || before->uid != after->uid)
		return RS_CHANGE_TOUCHED;
	return RS_CHANGE_NONE;
}

const char *rs_file_change_name(enum rs_file_change c)
{
	switch (c) {
	case RS_CHANGE_NONE:
		return "none";
	case RS_CHANGE_TOUCHED:
		return "touched";
	case RS_CHANGE_MODIFIED:
		return "modified";
	case RS_CHANGE_REPLACED:
		return "replaced";
	case RS_CHANGE_RELINKED:
		return "relinked";
	case RS_CHANGE_APPEARED:
		return "appeared";
	case RS_CHANGE_VANISHED:
		return "vanished";
	}
	return "unknown";
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*oom = true;
	return d;
}

int rs_generation_copy(struct rs_generation *dst, const struct rs_generation *src)
{
	bool oom = false;

	rs_generation_clear(dst);
	*dst = *src;
	dst->path = dup_or_null(src->path, &oom);
	dst->target = dup_or_null(src->target, &oom);
	dst->ignored = dup_or_null(src->ignored, &oom);
	dst->search = dup_or_null(src->search, &oom);
	dst->sortlist = dup_or_null(src->sortlist, &oom);
	dst->options = dup_or_null(src->options, &oom);
	dst->key = dup_or_null(src->key, &oom);
	dst->warnings = dup_or_null(src->warnings, &oom);
	dst->writer.comm = dup_or_null(src->writer.comm, &oom);
	dst->writer.exe = dup_or_null(src->writer.exe, &oom);
	dst->content = NULL;
	if (src->content != NULL && src->content_len > 0) {
		dst->content = malloc(src->content_len);
		if (dst->content == NULL)
			oom = true;
		else
			memcpy(dst->content, src->content, src->content_len);
	}
	if (oom) {
		rs_generation_clear(dst);
		return -ENOMEM;
	}
	return 0;
}
