/* Small utility modules: json, escape, strnum, timefmt, sbuf. */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "resolvstale/escape.h"
#include "resolvstale/json.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"
#include "testutil.h"

/* --- helpers --------------------------------------------------------------- */

/* JSON string literal of s[0..n) as a malloc'd C string. */
static char *json_of(const char *s, size_t n)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char *out;

	rs_json_escape(&sb, s, n);
	cr_assert(!rs_sbuf_failed(&sb));
	out = strdup(rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
	return out;
}

static void expect_json(const char *in, size_t n, const char *want)
{
	char *got = json_of(in, n);

	cr_expect_str_eq(got, want, "json escape: got %s, want %s", got, want);
	free(got);
}

static void expect_text(const char *in, size_t n, const char *want)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	rs_escape_text(&sb, in, n);
	cr_assert(!rs_sbuf_failed(&sb));
	cr_expect_eq(sb.len, strlen(want), "length %zu, want %zu (%s)", sb.len, strlen(want), want);
	cr_expect_str_eq(rs_sbuf_str(&sb), want);
	rs_sbuf_free(&sb);
}

static void expect_csv(const char *in, size_t n, const char *want)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	rs_escape_csv(&sb, in, n);
	cr_assert(!rs_sbuf_failed(&sb));
	cr_expect_eq(sb.len, strlen(want));
	cr_expect_str_eq(rs_sbuf_str(&sb), want);
	rs_sbuf_free(&sb);
}

#define S(lit) (lit), (sizeof(lit) - 1)

/* --- json ------------------------------------------------------------------ */

Test(json, nested_objects_and_arrays)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	rs_json_init(&j, &sb);
	rs_json_obj_begin(&j);
	rs_json_kv_str(&j, "a", "x");
	rs_json_key(&j, "list");
	rs_json_arr_begin(&j);
	rs_json_int(&j, 1);
	rs_json_int(&j, INT64_MIN);
	rs_json_uint(&j, UINT64_MAX);
	rs_json_bool(&j, true);
	rs_json_null(&j);
	rs_json_str(&j, NULL);
	rs_json_obj_begin(&j);
	rs_json_kv_bool(&j, "k", false);
	rs_json_kv_uint(&j, "u", 7);
	rs_json_obj_end(&j);
	rs_json_arr_begin(&j);
	rs_json_arr_end(&j);
	rs_json_obj_begin(&j);
	rs_json_obj_end(&j);
	rs_json_arr_end(&j);
	rs_json_kv_int(&j, "n", -5);
	rs_json_key(&j, "o");
	rs_json_obj_begin(&j);
	rs_json_key(&j, "deep");
	rs_json_arr_begin(&j);
	rs_json_strn(&j, "ab", 1);
	rs_json_arr_end(&j);
	rs_json_obj_end(&j);
	rs_json_obj_end(&j);

	cr_assert(!rs_sbuf_failed(&sb));
	cr_assert_str_eq(
		rs_sbuf_str(&sb),
		"{\"a\":\"x\",\"list\":[1,-9223372036854775808,18446744073709551615,true,"
		"null,null,{\"k\":false,\"u\":7},[],{}],\"n\":-5,\"o\":{\"deep\":[\"a\"]}}");
	cr_assert_eq(j.depth, 0);
	rs_sbuf_free(&sb);
}

Test(json, keys_are_escaped)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	rs_json_init(&j, &sb);
	rs_json_obj_begin(&j);
	rs_json_kv_str(&j, "a\"b\n", "v");
	rs_json_obj_end(&j);
	cr_assert_str_eq(rs_sbuf_str(&sb), "{\"a\\\"b\\n\":\"v\"}");
	rs_sbuf_free(&sb);
}

Test(json, escapes_quote_and_backslash)
{
	expect_json(S("say \"hi\" \\o/"), "\"say \\\"hi\\\" \\\\o/\"");
	expect_json(S(""), "\"\"");
	expect_json(S("/"), "\"/\"");
}

Test(json, escapes_control_characters_and_del)
{
	expect_json(S("\x01"), "\"\\u0001\"");
	expect_json(S("a\nb\tc\rd"), "\"a\\nb\\tc\\rd\"");
	expect_json(S("\x1b[31m"), "\"\\u001b[31m\"");
	expect_json(S("\x1f\x7f"), "\"\\u001f\\u007f\"");
	/* An embedded NUL is data, not the end of the string. */
	expect_json(S("a\0b"), "\"a\\u0000b\"");
}

