/* engine_flood: the verdict engine under a flood of short-lived processes.
 *
 *   engine_flood PROCS SENDS DIR
 *
 * Feeds PROCS processes (a shell loop's dig, a cron storm) that each send
 * SENDS queries to a retired server and one to a current server, then exit;
 * ticks once per simulated second as the daemon does, with a store in DIR.
 * Prints events per second, the most processes held in memory, the peak
 * RSS, and checks that every process ended up stale in the store (exit 1
 * if not). Memory must stay bounded by what a few seconds of processes
 * need, not grow with PROCS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "resolvstale/engine.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

static int gone(void *ctx, int32_t pid, uint64_t starttime)
{
	(void)ctx;
	(void)pid;
	(void)starttime;
	return 0; /* every process exited by the time it is checked */
}

static void send_to(struct rs_engine *e, int32_t pid, uint64_t st, int64_t t,
		    const struct rs_addr *dst)
{
	struct rs_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = RS_EV_DNS_SEND;
	ev.source = RS_SRC_AUDIT;
	ev.time_ns = t;
	ev.proc.pid = pid;
	ev.proc.starttime = st;
	ev.proc.ppid = 4242;
	ev.proc.uid = ev.proc.auid = 0;
	ev.proc.comm = "dig";
	ev.proc.exe = "/usr/bin/dig";
	ev.u.dns.dst = *dst;
	ev.u.dns.port = 53;
	ev.u.dns.syscall = "sendmsg";
	ev.u.dns.fd = 3;
	rs_engine_feed(e, &ev);
}

int main(int argc, char **argv)
{
	struct rs_addr old, cur;
	struct rs_engine_opts o;
	struct rs_engine *e;
	struct rs_store *st;
	struct rusage ru;
	uint64_t procs, sends, counts[RS_V_COUNT], events = 0;
	char path[4096], err[256];
	int64_t t0 = rs_time_now_ns() - 3600 * RS_NS_PER_SEC, t, start, next_tick;
	double secs;

	if (argc != 4 || rs_strtou64(argv[1], 1, 10000000, &procs) < 0 ||
	    rs_strtou64(argv[2], 1, 1000, &sends) < 0) {
		fprintf(stderr, "usage: engine_flood PROCS SENDS DIR\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/flood.db", argv[3]);
	if (rs_store_open(path, RS_STORE_WRITE, &st, err, sizeof(err)) < 0) {
		fprintf(stderr, "engine_flood: %s: %s\n", path, err);
		return 2;
	}
	rs_addr_parse("192.0.2.1", &old);
	rs_addr_parse("192.0.2.2", &cur);
	memset(&o, 0, sizeof(o));
	o.grace_ns = 2 * RS_NS_PER_SEC;
	o.store = st;
	o.boot_ns = t0 - 86400 * RS_NS_PER_SEC;
	o.clk_tck = 100;
	o.alive = gone;
	o.exit_check_ns = RS_NS_PER_SEC;
	o.evict_after_ns = 2 * RS_NS_PER_SEC;
	if (rs_engine_new(&o, &e) < 0 || rs_engine_set_generation(e, 1, t0, &cur, 1, &old, 1) < 0) {
		fprintf(stderr, "engine_flood: cannot start the engine\n");
		return 2;
	}
	/* 1000 processes per simulated second, from T + 5 s. */
	start = rs_time_mono_ns();
	t = t0 + 5 * RS_NS_PER_SEC;
	next_tick = t + RS_NS_PER_SEC;
	for (uint64_t i = 0; i < procs; i++) {
		int32_t pid = (int32_t)(1000 + i % 4000000);
		uint64_t stt = 8640000 + 100 + i; /* started after the change */

		t += RS_NS_PER_MS;
		for (uint64_t k = 0; k < sends; k++)
			send_to(e, pid, stt, t, &old);
		send_to(e, pid, stt, t, &cur);
		events += sends + 1;
		if (t >= next_tick) {
			if (rs_engine_tick(e, t) < 0 || rs_store_flush(st) < 0) {
				fprintf(stderr, "engine_flood: store: %s\n", rs_store_errmsg(st));
				return 2;
			}
			next_tick += RS_NS_PER_SEC;
		}
	}
	for (int k = 0; k < 5; k++) {
		t += RS_NS_PER_SEC;
		rs_engine_tick(e, t);
		rs_store_flush(st);
	}
	secs = (double)(rs_time_mono_ns() - start) / 1e9;
	getrusage(RUSAGE_SELF, &ru);
	if (rs_store_verdict_counts(st, 1, counts) < 0) {
		fprintf(stderr, "engine_flood: %s\n", rs_store_errmsg(st));
		return 2;
	}
	printf("engine_flood: %llu processes x %llu sends: %llu events in %.3f s = %.0f events/s, "
	       "%.0f processes/s; most processes in memory %llu, evicted %llu, peak RSS %.1f MB; "
	       "stale in the store %llu\n",
	       (unsigned long long)procs, (unsigned long long)sends, (unsigned long long)events,
	       secs, (double)events / secs, (double)procs / secs,
	       (unsigned long long)rs_engine_stats(e)->peak,
	       (unsigned long long)rs_engine_stats(e)->evicted, (double)ru.ru_maxrss / 1024.0,
	       (unsigned long long)counts[RS_V_STALE]);
	rs_engine_free(e);
	rs_store_close(st);
	return counts[RS_V_STALE] == procs ? 0 : 1;
}
