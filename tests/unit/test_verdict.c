/* Verdicts (DESIGN.md §5): the pure decision over a generation, a process and
 * its aggregated evidence, its precedence, the stale test of one row of
 * evidence, the action line, and the name round trips. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "resolvstale/addr.h"
#include "resolvstale/runtime.h"
#include "resolvstale/verdict.h"
#include "testutil.h"

#define SEC   1000000000LL
#define T     (1700000000LL * SEC) /* the change */
#define GRACE (2 * SEC)

#define RETIRED   "192.0.2.1"
#define RETIRED6  "2001:db8::53"
#define RETIRED_L "127.0.0.53" /* a loopback stub that was retired */
#define CURRENT   "198.51.100.1"

static struct rs_addr retired[4], current[1];
static struct rs_vgen gen;
static struct rs_vproc proc;
static struct rs_vseq seq;

static void addr(struct rs_addr *a, const char *text)
{
	cr_assert_eq(rs_addr_parse(text, a), 0, "%s", text);
}

/* A host process started long before the change, no runtime known. */
static void setup(void)
{
	addr(&retired[0], RETIRED);
	addr(&retired[1], RETIRED6);
	addr(&retired[2], RETIRED_L);
	addr(&retired[3], "::1");
	addr(&current[0], CURRENT);
	memset(&gen, 0, sizeof(gen));
	gen.t_ns = T;
	gen.grace_ns = GRACE;
	gen.retired = retired;
	gen.n_retired = 4;
	gen.current = current;
	gen.n_current = 1;
	memset(&proc, 0, sizeof(proc));
	proc.start_ns = T - 3600 * SEC;
	proc.first_seen_ns = T;
	proc.domain = RS_DOMAIN_HOST;
	memset(&seq, 0, sizeof(seq));
}

TestSuite(verdict, .init = setup);

/* --- helpers --------------------------------------------------------------- */

static struct rs_evidence traffic(enum rs_ev_kind kind, const char *dst, int64_t first,
				  int64_t last, uint64_t count)
{
	struct rs_evidence e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.source = kind == RS_EK_SOCKET ? RS_SRC_PROCSCAN : RS_SRC_AUDIT;
	addr(&e.dst, dst);
	e.port = 53;
	e.proto = RS_PROTO_UDP;
	snprintf(e.syscall, sizeof(e.syscall), "%s", kind == RS_EK_SEND ? "sendto" : "");
	e.first_ns = first;
	e.last_ns = last;
	e.count = count;
	return e;
}

static struct rs_evidence send_at(const char *dst, int64_t when)
{
	return traffic(RS_EK_SEND, dst, when, when, 1);
}

static struct rs_evidence config_at(enum rs_ev_kind kind, int64_t when)
{
	struct rs_evidence e;

	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.source = RS_SRC_FANOTIFY;
	snprintf(e.syscall, sizeof(e.syscall), "openat");
	e.first_ns = e.last_ns = when;
	e.count = 1;
	return e;
}

static void reads_once(struct rs_vproc *p)
{
	p->have_runtime = true;
	p->runtime = RS_RT_CARES;
	p->primary.path = RS_PATH_CARES;
	p->primary.rule = RS_RELOAD_READS_ONCE;
}

static struct rs_vresult decide(const struct rs_evidence *ev, size_t n, const struct rs_vseq *s)
{
	struct rs_vresult r;

	memset(&r, 0xa5, sizeof(r)); /* the result must be filled whatever it held */
	rs_verdict_decide(&gen, &proc, ev, n, s, &r);
	cr_assert_lt(strlen(r.reason), sizeof(r.reason));
	return r;
}

#define assert_verdict(r, want)                                                                    \
	cr_assert_eq((r).verdict, (want), "verdict %s, want %s (reason: %s)",                      \
		     rs_verdict_name((r).verdict), rs_verdict_name(want), (r).reason)

#define assert_reason_has(r, needle)                                                               \
	cr_assert_not_null(strstr((r).reason, (needle)), "reason \"%s\" lacks \"%s\"", (r).reason, \
			   (needle))

static void action(const struct rs_action_in *in, char *buf, size_t len)
{
	memset(buf, 'x', len);
	rs_verdict_action(in, buf, len);
	cr_assert_lt(strlen(buf), len);
}

/* --- names ----------------------------------------------------------------- */

