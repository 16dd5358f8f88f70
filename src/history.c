/* `resolvstale history`: the recorded generations, rendered from the store. */
#include <errno.h>
#include <string.h>

#include "resolvstale/escape.h"
#include "resolvstale/genrender.h"
#include "resolvstale/history.h"
#include "resolvstale/json.h"
#include "resolvstale/timefmt.h"

struct ctx {
	struct rs_store *st;
	const struct rs_history_opts *o;
	FILE *out;
	struct rs_sbuf sb;
	struct rs_json j;
	struct rs_generation prev;
	bool have_prev;
	size_t n_events;
	size_t count;
	int err;
};

static int count_event(void *p, const struct rs_file_event *e)
{
	struct ctx *c = p;

	(void)e;
	c->n_events++;
	return 0;
}

static int text_event(void *p, const struct rs_file_event *e)
{
	struct ctx *c = p;
	char t[RS_TIME_BUF];

	rs_sbuf_printf(&c->sb, "    %s  %s", rs_time_local(e->time_ns, t, sizeof(t)),
		       rs_file_change_name(e->change));
	if (e->reasons && e->reasons[0])
		rs_sbuf_printf(&c->sb, " (seen: %s)", e->reasons);
	if (e->writer.known) {
		rs_sbuf_puts(&c->sb, " by ");
		rs_render_writer_text(&c->sb, &e->writer);
	}
	rs_sbuf_putc(&c->sb, '\n');
	return 0;
}

static int json_event(void *p, const struct rs_file_event *e)
{
	struct ctx *c = p;

	rs_json_obj_begin(&c->j);
	rs_render_file_event_json(&c->j, e);
	rs_json_obj_end(&c->j);
	return 0;
}

static void text_warnings(struct ctx *c, const struct rs_generation *g)
{
	if (g->warnings == NULL || g->warnings[0] == '\0')
		return;
	rs_sbuf_printf(&c->sb, "  glibc reads this file with %u warning%s:\n", g->n_warnings,
		       g->n_warnings == 1 ? "" : "s");
	rs_render_warnings_text(&c->sb, g->warnings, "    ", "\n");
}

static void text_generation(struct ctx *c, const struct rs_generation *g,
			    const struct rs_generation *prev)
{
	char t[RS_TIME_BUF];

	if (c->count > 0)
		rs_sbuf_putc(&c->sb, '\n');
	rs_sbuf_printf(&c->sb, "generation %lld  %s  ", (long long)g->number,
		       rs_time_local(g->time_ns, t, sizeof(t)));
	rs_escape_text(&c->sb, g->path, strlen(g->path));
	if (g->target && g->target[0] && strcmp(g->target, g->path) != 0) {
		rs_sbuf_puts(&c->sb, " -> ");
		rs_escape_text(&c->sb, g->target, strlen(g->target));
	}
	if (g->id.state != RS_FILE_OK)
		rs_sbuf_printf(&c->sb, " (%s)", rs_file_state_name(g->id.state));
	if (g->at_start)
		rs_sbuf_puts(&c->sb, "  [changed while the daemon was not running]");
	else if (prev == NULL && g->number == 0)
		rs_sbuf_puts(&c->sb, "  [first record]");
	rs_sbuf_putc(&c->sb, '\n');
	rs_render_generation_diff(&c->sb, g, prev, "  ");
	if (g->n_retired > 0 || g->n_added > 0) {
		rs_sbuf_puts(&c->sb, "  retired: ");
		if (g->n_retired)
			rs_addrs_join(g->retired, g->n_retired, &c->sb);
		else
			rs_sbuf_puts(&c->sb, "none");
		rs_sbuf_puts(&c->sb, "   added: ");
		if (g->n_added)
			rs_addrs_join(g->added, g->n_added, &c->sb);
		else
			rs_sbuf_puts(&c->sb, "none");
		rs_sbuf_putc(&c->sb, '\n');
	}
	if (g->ignored && g->ignored[0]) {
		rs_sbuf_puts(&c->sb, "  listed but not used by glibc: ");
		rs_escape_text(&c->sb, g->ignored, strlen(g->ignored));
		rs_sbuf_putc(&c->sb, '\n');
	}
	if (g->writer.known) {
		rs_sbuf_puts(&c->sb, "  written by ");
		rs_render_writer_text(&c->sb, &g->writer);
		rs_sbuf_putc(&c->sb, '\n');
	}
	text_warnings(c, g);
	c->n_events = 0;
	if (c->o->events) {
		size_t mark = c->sb.len;
		rs_sbuf_puts(&c->sb, "  file events:\n");
		c->err = rs_store_foreach_file_event(c->st, g->number, count_event, c);
		if (c->n_events == 0)
			c->sb.len = mark, c->sb.buf[mark] = '\0';
		else
			c->err = rs_store_foreach_file_event(c->st, g->number, text_event, c);
	} else {
		c->err = rs_store_foreach_file_event(c->st, g->number, count_event, c);
		if (c->n_events > 0)
			rs_sbuf_printf(&c->sb,
				       "  %zu file event%s without a change of configuration "
				       "(--events lists them)\n",
				       c->n_events, c->n_events == 1 ? "" : "s");
	}
}

