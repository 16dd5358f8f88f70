/* A growable, always NUL-terminated byte buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/sbuf.h"

#define SBUF_DEFAULT_MAX ((size_t)64 << 20)

static bool reserve(struct rs_sbuf *sb, size_t extra)
{
	size_t limit = sb->max ? sb->max : SBUF_DEFAULT_MAX;
	size_t need, cap;
	char *p;

	if (sb->failed)
		return false;
	if (extra > limit || sb->len > limit - extra) {
		sb->failed = true;
		return false;
	}
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return true;
	cap = sb->cap ? sb->cap : 128;
	while (cap < need)
		cap *= 2;
	p = realloc(sb->buf, cap);
	if (p == NULL) {
		sb->failed = true;
		return false;
	}
	sb->buf = p;
	sb->cap = cap;
	return true;
}

void rs_sbuf_append(struct rs_sbuf *sb, const void *data, size_t n)
{
	if (!reserve(sb, n))
		return;
	if (n > 0)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void rs_sbuf_puts(struct rs_sbuf *sb, const char *s)
{
	rs_sbuf_append(sb, s, strlen(s));
}

void rs_sbuf_putc(struct rs_sbuf *sb, char c)
{
	rs_sbuf_append(sb, &c, 1);
}

void rs_sbuf_printf(struct rs_sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = true;
		return;
	}
	if (!reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

void rs_sbuf_reset(struct rs_sbuf *sb)
{
	sb->len = 0;
	sb->failed = false;
	if (sb->buf != NULL)
		sb->buf[0] = '\0';
}

const char *rs_sbuf_str(const struct rs_sbuf *sb)
{
	return sb->buf != NULL ? sb->buf : "";
}

bool rs_sbuf_failed(const struct rs_sbuf *sb)
{
	return sb->failed;
}

void rs_sbuf_free(struct rs_sbuf *sb)
{
	if (sb == NULL)
		return;
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	sb->failed = false;
}