Test(verdict, verdict_names_round_trip)
{
	static const char *const want[RS_V_COUNT] = {
		[RS_V_STALE] = "stale",           [RS_V_RECOVERED] = "recovered",
		[RS_V_RELOADED] = "reloaded",     [RS_V_AT_RISK] = "at-risk",
		[RS_V_UNAFFECTED] = "unaffected", [RS_V_OTHER_CONFIG] = "other-config",
	};

	for (int v = RS_V_STALE; v < RS_V_COUNT; v++) {
		cr_assert_str_eq(rs_verdict_name((enum rs_verdict)v), want[v]);
		cr_assert_eq(rs_verdict_from_name(want[v]), (enum rs_verdict)v, "%s", want[v]);
	}
	cr_assert_str_eq(rs_verdict_name(RS_V_NONE), "none");
	cr_assert_str_eq(rs_verdict_name(RS_V_COUNT), "none");
	cr_assert_str_eq(rs_verdict_name((enum rs_verdict)(-1)), "none");
	cr_assert_eq(rs_verdict_from_name("none"), RS_V_NONE);
	cr_assert_eq(rs_verdict_from_name("Stale"), RS_V_NONE);
	cr_assert_eq(rs_verdict_from_name("stale "), RS_V_NONE);
	cr_assert_eq(rs_verdict_from_name(""), RS_V_NONE);
	cr_assert_eq(rs_verdict_from_name(NULL), RS_V_NONE);
}

Test(verdict, evidence_kind_names_round_trip)
{
	static const struct {
		enum rs_ev_kind k;
		const char *name;
	} kinds[] = {
		{RS_EK_SEND, "dns_send"},
		{RS_EK_SOCKET, "socket"},
		{RS_EK_OPEN, "config_open"},
		{RS_EK_STAT, "config_stat"},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cr_assert_str_eq(rs_ev_kind_name(kinds[i].k), kinds[i].name);
		cr_assert_eq(rs_ev_kind_from_name(kinds[i].name), kinds[i].k);
	}
	cr_assert_eq(rs_ev_kind_from_name("dns-send"), 0);
	cr_assert_eq(rs_ev_kind_from_name("unknown"), 0);
	cr_assert_eq(rs_ev_kind_from_name(""), 0);
	cr_assert_eq(rs_ev_kind_from_name(NULL), 0);
}

Test(verdict, addr_in_matches_mapped_ipv4)
{
	struct rs_addr a;

	addr(&a, "::ffff:192.0.2.1");
	cr_assert(rs_addr_in(&a, retired, 4));
	addr(&a, "192.0.2.1");
	cr_assert(rs_addr_in(&a, retired, 4));
	cr_assert_not(rs_addr_in(&a, retired, 0));
	addr(&a, "192.0.2.10");
	cr_assert_not(rs_addr_in(&a, retired, 4));
}

/* --- one row of evidence --------------------------------------------------- */

Test(verdict, evidence_is_stale_after_grace_only)
{
	struct rs_evidence e;

	e = send_at(RETIRED, T + GRACE + 1);
	cr_assert(rs_evidence_is_stale(&e, &gen, &proc));
	e = send_at(RETIRED, T + GRACE - 1);
	cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc), "in flight at the change");
	e = send_at(RETIRED, T);
	cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc));
	e = send_at(RETIRED, T - 10 * SEC);
	cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc), "before the change");
	/* An aggregate that began in the grace window and went on after it. */
	e = traffic(RS_EK_SEND, RETIRED, T + 1, T + 10 * SEC, 5);
	cr_assert(rs_evidence_is_stale(&e, &gen, &proc));
}

Test(verdict, evidence_is_stale_only_for_retired_port_53_traffic)
{
	struct rs_evidence e;

	e = send_at(CURRENT, T + 5 * SEC);
	cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc), "current server");
	e = send_at("203.0.113.7", T + 5 * SEC);
	cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc), "unrelated server");
	e = send_at(RETIRED, T + 5 * SEC);
	e.port = 5353;
	cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc), "not port 53");
	e = traffic(RS_EK_SOCKET, RETIRED, T + 5 * SEC, T + 5 * SEC, 1);
	cr_assert(rs_evidence_is_stale(&e, &gen, &proc), "a socket counts");
	e = send_at(RETIRED6, T + 5 * SEC);
	e.proto = RS_PROTO_TCP;
	cr_assert(rs_evidence_is_stale(&e, &gen, &proc), "IPv6 over TCP");
	e = config_at(RS_EK_OPEN, T + 5 * SEC);
	cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc));
	e = config_at(RS_EK_STAT, T + 5 * SEC);
	cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc));
}

Test(verdict, evidence_mapped_ipv6_equals_ipv4)
{
	struct rs_evidence e = send_at("::ffff:192.0.2.1", T + 5 * SEC);
	struct rs_addr r[1];

	cr_assert(rs_evidence_is_stale(&e, &gen, &proc));
	/* And the other way round: the retired list holds the mapped form. */
	addr(&r[0], "::ffff:203.0.113.9");
	gen.retired = r;
	gen.n_retired = 1;
	e = send_at("203.0.113.9", T + 5 * SEC);
	cr_assert(rs_evidence_is_stale(&e, &gen, &proc));
}

