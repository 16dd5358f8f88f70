/* Escaping of untrusted strings for terminals, text logs and CSV. */
#include <stdbool.h>
#include <string.h>

#include "resolvstale/escape.h"

size_t rs_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static void put_hex(struct rs_sbuf *sb, unsigned char b)
{
	static const char hex[] = "0123456789abcdef";
	char out[4] = {'\\', 'x', hex[b >> 4], hex[b & 15]};

	rs_sbuf_append(sb, out, sizeof(out));
}

void rs_escape_text(struct rs_sbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char b = p[i];
		uint32_t cp;
		size_t len;

		if (b >= 0x20 && b < 0x7f) {
			if (b == '\\')
				rs_sbuf_append(sb, "\\\\", 2);
			else
				rs_sbuf_putc(sb, (char)b);
			i++;
			continue;
		}
		switch (b) {
		case '\t':
			rs_sbuf_append(sb, "\\t", 2);
			i++;
			continue;
		case '\n':
			rs_sbuf_append(sb, "\\n", 2);
			i++;
			continue;
		case '\r':
			rs_sbuf_append(sb, "\\r", 2);
			i++;
			continue;
		default:
			break;
		}
		len = b >= 0x80 ? rs_utf8_decode(p + i, n - i, &cp) : 0;
		if (len == 0 || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
		    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
			/* Invalid byte, C0/C1 control, DEL, line separators and the
			 * bidirectional overrides that can disguise text. */
			if (len == 0)
				len = 1;
			for (size_t k = 0; k < len; k++)
				put_hex(sb, p[i + k]);
		} else {
			rs_sbuf_append(sb, p + i, len);
		}
		i += len;
	}
}

void rs_escape_csv(struct rs_sbuf *sb, const char *s, size_t n)
{
	struct rs_sbuf tmp = RS_SBUF_INIT;
	bool quote = false;

	if (n > 0 && s[0] != '\0' && strchr("=+-@", s[0]) != NULL)
		rs_sbuf_putc(&tmp, '\'');
	rs_escape_text(&tmp, s, n);
	for (size_t i = 0; i < tmp.len; i++)
		if (tmp.buf[i] == ',' || tmp.buf[i] == '"' || tmp.buf[i] == ' ')
			quote = true;
	if (rs_sbuf_failed(&tmp)) {
		sb->failed = true;
		rs_sbuf_free(&tmp);
		return;
	}
	if (!quote) {
		rs_sbuf_append(sb, tmp.buf, tmp.len);
	} else {
		rs_sbuf_putc(sb, '"');
		for (size_t i = 0; i < tmp.len; i++) {
			if (tmp.buf[i] == '"')
				rs_sbuf_putc(sb, '"');
			rs_sbuf_putc(sb, tmp.buf[i]);
		}
		rs_sbuf_putc(sb, '"');
	}
	rs_sbuf_free(&tmp);
}
