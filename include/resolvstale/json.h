/* A small streaming JSON writer.
 *
 * Produces compact JSON (no spaces) into an rs_sbuf, inserting commas itself.
 * Strings are escaped: control characters as \uXXXX (or \n, \t, ...), invalid
 * UTF-8 bytes replaced by U+FFFD, so any process-supplied string is safe.
 */
#ifndef RESOLVSTALE_JSON_H
#define RESOLVSTALE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/sbuf.h"

#define RS_JSON_MAX_DEPTH 32

struct rs_json {
	struct rs_sbuf *sb;
	unsigned depth;
	bool first[RS_JSON_MAX_DEPTH];
	bool after_key;
};

void rs_json_init(struct rs_json *j, struct rs_sbuf *sb);
void rs_json_obj_begin(struct rs_json *j);
void rs_json_obj_end(struct rs_json *j);
void rs_json_arr_begin(struct rs_json *j);
void rs_json_arr_end(struct rs_json *j);
void rs_json_key(struct rs_json *j, const char *key);
void rs_json_str(struct rs_json *j, const char *s); /* NULL writes null */
void rs_json_strn(struct rs_json *j, const char *s, size_t n);
void rs_json_int(struct rs_json *j, int64_t v);
void rs_json_uint(struct rs_json *j, uint64_t v);
void rs_json_bool(struct rs_json *j, bool v);
void rs_json_null(struct rs_json *j);

/* key + value in one call */
void rs_json_kv_str(struct rs_json *j, const char *key, const char *s);
void rs_json_kv_int(struct rs_json *j, const char *key, int64_t v);
void rs_json_kv_uint(struct rs_json *j, const char *key, uint64_t v);
void rs_json_kv_bool(struct rs_json *j, const char *key, bool v);

/* Append the JSON string literal (with quotes) for s[0..n) to sb. */
void rs_json_escape(struct rs_sbuf *sb, const char *s, size_t n);

#endif