Test(verdict, evidence_loopback_needs_loopback_ok)
{
	static const char *const lo[] = {RETIRED_L, "::ffff:127.0.0.53", "::1"};

	for (size_t i = 0; i < 3; i++) {
		struct rs_evidence e = send_at(lo[i], T + 5 * SEC);

		proc.loopback_ok = false;
		cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc), "%s in another netns", lo[i]);
		proc.loopback_ok = true;
		cr_assert(rs_evidence_is_stale(&e, &gen, &proc), "%s in the host netns", lo[i]);
	}
	/* loopback_ok does not make a current loopback address stale. */
	{
		struct rs_evidence e = send_at("127.0.0.1", T + 5 * SEC);

		cr_assert_not(rs_evidence_is_stale(&e, &gen, &proc));
	}
}

/* --- stale ------------------------------------------------------------------- */

Test(verdict, send_after_grace_is_stale)
{
	struct rs_evidence ev[] = {traffic(RS_EK_SEND, RETIRED, T + 3 * SEC, T + 5 * SEC, 4)};
	struct rs_vresult r = decide(ev, 1, &seq);

	assert_verdict(r, RS_V_STALE);
	cr_assert_eq(r.last_stale_ns, T + 5 * SEC);
	cr_assert_eq(r.stale_count, 4);
	cr_assert(rs_addr_equal(&r.stale_dst, &retired[0]));
	cr_assert_not(r.explicit_server);
	cr_assert_not(r.own_file_lists);
	assert_reason_has(r, RETIRED);
	assert_reason_has(r, "sendto");
}

Test(verdict, send_within_grace_is_not_stale)
{
	struct rs_evidence ev[] = {send_at(RETIRED, T + GRACE / 2)};
	struct rs_vresult r = decide(ev, 1, &seq);

	assert_verdict(r, RS_V_UNAFFECTED);
	cr_assert_eq(r.stale_count, 0);
	cr_assert_eq(r.last_stale_ns, 0);
	cr_assert_eq(r.stale_dst.family, 0);

	/* An in-flight send proves nothing: a reads-once resolver is still at risk. */
	reads_once(&proc);
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_AT_RISK);
}

Test(verdict, socket_to_retired_is_stale)
{
	struct rs_evidence ev[] = {traffic(RS_EK_SOCKET, RETIRED, T + 4 * SEC, T + 8 * SEC, 3)};
	struct rs_vresult r = decide(ev, 1, &seq);

	assert_verdict(r, RS_V_STALE);
	cr_assert_eq(r.last_stale_ns, T + 8 * SEC);
	cr_assert_eq(r.stale_count, 3);
	assert_reason_has(r, "socket");
	assert_reason_has(r, RETIRED);
}

Test(verdict, stale_sums_rows_and_names_the_latest)
{
	struct rs_evidence ev[] = {
		traffic(RS_EK_SEND, RETIRED, T + 3 * SEC, T + 5 * SEC, 2),
		traffic(RS_EK_SEND, RETIRED6, T + 4 * SEC, T + 9 * SEC, 3),
		traffic(RS_EK_SOCKET, RETIRED, T + 6 * SEC, T + 7 * SEC, 1),
		send_at(RETIRED, T + 1),       /* in the grace window: not counted */
		send_at("203.0.113.7", T + 9), /* not retired */
	};
	struct rs_vresult r = decide(ev, 5, &seq);

	assert_verdict(r, RS_V_STALE);
	cr_assert_eq(r.stale_count, 6);
	cr_assert_eq(r.last_stale_ns, T + 9 * SEC);
	cr_assert(rs_addr_equal(&r.stale_dst, &retired[1]));
}

Test(verdict, mapped_ipv6_send_is_stale)
{
	struct rs_evidence ev[] = {send_at("::ffff:192.0.2.1", T + 5 * SEC)};
	struct rs_vresult r = decide(ev, 1, &seq);

	assert_verdict(r, RS_V_STALE);
	cr_assert(rs_addr_same_server(&r.stale_dst, &retired[0]));
}

Test(verdict, loopback_retired_counts_only_with_loopback_ok)
{
	struct rs_evidence ev[] = {send_at(RETIRED_L, T + 5 * SEC)};
	struct rs_vresult r;

	proc.loopback_ok = false;
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_UNAFFECTED);
	cr_assert_eq(r.stale_count, 0);

	proc.loopback_ok = true;
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_STALE);
	assert_reason_has(r, RETIRED_L);
}

