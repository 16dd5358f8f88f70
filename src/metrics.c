/* Prometheus text metrics, written atomically. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/metrics.h"
#include "resolvstale/timefmt.h"

static void head(struct rs_sbuf *o, const char *name, const char *type, const char *help)
{
	rs_sbuf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static double seconds(int64_t ns)
{
	return (double)ns / (double)RS_NS_PER_SEC;
}

void rs_metrics_format(const struct rs_metrics *m, struct rs_sbuf *o)
{
	head(o, "resolvstale_processes", "gauge",
	     "Processes seen since the last change of resolv.conf, by verdict.");
	for (int v = RS_V_STALE; v < RS_V_COUNT; v++)
		rs_sbuf_printf(o, "resolvstale_processes{verdict=\"%s\"} %llu\n",
			       rs_verdict_name((enum rs_verdict)v),
			       (unsigned long long)m->verdicts[v]);
	head(o, "resolvstale_generation", "gauge",
	     "Number of the resolv.conf generation in force (-1: none recorded).");
	rs_sbuf_printf(o, "resolvstale_generation %lld\n", (long long)m->generation);
	head(o, "resolvstale_last_change_timestamp_seconds", "gauge",
	     "When the generation in force was seen, in seconds since the epoch.");
	rs_sbuf_printf(o, "resolvstale_last_change_timestamp_seconds %.3f\n",
		       seconds(m->change_ns));
	head(o, "resolvstale_retired_servers", "gauge",
	     "Nameserver addresses treated as retired in this generation.");
	rs_sbuf_printf(o, "resolvstale_retired_servers %llu\n", (unsigned long long)m->retired);
	head(o, "resolvstale_lost_events", "gauge",
	     "Events the sources lost since the last change (verdicts may be incomplete).");
	rs_sbuf_printf(o, "resolvstale_lost_events %llu\n", (unsigned long long)m->lost_window);
	head(o, "resolvstale_source_up", "gauge",
	     "Whether an evidence source runs (1) or not (0).");
	for (size_t i = 0; i < m->n_sources; i++)
		rs_sbuf_printf(o, "resolvstale_source_up{source=\"%s\"} %d\n", m->sources[i].name,
			       m->sources[i].up ? 1 : 0);
	head(o, "resolvstale_source_lost_events_total", "counter",
	     "Lost-event notices per source since the daemon started.");
	for (size_t i = 0; i < m->n_sources; i++)
		rs_sbuf_printf(o, "resolvstale_source_lost_events_total{source=\"%s\"} %llu\n",
			       m->sources[i].name, (unsigned long long)m->sources[i].lost);
	head(o, "resolvstale_events_total", "counter", "Evidence events handled since start.");
	rs_sbuf_printf(o, "resolvstale_events_total %llu\n", (unsigned long long)m->events);
	head(o, "resolvstale_tracked_processes", "gauge",
	     "Processes the verdict engine holds in memory.");
	rs_sbuf_printf(o, "resolvstale_tracked_processes %llu\n", (unsigned long long)m->tracked);
	head(o, "resolvstale_start_timestamp_seconds", "gauge",
	     "When the daemon started, in seconds since the epoch.");
	rs_sbuf_printf(o, "resolvstale_start_timestamp_seconds %.3f\n", seconds(m->start_ns));
}

int rs_metrics_write(const char *path, const struct rs_metrics *m)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char tmp[4200];
	size_t off = 0;
	int fd, r = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	rs_metrics_format(m, &sb);
	if (rs_sbuf_failed(&sb)) {
		rs_sbuf_free(&sb);
		return -ENOMEM;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		rs_sbuf_free(&sb);
		return -errno;
	}
	while (off < sb.len) {
		ssize_t n = write(fd, sb.buf + off, sb.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	rs_sbuf_free(&sb);
	return r;
}
