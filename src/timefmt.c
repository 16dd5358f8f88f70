/* Wall-clock time: reading it and writing it as RFC 3339. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

int64_t rs_time_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * RS_NS_PER_SEC + ts.tv_nsec;
}

int64_t rs_time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * RS_NS_PER_SEC + ts.tv_nsec;
}

int64_t rs_time_boot_ns(void)
{
	struct timespec rt, bt, rt2;

	/* Bracket the boot clock between two wall-clock reads. */
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	clock_gettime(CLOCK_REALTIME, &rt2);
	return ((int64_t)rt.tv_sec * RS_NS_PER_SEC + rt.tv_nsec) / 2 +
	       ((int64_t)rt2.tv_sec * RS_NS_PER_SEC + rt2.tv_nsec) / 2 -
	       ((int64_t)bt.tv_sec * RS_NS_PER_SEC + bt.tv_nsec);
}

static void split(int64_t ns, time_t *sec, int *ms)
{
	int64_t s = ns / RS_NS_PER_SEC, rem = ns % RS_NS_PER_SEC;

	if (rem < 0) {
		rem += RS_NS_PER_SEC;
		s--;
	}
	*sec = (time_t)s;
	*ms = (int)(rem / RS_NS_PER_MS);
}

char *rs_time_rfc3339(int64_t ns, char *buf, size_t len)
{
	struct tm tm;
	time_t sec;
	int ms;

	split(ns, &sec, &ms);
	if (gmtime_r(&sec, &tm) == NULL) {
		snprintf(buf, len, "@%lld", (long long)sec);
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
	return buf;
}

char *rs_time_local(int64_t ns, char *buf, size_t len)
{
	struct tm tm;
	time_t sec;
	char zone[8];
	int ms;

	split(ns, &sec, &ms);
	if (localtime_r(&sec, &tm) == NULL || strftime(zone, sizeof(zone), "%z", &tm) == 0) {
		return rs_time_rfc3339(ns, buf, len);
	}
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03d %s", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms, zone);
	return buf;
}

/* Read exactly n digits at *p into *v. */
static bool digits(const char **p, int n, int *v)
{
	int x = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		x = x * 10 + (c - '0');
	}
	*p += n;
	*v = x;
	return true;
}

int rs_time_parse(const char *s, int64_t *ns)
{
	struct tm tm;
	int year, mon, day, hour, min, sec, frac_ns = 0, zh, zm;
	bool has_zone = false;
	long zone_sec = 0;
	time_t t;
	const char *p = s;

	if (s == NULL)
		return -EINVAL;
	if (*s == '@') {
		int64_t v;
		if (rs_strtoi64(s + 1, INT64_MIN / RS_NS_PER_SEC, INT64_MAX / RS_NS_PER_SEC, &v) <
		    0)
			return -EINVAL;
		*ns = v * RS_NS_PER_SEC;
		return 0;
	}
	if (!digits(&p, 4, &year) || *p++ != '-' || !digits(&p, 2, &mon) || *p++ != '-' ||
	    !digits(&p, 2, &day))
		return -EINVAL;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -EINVAL;
	p++;
	if (!digits(&p, 2, &hour) || *p++ != ':' || !digits(&p, 2, &min) || *p++ != ':' ||
	    !digits(&p, 2, &sec))
		return -EINVAL;
	if (*p == '.') {
		int scale = 100000000, n = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (n < 9)
				frac_ns += (*p - '0') * scale;
			scale /= 10;
			n++;
			p++;
		}
		if (n == 0)
			return -EINVAL;
	}
	if (*p == 'Z' || *p == 'z') {
		has_zone = true;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		p++;
		if (!digits(&p, 2, &zh))
			return -EINVAL;
		if (*p == ':')
			p++;
		if (!digits(&p, 2, &zm) || zh > 23 || zm > 59)
			return -EINVAL;
		has_zone = true;
		zone_sec = sign * (zh * 3600L + zm * 60L);
	}
	if (*p != '\0')
		return -EINVAL;
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = has_zone ? timegm(&tm) - zone_sec : mktime(&tm);
	if (t == (time_t)-1 && !(year == 1969 || year == 1970))
		return -EINVAL;
	/* Nanoseconds in an int64_t reach from 1677-09-21 to 2262-04-11. */
	if (t > INT64_MAX / RS_NS_PER_SEC - 1 || t < INT64_MIN / RS_NS_PER_SEC + 1)
		return -EINVAL;
	*ns = (int64_t)t * RS_NS_PER_SEC + frac_ns;
	return 0;
}
