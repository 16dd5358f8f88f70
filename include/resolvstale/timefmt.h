/* Wall-clock time: reading it and writing it as RFC 3339. */
#ifndef RESOLVSTALE_TIMEFMT_H
#define RESOLVSTALE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define RS_NS_PER_SEC 1000000000LL
#define RS_NS_PER_MS  1000000LL
#define RS_TIME_BUF   40 /* enough for every format below */

/* CLOCK_REALTIME in nanoseconds since the epoch. */
int64_t rs_time_now_ns(void);
/* CLOCK_MONOTONIC in nanoseconds. */
int64_t rs_time_mono_ns(void);
/* The wall-clock time of boot to the microsecond (CLOCK_REALTIME minus
 * CLOCK_BOOTTIME): /proc/PID/stat's starttime counts from there. */
int64_t rs_time_boot_ns(void);

/* "2026-11-21T21:56:27.123Z" (UTC, milliseconds). Returns buf. */
char *rs_time_rfc3339(int64_t ns, char *buf, size_t len);
/* "2026-11-21 22:56:27.123 +0100" (local time, for humans). Returns buf. */
char *rs_time_local(int64_t ns, char *buf, size_t len);

/* Parse "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (a space may replace
 * the T; no zone means local time) or "@SECONDS" into ns since the epoch.
 * Returns 0 or -EINVAL. */
int rs_time_parse(const char *s, int64_t *ns);

#endif