Test(verdict, stale_beats_everything)
{
	struct rs_evidence ev[] = {
		send_at(RETIRED, T + 5 * SEC),
		config_at(RS_EK_OPEN, T + 4 * SEC),
		send_at(CURRENT, T + 3 * SEC),
	};
	struct rs_vresult r;

	reads_once(&proc);
	r = decide(ev, 3, &seq);
	assert_verdict(r, RS_V_STALE);

	proc.exited = true;
	r = decide(ev, 3, &seq);
	assert_verdict(r, RS_V_STALE);

	proc.exited = false;
	proc.start_ns = T + SEC; /* started after the change */
	r = decide(ev, 3, &seq);
	assert_verdict(r, RS_V_STALE);

	proc.domain = RS_DOMAIN_OTHER;
	r = decide(ev, 3, &seq);
	assert_verdict(r, RS_V_STALE);

	proc.domain = RS_DOMAIN_NONE;
	r = decide(ev, 3, &seq);
	assert_verdict(r, RS_V_STALE);
}

/* --- recovered and two paths -------------------------------------------------- */

/* Stale sends until T+5, then only sends to the current server. */
static size_t clean_switch(struct rs_evidence *ev)
{
	ev[0] = traffic(RS_EK_SEND, RETIRED, T + 3 * SEC, T + 5 * SEC, 2);
	ev[1] = traffic(RS_EK_SEND, CURRENT, T + 6 * SEC, T + 8 * SEC, 3);
	seq.last_stale_ns = T + 5 * SEC;
	seq.new_after = 3;
	seq.new_before = 0;
	return 2;
}

Test(verdict, clean_switch_is_recovered)
{
	struct rs_evidence ev[4];
	size_t n = clean_switch(ev);
	struct rs_vresult r = decide(ev, n, &seq);

	assert_verdict(r, RS_V_RECOVERED);
	cr_assert_eq(r.last_stale_ns, T + 5 * SEC);
	cr_assert_eq(r.stale_count, 2);
	cr_assert(rs_addr_equal(&r.stale_dst, &retired[0]));
	assert_reason_has(r, RETIRED);

	/* A re-read of the file in between is mentioned. */
	ev[n] = config_at(RS_EK_OPEN, T + 5 * SEC + 1);
	r = decide(ev, n + 1, &seq);
	assert_verdict(r, RS_V_RECOVERED);
	assert_reason_has(r, "opening resolv.conf again");
}

Test(verdict, recovered_needs_the_sequence)
{
	struct rs_evidence ev[4];
	size_t n = clean_switch(ev);
	struct rs_vresult r;

	r = decide(ev, n, NULL);
	assert_verdict(r, RS_V_STALE);

	seq.new_after = 0;
	r = decide(ev, n, &seq);
	assert_verdict(r, RS_V_STALE);
}

Test(verdict, current_sends_only_before_the_last_stale_send_stay_stale)
{
	struct rs_evidence ev[] = {
		traffic(RS_EK_SEND, CURRENT, T + 3 * SEC, T + 4 * SEC, 2),
		traffic(RS_EK_SEND, RETIRED, T + 5 * SEC, T + 6 * SEC, 2),
	};
	struct rs_vresult r;

	/* Even if the sequence claims sends after it, the rows say otherwise. */
	seq.last_stale_ns = T + 6 * SEC;
	seq.new_after = 1;
	r = decide(ev, 2, &seq);
	assert_verdict(r, RS_V_STALE);
}

Test(verdict, two_paths_stay_stale)
{
	struct rs_evidence ev[4];
	size_t n = clean_switch(ev);
	struct rs_vresult r;

	seq.new_before = 1; /* a current send came before a stale one */
	r = decide(ev, n, &seq);
	assert_verdict(r, RS_V_STALE);
	assert_reason_has(r, "two resolver paths");
	cr_assert_eq(r.stale_count, 2);
}

Test(verdict, socket_seen_after_the_switch_stays_stale)
{
	struct rs_evidence ev[4];
	size_t n = clean_switch(ev);
	struct rs_vresult r;

	ev[n] = traffic(RS_EK_SOCKET, RETIRED, T + 9 * SEC, T + 9 * SEC, 1);
	r = decide(ev, n + 1, &seq);
	assert_verdict(r, RS_V_STALE);
	assert_reason_has(r, "socket");
	cr_assert_eq(r.last_stale_ns, T + 9 * SEC);
	cr_assert_eq(r.stale_count, 3);

	/* A socket last seen before the switch does not undo it. */
	ev[n] = traffic(RS_EK_SOCKET, RETIRED, T + 4 * SEC, T + 4 * SEC, 1);
	r = decide(ev, n + 1, &seq);
	assert_verdict(r, RS_V_RECOVERED);
}

/* --- other-config ------------------------------------------------------------ */

Test(verdict, other_domain_without_stale_evidence_is_other_config)
{
	struct rs_vresult r;

	proc.domain = RS_DOMAIN_OTHER;
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_OTHER_CONFIG);

	proc.config_ns = "10.0.0.2 10.0.0.3";
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_OTHER_CONFIG);
	assert_reason_has(r, "10.0.0.2 10.0.0.3");

	proc.domain = RS_DOMAIN_NONE;
	proc.config_ns = NULL;
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_OTHER_CONFIG);
}

