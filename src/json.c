/* A small streaming JSON writer. */
#include <inttypes.h>
#include <string.h>

#include "resolvstale/escape.h"
#include "resolvstale/json.h"

void rs_json_escape(struct rs_sbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	rs_sbuf_putc(sb, '"');
	while (i < n) {
		unsigned char b = p[i];
		uint32_t cp;
		size_t len;

		if (b >= 0x20 && b < 0x7f) {
			if (b == '"' || b == '\\')
				rs_sbuf_putc(sb, '\\');
			rs_sbuf_putc(sb, (char)b);
			i++;
			continue;
		}
		if (b < 0x20 || b == 0x7f) {
			switch (b) {
			case '\n':
				rs_sbuf_append(sb, "\\n", 2);
				break;
			case '\r':
				rs_sbuf_append(sb, "\\r", 2);
				break;
			case '\t':
				rs_sbuf_append(sb, "\\t", 2);
				break;
			default: {
				char u[6] = {'\\', 'u', '0', '0', hex[b >> 4], hex[b & 15]};
				rs_sbuf_append(sb, u, sizeof(u));
			}
			}
			i++;
			continue;
		}
		len = rs_utf8_decode(p + i, n - i, &cp);
		if (len == 0) {
			rs_sbuf_append(sb, "\\ufffd", 6);
			i++;
			continue;
		}
		rs_sbuf_append(sb, p + i, len);
		i += len;
	}
	rs_sbuf_putc(sb, '"');
}

void rs_json_init(struct rs_json *j, struct rs_sbuf *sb)
{
	memset(j, 0, sizeof(*j));
	j->sb = sb;
	j->first[0] = true;
}

static void sep(struct rs_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		rs_sbuf_putc(j->sb, ',');
	j->first[j->depth] = false;
}

static void open_(struct rs_json *j, char c)
{
	sep(j);
	rs_sbuf_putc(j->sb, c);
	if (j->depth + 1 >= RS_JSON_MAX_DEPTH) {
		j->sb->failed = true;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct rs_json *j, char c)
{
	rs_sbuf_putc(j->sb, c);
	if (j->depth > 0)
		j->depth--;
}

void rs_json_obj_begin(struct rs_json *j)
{
	open_(j, '{');
}

void rs_json_obj_end(struct rs_json *j)
{
	close_(j, '}');
}

void rs_json_arr_begin(struct rs_json *j)
{
	open_(j, '[');
}

void rs_json_arr_end(struct rs_json *j)
{
	close_(j, ']');
}

void rs_json_key(struct rs_json *j, const char *key)
{
	sep(j);
	rs_json_escape(j->sb, key, strlen(key));
	rs_sbuf_putc(j->sb, ':');
	j->after_key = true;
}

void rs_json_strn(struct rs_json *j, const char *s, size_t n)
{
	sep(j);
	rs_json_escape(j->sb, s, n);
}

void rs_json_str(struct rs_json *j, const char *s)
{
	if (s == NULL)
		rs_json_null(j);
	else
		rs_json_strn(j, s, strlen(s));
}

void rs_json_int(struct rs_json *j, int64_t v)
{
	sep(j);
	rs_sbuf_printf(j->sb, "%" PRId64, v);
}

void rs_json_uint(struct rs_json *j, uint64_t v)
{
	sep(j);
	rs_sbuf_printf(j->sb, "%" PRIu64, v);
}

void rs_json_bool(struct rs_json *j, bool v)
{
	sep(j);
	rs_sbuf_puts(j->sb, v ? "true" : "false");
}

void rs_json_null(struct rs_json *j)
{
	sep(j);
	rs_sbuf_puts(j->sb, "null");
}

void rs_json_kv_str(struct rs_json *j, const char *key, const char *s)
{
	rs_json_key(j, key);
	rs_json_str(j, s);
}

void rs_json_kv_int(struct rs_json *j, const char *key, int64_t v)
{
	rs_json_key(j, key);
	rs_json_int(j, v);
}

void rs_json_kv_uint(struct rs_json *j, const char *key, uint64_t v)
{
	rs_json_key(j, key);
	rs_json_uint(j, v);
}

void rs_json_kv_bool(struct rs_json *j, const char *key, bool v)
{
	rs_json_key(j, key);
	rs_json_bool(j, v);
}
