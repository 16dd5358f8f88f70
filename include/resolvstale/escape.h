/* Escaping of untrusted strings (process names, command lines, file contents)
 * before they reach a terminal, a log line or a CSV cell. */
#ifndef RESOLVSTALE_ESCAPE_H
#define RESOLVSTALE_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "resolvstale/sbuf.h"

/* Decode one UTF-8 sequence at s (n bytes available). Returns its length (1-4)
 * and stores the code point, or 0 if the bytes there are not valid UTF-8
 * (overlong forms, surrogates and values above U+10FFFF are invalid). */
size_t rs_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Append s[0..n) for a terminal or a text log: printable ASCII and printable
 * UTF-8 as is; backslash as "\\"; tab, newline, CR as \t \n \r; every other
 * control character (C0, DEL, C1) and every invalid byte as \xNN. The output
 * never contains a byte below 0x20 or an escape sequence introducer. */
void rs_escape_text(struct rs_sbuf *sb, const char *s, size_t n);

/* Append s as one CSV cell (RFC 4180 quoting when needed), control characters
 * escaped as in rs_escape_text, and a leading = + - @ prefixed with ' so that a
 * spreadsheet does not evaluate it. */
void rs_escape_csv(struct rs_sbuf *sb, const char *s, size_t n);

#endif
