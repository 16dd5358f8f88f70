/* Bounded conversion of decimal text to numbers. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "resolvstale/strnum.h"

static int parse_digits(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	bool range = false;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			range = true;
		else
			v = v * 10 + d;
	}
	if (range)
		return -ERANGE;
	*out = v;
	return 0;
}

int rs_strtou64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;
	int r = parse_digits(s, &v);

	if (r < 0)
		return r;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int rs_strtoi64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	uint64_t mag;
	int64_t v;
	int r;

	if (s != NULL && *s == '-') {
		neg = true;
		s++;
	}
	r = parse_digits(s, &mag);
	if (r < 0)
		return r;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return -ERANGE;
		v = (int64_t)mag;
	}
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int rs_parse_duration_ms(const char *s, uint64_t min_ms, uint64_t max_ms, uint64_t *out_ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
		{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", 86400 * 1000},
	};
	char digits[32];
	size_t n = 0;
	uint64_t v, mult = 1000;
	int r;

	if (s == NULL)
		return -EINVAL;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0 || n >= sizeof(digits))
		return n == 0 ? -EINVAL : -ERANGE;
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (s[n] != '\0') {
		size_t i;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strcmp(s + n, units[i].suffix) == 0)
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		mult = units[i].ms;
	}
	r = parse_digits(digits, &v);
	if (r < 0)
		return r;
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	v *= mult;
	if (v < min_ms || v > max_ms)
		return -ERANGE;
	*out_ms = v;
	return 0;
}

int rs_strtox64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++, n++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return -EINVAL;
		if (v >> 60)
			return -ERANGE;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}