Test(verdict, other_config_beats_unaffected_reloaded_and_at_risk)
{
	struct rs_evidence ev[] = {config_at(RS_EK_OPEN, T + 5 * SEC),
				   send_at(CURRENT, T + 6 * SEC), send_at(RETIRED, T + 1)};
	struct rs_vresult r;

	proc.domain = RS_DOMAIN_OTHER;
	reads_once(&proc);
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_OTHER_CONFIG); /* not at-risk */
	r = decide(ev, 3, &seq);
	assert_verdict(r, RS_V_OTHER_CONFIG); /* not reloaded */
	proc.start_ns = T + SEC;
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_OTHER_CONFIG); /* not unaffected */
}

Test(verdict, other_domain_whose_file_lists_the_address_is_stale)
{
	struct rs_evidence ev[] = {send_at(RETIRED, T + 5 * SEC)};
	struct rs_vresult r;

	proc.domain = RS_DOMAIN_OTHER;
	proc.config_ns = "10.0.0.2 192.0.2.1";
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_STALE);
	cr_assert(r.own_file_lists);
	cr_assert_not(r.explicit_server);
	assert_reason_has(r, "its own resolv.conf lists");
	assert_reason_has(r, RETIRED);

	/* Started after the change: its own file still explains it. */
	proc.start_ns = T + SEC;
	r = decide(ev, 1, &seq);
	cr_assert(r.own_file_lists);
	cr_assert_not(r.explicit_server);
}

Test(verdict, own_file_lists_matches_whole_addresses)
{
	struct rs_evidence ev[] = {send_at(RETIRED, T + 5 * SEC)};
	struct rs_vresult r;

	proc.domain = RS_DOMAIN_OTHER;
	proc.config_ns = "192.0.2.10 10.192.0.2.1";
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_STALE);
	cr_assert_not(r.own_file_lists);
	cr_assert_null(strstr(r.reason, "its own resolv.conf lists"), "%s", r.reason);

	/* A host process: its config_ns does not matter. */
	proc.domain = RS_DOMAIN_HOST;
	proc.config_ns = "192.0.2.1";
	r = decide(ev, 1, &seq);
	cr_assert_not(r.own_file_lists);
}

/* --- explicit servers ---------------------------------------------------------- */

Test(verdict, started_after_the_change_on_the_host_is_explicit)
{
	struct rs_evidence ev[] = {send_at(RETIRED, T + 11 * SEC)};
	struct rs_vresult r;

	proc.start_ns = T + 10 * SEC;
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_STALE);
	cr_assert(r.explicit_server);
	assert_reason_has(r, "explicit server");
}

Test(verdict, cmdline_naming_the_address_is_explicit)
{
	static const char *const yes[] = {
		"dig @192.0.2.1 example.com",
		"nslookup example.com 192.0.2.1",
		"dnsmasq --server=192.0.2.1",
		"192.0.2.1",
	};
	static const char *const no[] = {
		"dig @192.0.2.10 example.com",
		"dig @10.192.0.2.1 example.com",
		"ping 192.0.2.100",
		"curl http://example.com/",
	};
	struct rs_evidence ev[] = {send_at(RETIRED, T + 5 * SEC)};
	struct rs_vresult r;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		proc.cmdline = yes[i];
		r = decide(ev, 1, &seq);
		assert_verdict(r, RS_V_STALE);
		cr_assert(r.explicit_server, "\"%s\" names %s", yes[i], RETIRED);
		assert_reason_has(r, "command line");
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		proc.cmdline = no[i];
		r = decide(ev, 1, &seq);
		assert_verdict(r, RS_V_STALE);
		cr_assert_not(r.explicit_server, "\"%s\" does not name %s", no[i], RETIRED);
	}
}

Test(verdict, unknown_start_is_not_explicit)
{
	struct rs_evidence ev[] = {send_at(RETIRED, T + 5 * SEC)};
	struct rs_vresult r;

	proc.start_ns = 0;
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_STALE);
	cr_assert_not(r.explicit_server);
}

/* --- unaffected, reloaded, at-risk ------------------------------------------------ */

Test(verdict, started_after_the_change_is_unaffected)
{
	struct rs_evidence ev[] = {config_at(RS_EK_OPEN, T + 2 * SEC), send_at(CURRENT, T + 3)};
	struct rs_vresult r;

	proc.start_ns = T + SEC;
	reads_once(&proc);
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_UNAFFECTED);
	assert_reason_has(r, "started after");
	/* unaffected comes before reloaded in the table */
	r = decide(ev, 2, &seq);
	assert_verdict(r, RS_V_UNAFFECTED);
}

