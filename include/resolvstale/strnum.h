/* Bounded conversion of decimal text to numbers.
 *
 * The one way resolvstale turns text into a number (command-line values, /proc
 * fields, audit fields, store rows): the whole string must be a number, in range.
 */
#ifndef RESOLVSTALE_STRNUM_H
#define RESOLVSTALE_STRNUM_H

#include <stdint.h>

/* Parse the decimal unsigned integer in s (no sign, no leading space, no
 * trailing junk) into *out if min <= value <= max. Returns 0, -EINVAL for an
 * empty or malformed string, or -ERANGE for a value outside [min, max]. *out
 * is written only on success. */
int rs_strtou64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Same for a signed decimal integer (an optional leading '-'). */
int rs_strtoi64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Parse unprefixed hexadecimal ("c000003e", as audit writes arch and a0..a3).
 * Same return values; no range other than 64 bits. */
int rs_strtox64(const char *s, uint64_t *out);

/* Parse a duration such as "250ms", "2s", "10m", "1h" or a bare number of
 * seconds into milliseconds, within [min_ms, max_ms]. Same return values. */
int rs_parse_duration_ms(const char *s, uint64_t min_ms, uint64_t max_ms, uint64_t *out_ms);

#endif
