/* A growable, always NUL-terminated byte buffer.
 *
 * Errors are sticky: after an allocation failure every append is a no-op and
 * rs_sbuf_failed() is true, so callers build a whole message and check once.
 */
#ifndef RESOLVSTALE_SBUF_H
#define RESOLVSTALE_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct rs_sbuf {
	char *buf;   /* owned; NUL-terminated when len > 0 or after any append */
	size_t len;  /* bytes used, excluding the terminating NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* growth limit in bytes (0: 64 MiB) */
	bool failed; /* an append did not fit or could not allocate */
};

#define RS_SBUF_INIT                                                                               \
	{                                                                                          \
		NULL, 0, 0, 0, false                                                               \
	}

void rs_sbuf_append(struct rs_sbuf *sb, const void *data, size_t n);
void rs_sbuf_puts(struct rs_sbuf *sb, const char *s);
void rs_sbuf_putc(struct rs_sbuf *sb, char c);
void rs_sbuf_printf(struct rs_sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empty the buffer, keep the allocation, clear the failure flag. */
void rs_sbuf_reset(struct rs_sbuf *sb);
/* The contents as a C string ("" for an empty buffer); valid until the next
 * append, reset or free. */
const char *rs_sbuf_str(const struct rs_sbuf *sb);
bool rs_sbuf_failed(const struct rs_sbuf *sb);
void rs_sbuf_free(struct rs_sbuf *sb);

#endif