Test(verdict, config_open_after_the_change_is_reloaded)
{
	struct rs_evidence ev[] = {config_at(RS_EK_OPEN, T + 4 * SEC)};
	struct rs_vresult r;

	reads_once(&proc); /* reloaded comes before at-risk */
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_RELOADED);
	assert_reason_has(r, "opened resolv.conf");

	ev[0] = config_at(RS_EK_OPEN, T - SEC);
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_AT_RISK); /* an open before the change is no re-read */

	ev[0] = config_at(RS_EK_STAT, T + 4 * SEC);
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_AT_RISK); /* a stat is not an open */
}

Test(verdict, only_current_sends_is_reloaded)
{
	struct rs_evidence ev[] = {
		traffic(RS_EK_SEND, CURRENT, T + 3 * SEC, T + 9 * SEC, 7),
		send_at(RETIRED, T + GRACE / 2), /* in flight: not stale */
	};
	struct rs_vresult r;

	reads_once(&proc);
	r = decide(ev, 2, &seq);
	assert_verdict(r, RS_V_RELOADED);
	assert_reason_has(r, CURRENT);
	cr_assert_eq(r.stale_count, 0);
}

Test(verdict, idle_reads_once_runtime_is_at_risk)
{
	struct rs_vresult r;

	reads_once(&proc);
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_AT_RISK);
	cr_assert_neq(r.reason[0], '\0');

	/* The domain could not be told: still the host's file as far as we know. */
	proc.domain = RS_DOMAIN_UNKNOWN;
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_AT_RISK);

	/* Traffic to a server that is neither retired nor current changes nothing. */
	{
		struct rs_evidence ev[] = {send_at("203.0.113.7", T + 5 * SEC)};

		r = decide(ev, 1, &seq);
		assert_verdict(r, RS_V_AT_RISK);
	}
}

Test(verdict, exited_idle_process_is_unaffected)
{
	struct rs_vresult r;

	reads_once(&proc);
	proc.exited = true;
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_UNAFFECTED);
	assert_reason_has(r, "exited");
}

Test(verdict, unknown_or_reloading_runtime_is_unaffected)
{
	struct rs_vresult r;

	r = decide(NULL, 0, &seq); /* no runtime read */
	assert_verdict(r, RS_V_UNAFFECTED);

	proc.have_runtime = true;
	proc.runtime = RS_RT_UNKNOWN;
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_UNAFFECTED);

	proc.runtime = RS_RT_GLIBC;
	proc.primary.path = RS_PATH_LIBC;
	proc.primary.rule = RS_RELOAD_ON_USE;
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_UNAFFECTED);

	/* A second path that reads once is named, but the primary one decides. */
	proc.runtime = RS_RT_NODE;
	proc.primary.path = RS_PATH_NODE_LOOKUP;
	proc.second.path = RS_PATH_CARES;
	proc.second.rule = RS_RELOAD_READS_ONCE;
	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_UNAFFECTED);
	assert_reason_has(r, "c-ares");
}

/* --- properties ------------------------------------------------------------------- */