Test(json, invalid_utf8_becomes_replacement_character)
{
	expect_json(S("a\xff"
		      "b"),
		    "\"a\\ufffdb\"");
	/* Truncated sequence at the end. */
	expect_json(S("x\xe2\x82"), "\"x\\ufffd\\ufffd\"");
	/* Overlong encoding of '/' and a lone continuation byte. */
	expect_json(S("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
	expect_json(S("\x80"), "\"\\ufffd\"");
	/* A UTF-16 surrogate encoded in UTF-8 (CESU) is not valid UTF-8. */
	expect_json(S("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
}

Test(json, valid_multibyte_utf8_passes_through)
{
	/* U+00E9, U+20AC, U+1F600, U+10FFFF */
	expect_json(S("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"),
		    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"");
}

Test(json, output_never_contains_raw_control_bytes)
{
	/* Every byte value, alone and before each other byte: the JSON text has
	 * no raw byte below 0x20 and no raw DEL. */
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b += 17) {
			char in[2] = {(char)a, (char)b};
			char *out = json_of(in, 2);

			for (const unsigned char *p = (const unsigned char *)out; *p; p++)
				cr_assert(*p >= 0x20 && *p != 0x7f, "raw byte %#x for %#x %#x", *p,
					  a, b);
			free(out);
		}
	}
}

Test(json, depth_overflow_sets_failed)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	rs_json_init(&j, &sb);
	for (int i = 0; i < RS_JSON_MAX_DEPTH - 1; i++)
		rs_json_arr_begin(&j);
	cr_assert(!rs_sbuf_failed(&sb), "%d levels must fit", RS_JSON_MAX_DEPTH - 1);
	rs_json_arr_begin(&j);
	cr_assert(rs_sbuf_failed(&sb), "one level more must set failed");
	cr_assert(j.depth < RS_JSON_MAX_DEPTH);
	rs_sbuf_free(&sb);
}

/* --- escape: rs_escape_text ---------------------------------------------- */

Test(escape, text_terminal_escape_sequence)
{
	expect_text(S("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
	expect_text(S("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
}

Test(escape, text_c1_controls_in_utf8)
{
	/* U+009B is the 8-bit CSI; U+0085 is NEL. */
	expect_text(S("\xc2\x9b"
		      "31m"),
		    "\\xc2\\x9b31m");
	expect_text(S("a\xc2\x85"
		      "b"),
		    "a\\xc2\\x85b");
	/* A raw 0x9b byte (invalid UTF-8) too. */
	expect_text(S("\x9b"
		      "2J"),
		    "\\x9b2J");
	/* U+00A0 is the first printable code point after C1. */
	expect_text(S("\xc2\xa0"), "\xc2\xa0");
}

Test(escape, text_bidi_overrides_and_line_separators)
{
	expect_text(S("abc\xe2\x80\xae"
		      "fed"),
		    "abc\\xe2\\x80\\xaefed");              /* U+202E RLO */
	expect_text(S("\xe2\x80\xaa"), "\\xe2\\x80\\xaa"); /* U+202A LRE */
	expect_text(S("\xe2\x81\xa6"), "\\xe2\\x81\\xa6"); /* U+2066 LRI */
	expect_text(S("\xe2\x81\xa9"), "\\xe2\\x81\\xa9"); /* U+2069 PDI */
	expect_text(S("\xe2\x80\xa8"), "\\xe2\\x80\\xa8"); /* U+2028 LS */
	expect_text(S("\xe2\x80\xa9"), "\\xe2\\x80\\xa9"); /* U+2029 PS */
	/* Neighbours that are ordinary text stay. */
	expect_text(S("\xe2\x80\xa6"), "\xe2\x80\xa6"); /* U+2026 ellipsis */
	expect_text(S("\xe2\x81\xaa"), "\xe2\x81\xaa"); /* U+206A */
}

Test(escape, text_newline_tab_cr_backslash)
{
	expect_text(S("a\nb\tc\rd"), "a\\nb\\tc\\rd");
	expect_text(S("C:\\path\\x41"), "C:\\\\path\\\\x41");
	expect_text(S("\x00\x7f\x01\x1f"), "\\x00\\x7f\\x01\\x1f");
	expect_text(S(""), "");
}

Test(escape, text_keeps_printable_utf8_and_escapes_invalid_bytes)
{
	expect_text(S("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80"),
		    "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80");
	expect_text(S("\xff\xfe"), "\\xff\\xfe");
	expect_text(S("x\xe2\x82"), "x\\xe2\\x82");
	expect_text(S("\xc0\x80"), "\\xc0\\x80");
	expect_text(S("\xed\xa0\x80"), "\\xed\\xa0\\x80");
}

Test(escape, text_output_is_always_safe)
{
	/* Every two-byte input: no byte below 0x20, no DEL, no ESC, no C1
	 * control either raw or UTF-8 encoded. */
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned b = 0; b < 256; b++) {
			char in[2] = {(char)a, (char)b};
			struct rs_sbuf sb = RS_SBUF_INIT;
			const unsigned char *p;

			rs_escape_text(&sb, in, 2);
			p = (const unsigned char *)rs_sbuf_str(&sb);
			for (size_t i = 0; i < sb.len; i++) {
				cr_assert(p[i] >= 0x20 && p[i] != 0x7f, "byte %#x for %#x %#x",
					  p[i], a, b);
				if (p[i] == 0xc2 && i + 1 < sb.len)
					cr_assert(p[i + 1] < 0x80 || p[i + 1] >= 0xa0,
						  "C1 control for %#x %#x", a, b);
				if (p[i] >= 0x80 && p[i] < 0xa0)
					cr_assert(i > 0 && p[i - 1] >= 0xc2,
						  "raw C1 byte %#x for %#x %#x", p[i], a, b);
			}
			rs_sbuf_free(&sb);
		}
	}
}

/* --- escape: rs_escape_csv ----------------------------------------------- */

Test(escape, csv_plain_and_quoted)
{
	expect_csv(S("plain"), "plain");
	expect_csv(S(""), "");
	expect_csv(S("a,b"), "\"a,b\"");
	expect_csv(S("say \"hi\""), "\"say \"\"hi\"\"\"");
	expect_csv(S("two words"), "\"two words\"");
	/* A newline is escaped, so it does not need quoting. */
	expect_csv(S("x\ny"), "x\\ny");
}

Test(escape, csv_formula_prefixes)
{
	expect_csv(S("=cmd|' /C calc'!A0"), "\"'=cmd|' /C calc'!A0\"");
	expect_csv(S("=1+1"), "'=1+1");
	expect_csv(S("+1"), "'+1");
	expect_csv(S("-1"), "'-1");
	expect_csv(S("@SUM(A1)"), "'@SUM(A1)");
	expect_csv(S("=a,b"), "\"'=a,b\"");
	/* Only a leading one. */
	expect_csv(S("a=b"), "a=b");
	expect_csv(S("1-2"), "1-2");
}

Test(escape, csv_control_characters)
{
	expect_csv(S("\x1b[2J"), "\\x1b[2J");
	expect_csv(S("a\tb"), "a\\tb");
}

/* Regression (src/escape.c, rs_escape_csv, fixed): a cell whose first byte is NUL gets the
 * formula prefix ', because strchr("=+-@", '\0') finds the terminator. */
Test(escape, csv_leading_nul_is_not_a_formula)
{
	expect_csv(S("\0=x"), "\\x00=x");
}

/* --- escape: rs_utf8_decode ---------------------------------------------- */

static void expect_decode(const char *s, size_t n, size_t want_len, uint32_t want_cp)
{
	uint32_t cp = 0xdeadbeef;
	size_t len = rs_utf8_decode((const unsigned char *)s, n, &cp);

	cr_expect_eq(len, want_len, "length %zu, want %zu (first byte %#x)", len, want_len,
		     n ? (unsigned char)s[0] : 0);
	if (want_len > 0 && len == want_len)
		cr_expect_eq(cp, want_cp, "code point %#x, want %#x", cp, want_cp);
}

Test(utf8, decode_valid_boundaries)
{
	expect_decode(S("A"), 1, 0x41);
	expect_decode(S("\x7f"), 1, 0x7f);
	expect_decode(S("\xc2\x80"), 2, 0x80);
	expect_decode(S("\xdf\xbf"), 2, 0x7ff);
	expect_decode(S("\xe0\xa0\x80"), 3, 0x800);
	expect_decode(S("\xed\x9f\xbf"), 3, 0xd7ff);
	expect_decode(S("\xee\x80\x80"), 3, 0xe000);
	expect_decode(S("\xef\xbf\xbf"), 3, 0xffff);
	expect_decode(S("\xf0\x90\x80\x80"), 4, 0x10000);
	expect_decode(S("\xf4\x8f\xbf\xbf"), 4, 0x10ffff);
	/* Only the first sequence is decoded. */
	expect_decode(S("\xc3\xa9zz"), 2, 0xe9);
}

Test(utf8, decode_rejects_overlong)
{
	expect_decode(S("\xc0\x80"), 0, 0);
	expect_decode(S("\xc1\xbf"), 0, 0);
	expect_decode(S("\xe0\x80\x80"), 0, 0);
	expect_decode(S("\xe0\x9f\xbf"), 0, 0);
	expect_decode(S("\xf0\x80\x80\x80"), 0, 0);
	expect_decode(S("\xf0\x8f\xbf\xbf"), 0, 0);
}

Test(utf8, decode_rejects_surrogates_and_beyond_unicode)
{
	expect_decode(S("\xed\xa0\x80"), 0, 0);
	expect_decode(S("\xed\xbf\xbf"), 0, 0);
	expect_decode(S("\xf4\x90\x80\x80"), 0, 0);
	expect_decode(S("\xf5\x80\x80\x80"), 0, 0);
	expect_decode(S("\xf7\xbf\xbf\xbf"), 0, 0);
	expect_decode(S("\xf8\x88\x80\x80\x80"), 0, 0);
	expect_decode(S("\xff"), 0, 0);
	expect_decode(S("\xfe"), 0, 0);
}

Test(utf8, decode_rejects_truncated_and_bad_continuation)
{
	uint32_t cp;

	cr_expect_eq(rs_utf8_decode((const unsigned char *)"", 0, &cp), 0);
	expect_decode(S("\xc3"), 0, 0);
	expect_decode(S("\xe2\x82"), 0, 0);
	expect_decode(S("\xf0\x9f\x98"), 0, 0);
	/* n limits the read even if more bytes follow in memory. */
	expect_decode("\xe2\x82\xac", 2, 0, 0);
	expect_decode(S("\x80"), 0, 0);
	expect_decode(S("\xbf"), 0, 0);
	expect_decode(S("\xe2\x28\xa1"), 0, 0);
	expect_decode(S("\xe2\x82\x28"), 0, 0);
	expect_decode(S("\xf0\x9f\x98\x28"), 0, 0);
	expect_decode(S("\xc3\xc3"), 0, 0);
}

/* --- strnum ---------------------------------------------------------------- */

static void expect_u64(const char *s, uint64_t min, uint64_t max, int want_r, uint64_t want)
{
	uint64_t v = 0x5a5a5a5a;
	int r = rs_strtou64(s, min, max, &v);

	cr_expect_eq(r, want_r, "rs_strtou64(\"%s\") = %d, want %d", s, r, want_r);
	if (want_r == 0)
		cr_expect_eq(v, want, "rs_strtou64(\"%s\") -> %llu", s, (unsigned long long)v);
	else
		cr_expect_eq(v, 0x5a5a5a5a, "rs_strtou64(\"%s\") wrote *out on failure", s);
}

static void expect_i64(const char *s, int64_t min, int64_t max, int want_r, int64_t want)
{
	int64_t v = 0x5a5a5a5a;
	int r = rs_strtoi64(s, min, max, &v);

	cr_expect_eq(r, want_r, "rs_strtoi64(\"%s\") = %d, want %d", s, r, want_r);
	if (want_r == 0)
		cr_expect_eq(v, want, "rs_strtoi64(\"%s\") -> %lld", s, (long long)v);
	else
		cr_expect_eq(v, 0x5a5a5a5a, "rs_strtoi64(\"%s\") wrote *out on failure", s);
}

Test(strnum, u64_valid)
{
	expect_u64("0", 0, UINT64_MAX, 0, 0);
	expect_u64("42", 0, UINT64_MAX, 0, 42);
	expect_u64("18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX);
}

Test(strnum, u64_malformed)
{
	const char *bad[] = {"",    "-1",  "+1",  " 1",  "1 ", "1x", "0x10",
			     "1.5", "1e3", "\t7", "7\n", "--", "x"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_u64(bad[i], 0, UINT64_MAX, -EINVAL, 0);
}

Test(strnum, u64_overflow_and_bounds)
{
	expect_u64("18446744073709551616", 0, UINT64_MAX, -ERANGE, 0);
	expect_u64("99999999999999999999999999", 0, UINT64_MAX, -ERANGE, 0);
	/* Junk after an overflowing number is still malformed. */
	expect_u64("99999999999999999999999999x", 0, UINT64_MAX, -EINVAL, 0);
	expect_u64("9", 10, 20, -ERANGE, 0);
	expect_u64("10", 10, 20, 0, 10);
	expect_u64("20", 10, 20, 0, 20);
	expect_u64("21", 10, 20, -ERANGE, 0);
}

Test(strnum, i64_valid_and_sign)
{
	expect_i64("0", INT64_MIN, INT64_MAX, 0, 0);
	expect_i64("-0", INT64_MIN, INT64_MAX, 0, 0);
	expect_i64("-17", INT64_MIN, INT64_MAX, 0, -17);
	expect_i64("9223372036854775807", INT64_MIN, INT64_MAX, 0, INT64_MAX);
	expect_i64("-9223372036854775808", INT64_MIN, INT64_MAX, 0, INT64_MIN);
}

Test(strnum, i64_malformed)
{
	const char *bad[] = {"", "-", "+5", "--1", "- 1", " -1", "-1 ", "1-", "-x", "5k"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_i64(bad[i], INT64_MIN, INT64_MAX, -EINVAL, 0);
}

Test(strnum, i64_overflow_and_bounds)
{
	expect_i64("9223372036854775808", INT64_MIN, INT64_MAX, -ERANGE, 0);
	expect_i64("-9223372036854775809", INT64_MIN, INT64_MAX, -ERANGE, 0);
	expect_i64("-18446744073709551616", INT64_MIN, INT64_MAX, -ERANGE, 0);
	expect_i64("-11", -10, 10, -ERANGE, 0);
	expect_i64("-10", -10, 10, 0, -10);
	expect_i64("10", -10, 10, 0, 10);
	expect_i64("11", -10, 10, -ERANGE, 0);
	expect_i64("-1", 0, 100, -ERANGE, 0);
}

static void expect_dur(const char *s, uint64_t min, uint64_t max, int want_r, uint64_t want)
{
	uint64_t v = 0x5a5a5a5a;
	int r = rs_parse_duration_ms(s, min, max, &v);

	cr_expect_eq(r, want_r, "rs_parse_duration_ms(\"%s\") = %d, want %d", s, r, want_r);
	if (want_r == 0)
		cr_expect_eq(v, want, "rs_parse_duration_ms(\"%s\") -> %llu", s,
			     (unsigned long long)v);
	else
		cr_expect_eq(v, 0x5a5a5a5a, "rs_parse_duration_ms(\"%s\") wrote *out", s);
}

Test(strnum, duration_units)
{
	expect_dur("250ms", 0, UINT64_MAX, 0, 250);
	expect_dur("2s", 0, UINT64_MAX, 0, 2000);
	expect_dur("10m", 0, UINT64_MAX, 0, 600000);
	expect_dur("1h", 0, UINT64_MAX, 0, 3600000);
	expect_dur("5", 0, UINT64_MAX, 0, 5000);
	expect_dur("0", 0, UINT64_MAX, 0, 0);
	expect_dur("0ms", 0, UINT64_MAX, 0, 0);
}

Test(strnum, duration_malformed)
{
	const char *bad[] = {"",    "ms",  "s",   "5x",   "5 s",  " 5s",  "5s ",   "5S",
			     "5MS", "-1s", "+1s", "1.5s", "5sec", "5mss", "1h30m", "0x10s"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_dur(bad[i], 0, UINT64_MAX, -EINVAL, 0);
}

Test(strnum, duration_overflow_and_bounds)
{
	expect_dur("18446744073709551615ms", 0, UINT64_MAX, 0, UINT64_MAX);
	expect_dur("18446744073709552s", 0, UINT64_MAX, -ERANGE, 0);
	expect_dur("18446744073709551616ms", 0, UINT64_MAX, -ERANGE, 0);
	expect_dur("99999999999999999999999999999999999999h", 0, UINT64_MAX, -ERANGE, 0);
	expect_dur("100ms", 250, 3600000, -ERANGE, 0);
	expect_dur("250ms", 250, 3600000, 0, 250);
	expect_dur("1h", 250, 3600000, 0, 3600000);
	expect_dur("3600001ms", 250, 3600000, -ERANGE, 0);
	expect_dur("61m", 250, 3600000, -ERANGE, 0);
}

/* --- timefmt --------------------------------------------------------------- */

static void expect_rfc3339(int64_t ns, const char *want)
{
	char buf[RS_TIME_BUF];

	cr_expect_str_eq(rs_time_rfc3339(ns, buf, sizeof(buf)), want, "ns %lld", (long long)ns);
}

Test(timefmt, rfc3339_known_values)
{
	expect_rfc3339(0, "1970-01-01T00:00:00.000Z");
	expect_rfc3339(999999, "1970-01-01T00:00:00.000Z");
	expect_rfc3339(1000000, "1970-01-01T00:00:00.001Z");
	expect_rfc3339(1700000000123456789LL, "2023-11-14T22:13:20.123Z");
	expect_rfc3339(951782400LL * RS_NS_PER_SEC, "2000-02-29T00:00:00.000Z");
	expect_rfc3339(4102444799999000000LL, "2099-12-31T23:59:59.999Z");
}

Test(timefmt, rfc3339_negative_ns)
{
	expect_rfc3339(-1, "1969-12-31T23:59:59.999Z");
	expect_rfc3339(-RS_NS_PER_SEC, "1969-12-31T23:59:59.000Z");
	expect_rfc3339(-1500000000LL, "1969-12-31T23:59:58.500Z");
	expect_rfc3339(-86400LL * RS_NS_PER_SEC, "1969-12-31T00:00:00.000Z");
}

Test(timefmt, rfc3339_fits_buffer_for_extremes)
{
	char buf[RS_TIME_BUF];

	rs_time_rfc3339(INT64_MAX, buf, sizeof(buf));
	cr_assert_str_eq(buf, "2262-04-11T23:47:16.854Z");
	rs_time_rfc3339(INT64_MIN, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1677-09-21T00:12:43.145Z");
}

Test(timefmt, local_time_in_utc)
{
	char buf[RS_TIME_BUF];

	setenv("TZ", "UTC", 1);
	tzset();
	cr_assert_str_eq(rs_time_local(1500, buf, sizeof(buf)), "1970-01-01 00:00:00.000 +0000");
	setenv("TZ", "XXX-2", 1);
	tzset();
	cr_assert_str_eq(rs_time_local(1700000000123456789LL, buf, sizeof(buf)),
			 "2023-11-15 00:13:20.123 +0200");
}

static void expect_parse(const char *s, int64_t want)
{
	int64_t ns = 0x5a5a5a5a;
	int r = rs_time_parse(s, &ns);

	cr_expect_eq(r, 0, "rs_time_parse(\"%s\") = %d", s, r);
	cr_expect_eq(ns, want, "rs_time_parse(\"%s\") -> %lld, want %lld", s, (long long)ns,
		     (long long)want);
}

static void expect_parse_fails(const char *s)
{
	int64_t ns = 0x5a5a5a5a;
	int r = rs_time_parse(s, &ns);

	cr_expect_eq(r, -EINVAL, "rs_time_parse(\"%s\") = %d (ns %lld), want -EINVAL", s, r,
		     (long long)ns);
}

Test(timefmt, parse_utc_and_offsets)
{
	const int64_t t = 1700000000LL * RS_NS_PER_SEC;

	expect_parse("1970-01-01T00:00:00Z", 0);
	expect_parse("2023-11-14T22:13:20Z", t);
	expect_parse("2023-11-14t22:13:20z", t);
	expect_parse("2023-11-14 22:13:20Z", t);
	expect_parse("2023-11-14T23:13:20+01:00", t);
	expect_parse("2023-11-14T23:13:20+0100", t);
	expect_parse("2023-11-14T21:13:20-01:00", t);
	expect_parse("2023-11-15T03:43:20+05:30", t);
	expect_parse("1969-12-31T23:59:59Z", -RS_NS_PER_SEC);
	expect_parse("1970-01-01T01:00:00+01:00", 0);
}

Test(timefmt, parse_fraction)
{
	const int64_t t = 1700000000LL * RS_NS_PER_SEC;

	expect_parse("2023-11-14T22:13:20.123Z", t + 123000000);
	expect_parse("2023-11-14T22:13:20.5Z", t + 500000000);
	expect_parse("2023-11-14T22:13:20.000000001Z", t + 1);
	expect_parse("2023-11-14T22:13:20.123456789Z", t + 123456789);
	/* Digits beyond nanoseconds are dropped, not rounded. */
	expect_parse("2023-11-14T22:13:20.1234567899999Z", t + 123456789);
	expect_parse("1969-12-31T23:59:59.5Z", -500000000);
}

Test(timefmt, parse_at_seconds)
{
	expect_parse("@0", 0);
	expect_parse("@1700000000", 1700000000LL * RS_NS_PER_SEC);
	expect_parse("@-1", -RS_NS_PER_SEC);
	expect_parse_fails("@");
	expect_parse_fails("@12x");
	expect_parse_fails("@ 12");
	expect_parse_fails("@1.5");
	expect_parse_fails("@99999999999999999999");
	expect_parse_fails("@9223372037");
}

Test(timefmt, parse_without_zone_is_local_time)
{
	setenv("TZ", "UTC", 1);
	tzset();
	expect_parse("1970-01-01T00:00:00", 0);
	setenv("TZ", "XXX-2", 1);
	tzset();
	expect_parse("1970-01-01T02:00:00.250", 250000000);
}

Test(timefmt, parse_rejects_garbage)
{
	const char *bad[] = {
		"",
		"yesterday",
		"2023-11-14",
		"2023-11-14T",
		"2023-11-14T22:13Z",
		"2023-11-14T22:13:20.Z",
		"2023-11-14T22:13:20+1:00",
		"2023-11-14T22:13:20+01:",
		"2023-11-14T22:13:20+25:00",
		"2023-11-14T22:13:20+01:60",
		"2023-11-14T22:13:20Zjunk",
		"2023-11-14T22:13:20Z ",
		" 2023-11-14T22:13:20Z",
		"2023-13-01T00:00:00Z",
		"2023-00-01T00:00:00Z",
		"2023-11-00T00:00:00Z",
		"2023-11-32T00:00:00Z",
		"2023-11-14T24:00:00Z",
		"2023-11-14T22:60:00Z",
		"2023-11-14T22:13:61Z",
		"2023/11/14T22:13:20Z",
		"2023-11-14X22:13:20Z",
		"23-11-14T22:13:20Z",
		"2023-1-14T22:13:20Z",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_parse_fails(bad[i]);
}

Test(timefmt, parse_round_trips_rfc3339)
{
	const int64_t values[] = {0,
				  -RS_NS_PER_MS,
				  1700000000123000000LL,
				  951782400LL * RS_NS_PER_SEC + 999 * RS_NS_PER_MS,
				  -86399999LL * RS_NS_PER_MS,
				  4102444799999000000LL};

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char buf[RS_TIME_BUF];

		rs_time_rfc3339(values[i], buf, sizeof(buf));
		expect_parse(buf, values[i]);
	}
}

/* Regression (src/timefmt.c, rs_time_parse, fixed): a date outside the range of int64_t
 * nanoseconds (before 1677-09-21 or after 2262-04-11) overflows
 * "(int64_t)t * RS_NS_PER_SEC" (signed overflow, undefined; UBSan aborts)
 * instead of returning -EINVAL. */
Test(timefmt, parse_out_of_range_date_is_rejected)
{
	expect_parse_fails("2263-01-01T00:00:00Z");
	expect_parse_fails("9999-12-31T23:59:59Z");
	expect_parse_fails("1600-01-01T00:00:00Z");
}

/* --- sbuf ------------------------------------------------------------------ */

Test(sbuf, empty_buffer_is_empty_string)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	cr_assert_str_eq(rs_sbuf_str(&sb), "");
	cr_assert_eq(sb.len, 0);
	cr_assert(!rs_sbuf_failed(&sb));
	/* An empty append still leaves a terminated buffer. */
	rs_sbuf_append(&sb, "", 0);
	cr_assert_not_null(sb.buf);
	cr_assert_eq(sb.buf[0], '\0');
	rs_sbuf_free(&sb);
	rs_sbuf_free(&sb);
	cr_assert_null(sb.buf);
	rs_sbuf_free(NULL);
}

Test(sbuf, growth_keeps_contents)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	for (int i = 0; i < 10000; i++)
		rs_sbuf_putc(&sb, (char)('a' + i % 26));
	rs_sbuf_puts(&sb, "END");
	cr_assert(!rs_sbuf_failed(&sb));
	cr_assert_eq(sb.len, 10003);
	cr_assert_geq(sb.cap, sb.len + 1);
	cr_assert_eq(strlen(rs_sbuf_str(&sb)), 10003);
	for (int i = 0; i < 10000; i++)
		cr_assert_eq(sb.buf[i], (char)('a' + i % 26), "byte %d", i);
	cr_assert_str_eq(sb.buf + 10000, "END");
	rs_sbuf_free(&sb);
}

Test(sbuf, binary_data_with_nul)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	rs_sbuf_append(&sb, "a\0b", 3);
	rs_sbuf_append(&sb, "\0", 1);
	cr_assert_eq(sb.len, 4);
	cr_assert(memcmp(sb.buf, "a\0b\0", 5) == 0);
	rs_sbuf_free(&sb);
}

Test(sbuf, max_limit_sets_failed_and_is_sticky)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	sb.max = 16;
	rs_sbuf_puts(&sb, "0123456789abcdef");
	cr_assert(!rs_sbuf_failed(&sb), "exactly max bytes fit");
	cr_assert_eq(sb.len, 16);
	rs_sbuf_putc(&sb, 'x');
	cr_assert(rs_sbuf_failed(&sb));
	cr_assert_eq(sb.len, 16);
	cr_assert_str_eq(rs_sbuf_str(&sb), "0123456789abcdef");
	/* Sticky: even an append that would fit does nothing. */
	rs_sbuf_reset(&sb);
	cr_assert(!rs_sbuf_failed(&sb));
	cr_assert_str_eq(rs_sbuf_str(&sb), "");
	rs_sbuf_puts(&sb, "0123456789");
	rs_sbuf_puts(&sb, "0123456789");
	cr_assert(rs_sbuf_failed(&sb));
	rs_sbuf_puts(&sb, "z");
	cr_assert(rs_sbuf_failed(&sb));
	cr_assert_str_eq(rs_sbuf_str(&sb), "0123456789");
	rs_sbuf_free(&sb);
}

Test(sbuf, huge_append_fails_without_overflow)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	rs_sbuf_puts(&sb, "abc");
	rs_sbuf_append(&sb, "x", SIZE_MAX);
	cr_assert(rs_sbuf_failed(&sb));
	cr_assert_str_eq(rs_sbuf_str(&sb), "abc");
	rs_sbuf_free(&sb);
}

Test(sbuf, reset_keeps_allocation)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char *before;

	rs_sbuf_puts(&sb, "hello");
	before = sb.buf;
	rs_sbuf_reset(&sb);
	cr_assert_eq(sb.len, 0);
	cr_assert_eq(sb.buf, before);
	cr_assert_str_eq(rs_sbuf_str(&sb), "");
	rs_sbuf_puts(&sb, "hi");
	cr_assert_str_eq(rs_sbuf_str(&sb), "hi");
	rs_sbuf_free(&sb);
}

Test(sbuf, printf_appends_and_grows)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char want[600];

	rs_sbuf_puts(&sb, "x=");
	rs_sbuf_printf(&sb, "%d-%s-%llu", -12, "ab", 18446744073709551615ULL);
	cr_assert_str_eq(rs_sbuf_str(&sb), "x=-12-ab-18446744073709551615");
	rs_sbuf_reset(&sb);
	rs_sbuf_printf(&sb, "%0500d", 7);
	snprintf(want, sizeof(want), "%0500d", 7);
	cr_assert_eq(sb.len, 500);
	cr_assert_str_eq(rs_sbuf_str(&sb), want);
	rs_sbuf_printf(&sb, "%s", "");
	cr_assert_eq(sb.len, 500);
	rs_sbuf_free(&sb);
}

Test(sbuf, printf_over_max_fails)
{
	struct rs_sbuf sb = RS_SBUF_INIT;

	sb.max = 8;
	rs_sbuf_printf(&sb, "%s", "abc");
	rs_sbuf_printf(&sb, "%d", 123456);
	cr_assert(rs_sbuf_failed(&sb));
	cr_assert_str_eq(rs_sbuf_str(&sb), "abc");
	rs_sbuf_free(&sb);
}