static void json_generation(struct ctx *c, const struct rs_generation *g,
			    const struct rs_generation *prev)
{
	rs_json_obj_begin(&c->j);
	rs_render_generation_json(&c->j, g, prev);
	if (c->o->events) {
		rs_json_key(&c->j, "file_events");
		rs_json_arr_begin(&c->j);
		c->err = rs_store_foreach_file_event(c->st, g->number, json_event, c);
		rs_json_arr_end(&c->j);
	}
	rs_json_obj_end(&c->j);
}

static int flush_out(struct ctx *c)
{
	if (rs_sbuf_failed(&c->sb))
		return -ENOMEM;
	if (c->sb.len > 0 && fwrite(c->sb.buf, 1, c->sb.len, c->out) != c->sb.len)
		return -EIO;
	rs_sbuf_reset(&c->sb);
	return 0;
}

static int one(void *p, const struct rs_generation *g)
{
	struct ctx *c = p;
	const struct rs_generation *prev =
		c->have_prev && c->prev.number == g->number - 1 ? &c->prev : NULL;
	int r;

	if (c->o->format == RS_HISTORY_JSON)
		json_generation(c, g, prev);
	else
		text_generation(c, g, prev);
	if (c->err < 0)
		return c->err;
	c->count++;
	if (c->o->format == RS_HISTORY_TEXT) {
		r = flush_out(c);
		if (r < 0)
			return r;
	}
	r = rs_generation_copy(&c->prev, g);
	c->have_prev = r == 0;
	return r;
}

int rs_history_print(struct rs_store *st, const struct rs_history_opts *o, FILE *out)
{
	struct ctx c;
	int64_t from = 0, to = INT64_MAX;
	int r;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.o = o;
	c.out = out;
	if (o->generation >= 0) {
		struct rs_generation g;
		memset(&g, 0, sizeof(g));
		r = rs_store_get_generation(st, o->generation, &g);
		rs_generation_clear(&g);
		if (r < 0)
			return r;
		from = o->generation > 0 ? o->generation - 1 : 0;
		to = o->generation;
	}
	if (o->format == RS_HISTORY_JSON) {
		rs_json_init(&c.j, &c.sb);
		rs_json_obj_begin(&c.j);
		rs_json_kv_int(&c.j, "schema", 1);
		rs_json_key(&c.j, "generations");
		rs_json_arr_begin(&c.j);
	}
	if (o->generation > 0) {
		/* Load N-1 for the diff without printing it. */
		struct rs_generation g;
		memset(&g, 0, sizeof(g));
		if (rs_store_get_generation(st, o->generation - 1, &g) == 0) {
			c.have_prev = rs_generation_copy(&c.prev, &g) == 0;
		}
		rs_generation_clear(&g);
		from = o->generation;
	}
	r = rs_store_foreach_generation(st, from, to, one, &c);
	if (r == 0 && o->format == RS_HISTORY_JSON) {
		rs_json_arr_end(&c.j);
		rs_json_obj_end(&c.j);
		rs_sbuf_putc(&c.sb, '\n');
	} else if (r == 0 && c.count == 0) {
		rs_sbuf_puts(&c.sb, "no generation recorded yet (is the daemon running?)\n");
	}
	if (r == 0)
		r = flush_out(&c);
	if (r == 0 && fflush(out) != 0)
		r = -EIO;
	rs_generation_clear(&c.prev);
	rs_sbuf_free(&c.sb);
	return r;
}