Test(verdict, decide_is_pure)
{
	struct rs_evidence ev[4], copy[4];
	size_t n = clean_switch(ev);
	struct rs_vseq seq_copy;
	struct rs_vresult a, b;

	ev[n++] = config_at(RS_EK_OPEN, T + 7 * SEC);
	memcpy(copy, ev, sizeof(ev));
	seq_copy = seq;
	proc.cmdline = "node server.js";
	reads_once(&proc);
	memset(&a, 0, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	rs_verdict_decide(&gen, &proc, ev, n, &seq, &a);
	rs_verdict_decide(&gen, &proc, ev, n, &seq, &b);
	cr_assert_eq(a.verdict, b.verdict);
	cr_assert_str_eq(a.reason, b.reason);
	cr_assert_eq(a.last_stale_ns, b.last_stale_ns);
	cr_assert_eq(a.stale_count, b.stale_count);
	cr_assert_eq(a.explicit_server, b.explicit_server);
	cr_assert_eq(a.own_file_lists, b.own_file_lists);
	cr_assert(rs_addr_equal(&a.stale_dst, &b.stale_dst));
	cr_assert_eq(memcmp(ev, copy, sizeof(ev)), 0, "the evidence must not be modified");
	cr_assert_eq(memcmp(&seq, &seq_copy, sizeof(seq)), 0, "the sequence must not be modified");
}

Test(verdict, every_verdict_has_a_reason)
{
	struct rs_evidence stale[] = {send_at(RETIRED, T + 5 * SEC)};
	struct rs_evidence sw[4];
	size_t n_sw = clean_switch(sw);
	struct rs_evidence open[] = {config_at(RS_EK_OPEN, T + 5 * SEC)};
	struct rs_vresult r;
	bool seen[RS_V_COUNT] = {false};

	r = decide(stale, 1, NULL);
	seen[r.verdict] = r.reason[0] != '\0';
	r = decide(sw, n_sw, &seq);
	seen[r.verdict] = r.reason[0] != '\0';
	r = decide(open, 1, NULL);
	seen[r.verdict] = r.reason[0] != '\0';
	r = decide(NULL, 0, NULL);
	seen[r.verdict] = r.reason[0] != '\0';
	reads_once(&proc);
	r = decide(NULL, 0, NULL);
	seen[r.verdict] = r.reason[0] != '\0';
	proc.domain = RS_DOMAIN_OTHER;
	r = decide(NULL, 0, NULL);
	seen[r.verdict] = r.reason[0] != '\0';
	for (int v = RS_V_STALE; v < RS_V_COUNT; v++)
		cr_assert(seen[v], "%s: not reached, or without a reason",
			  rs_verdict_name((enum rs_verdict)v));
}

Test(verdict, long_inputs_keep_the_reason_bounded)
{
	static char big[4096];
	struct rs_evidence ev[] = {send_at(RETIRED, T + 5 * SEC)};
	struct rs_vresult r;

	memset(big, 'a', sizeof(big) - 1);
	memcpy(big + 2000, " 192.0.2.1 ", 11);
	proc.domain = RS_DOMAIN_OTHER;
	proc.config_ns = big;
	proc.cmdline = big;
	r = decide(ev, 1, &seq);
	assert_verdict(r, RS_V_STALE);
	cr_assert(r.own_file_lists);
	cr_assert_lt(strlen(r.reason), RS_VERDICT_REASON_MAX);

	r = decide(NULL, 0, &seq);
	assert_verdict(r, RS_V_OTHER_CONFIG);
	cr_assert_lt(strlen(r.reason), RS_VERDICT_REASON_MAX);
}

/* --- actions ---------------------------------------------------------------------- */

static struct rs_action_in stale_in(void)
{
	struct rs_action_in in;

	memset(&in, 0, sizeof(in));
	in.verdict = RS_V_STALE;
	in.alive = true;
	in.pid = 812;
	in.exe = "/usr/sbin/nginx";
	in.comm = "nginx";
	in.cmdline = "nginx: master process /usr/sbin/nginx";
	in.unit_uid = -1;
	in.domain = RS_DOMAIN_HOST;
	return in;
}

Test(verdict, unit_is_service)
{
	cr_assert(rs_unit_is_service("nginx.service"));
	cr_assert(rs_unit_is_service("getty@tty1.service"));
	cr_assert_not(rs_unit_is_service("user@1000.service"), "the user manager itself");
	cr_assert_not(rs_unit_is_service("session-3.scope"));
	cr_assert_not(rs_unit_is_service("docker-3f2a.scope"));
	cr_assert_not(rs_unit_is_service("system.slice"));
	cr_assert_not(rs_unit_is_service(".service"));
	cr_assert_not(rs_unit_is_service("x.service.d"));
	cr_assert_not(rs_unit_is_service(""));
	cr_assert_not(rs_unit_is_service(NULL));
}

Test(verdict, action_restarts_a_system_service)
{
	struct rs_action_in in = stale_in();
	char buf[256];

	in.unit = "nginx.service";
	action(&in, buf, sizeof(buf));
	cr_assert_str_eq(buf, "systemctl restart nginx.service");

	in.verdict = RS_V_AT_RISK;
	action(&in, buf, sizeof(buf));
	cr_assert_eq(strncmp(buf, "systemctl restart nginx.service", 31), 0, "%s", buf);
}

Test(verdict, action_restarts_a_user_service_as_its_user)
{
	struct rs_action_in in = stale_in();
	char buf[256];

	in.unit = "app.service";
	in.user_unit = true;
	in.unit_uid = 1000;
	action(&in, buf, sizeof(buf));
	cr_assert_not_null(strstr(buf, "--user"), "%s", buf);
	cr_assert_not_null(strstr(buf, "1000"), "%s", buf);
	cr_assert_not_null(strstr(buf, "restart app.service"), "%s", buf);
}

Test(verdict, action_for_a_scope_is_not_a_unit_restart)
{
	struct rs_action_in in = stale_in();
	char buf[256];

	in.unit = "session-3.scope";
	action(&in, buf, sizeof(buf));
	cr_assert_null(strstr(buf, "systemctl"), "%s", buf);
	cr_assert_null(strstr(buf, "session-3.scope"), "%s", buf);
	cr_assert_not_null(strstr(buf, "812"), "%s", buf);

	in.unit = "user@1000.service";
	action(&in, buf, sizeof(buf));
	cr_assert_null(strstr(buf, "systemctl"), "%s", buf);
}

Test(verdict, action_restarts_a_container)
{
	struct rs_action_in in = stale_in();
	char buf[256];

	in.unit = "docker-3f2a1b9c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8.scope";
	in.container_kind = "docker";
	in.container_id = "3f2a1b9c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
	action(&in, buf, sizeof(buf));
	cr_assert_str_eq(buf, "docker restart 3f2a1b9c4d5e");

	in.container_kind = "podman";
	action(&in, buf, sizeof(buf));
	cr_assert_str_eq(buf, "podman restart 3f2a1b9c4d5e");
}

Test(verdict, action_hups_a_live_dnsmasq)
{
	struct rs_action_in in = stale_in();
	char buf[256];

	in.runtime = RS_RT_DNSMASQ;
	in.unit = "dnsmasq.service"; /* HUP is cheaper than a restart */
	action(&in, buf, sizeof(buf));
	cr_assert_eq(strncmp(buf, "kill -HUP 812", 13), 0, "%s", buf);

	in.alive = false;
	action(&in, buf, sizeof(buf));
	cr_assert_null(strstr(buf, "kill -HUP"), "%s", buf);
}

Test(verdict, action_for_an_explicit_server)
{
	struct rs_action_in in = stale_in();
	char buf[256];

	in.explicit_server = true;
	in.unit = "cron.service";
	in.cmdline = "dig @192.0.2.1 example.com";
	action(&in, buf, sizeof(buf));
	cr_assert_eq(strncmp(buf, "change what names", 17), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "dig @192.0.2.1 example.com"), "%s", buf);
}

Test(verdict, action_for_another_config_domain)
{
	struct rs_action_in in = stale_in();
	char buf[256];

	in.domain = RS_DOMAIN_OTHER;
	in.own_file_lists = true;
	in.explicit_server = false;
	action(&in, buf, sizeof(buf));
	cr_assert_eq(strncmp(buf, "fix or recreate", 15), 0, "%s", buf);

	in.container_kind = "docker";
	in.container_id = "3f2a1b9c4d5e6f708192a3b4c5d6e7f8";
	action(&in, buf, sizeof(buf));
	cr_assert_eq(strncmp(buf, "fix or recreate", 15), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "docker"), "%s", buf);
	cr_assert_not_null(strstr(buf, "3f2a1b9c4d5e"), "%s", buf);
	cr_assert_null(strstr(buf, "3f2a1b9c4d5e6"), "the id is cut to 12: %s", buf);
}

Test(verdict, action_for_an_exited_stale_process)
{
	struct rs_action_in in = stale_in();
	char buf[256];

	in.alive = false;
	in.unit = "nginx.service";
	action(&in, buf, sizeof(buf));
	cr_assert_null(strstr(buf, "systemctl restart"), "%s", buf);
	cr_assert_not_null(strstr(buf, "exited"), "%s", buf);
}

Test(verdict, action_is_none_when_nothing_is_to_be_done)
{
	static const enum rs_verdict quiet[] = {RS_V_RELOADED, RS_V_UNAFFECTED, RS_V_OTHER_CONFIG,
						RS_V_NONE};
	struct rs_action_in in = stale_in();
	char buf[256];

	in.unit = "nginx.service";
	for (size_t i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++) {
		in.verdict = quiet[i];
		action(&in, buf, sizeof(buf));
		cr_assert_str_eq(buf, "none", "%s: %s", rs_verdict_name(quiet[i]), buf);
	}
	in.verdict = RS_V_RECOVERED;
	action(&in, buf, sizeof(buf));
	cr_assert_eq(strncmp(buf, "none", 4), 0, "%s", buf);
}

Test(verdict, action_for_a_bare_process_with_nothing_known)
{
	struct rs_action_in in;
	char buf[256];

	memset(&in, 0, sizeof(in));
	in.verdict = RS_V_STALE;
	in.alive = true;
	in.pid = 4242;
	in.unit_uid = -1;
	action(&in, buf, sizeof(buf));
	cr_assert_not_null(strstr(buf, "4242"), "%s", buf);
}

Test(verdict, action_bounds_long_command_lines_and_small_buffers)
{
	static char big[2048];
	struct rs_action_in in = stale_in();
	char buf[512], tiny[12];

	memset(big, 'c', sizeof(big) - 1);
	in.cmdline = big;
	in.explicit_server = true;
	action(&in, buf, sizeof(buf));
	cr_assert_lt(strlen(buf), 200, "the command line is cut: %zu bytes", strlen(buf));
	cr_assert_not_null(strstr(buf, "..."), "%s", buf);

	in.explicit_server = false;
	in.unit = "nginx.service";
	action(&in, tiny, sizeof(tiny));
	cr_assert_str_eq(tiny, "systemctl r");
}
