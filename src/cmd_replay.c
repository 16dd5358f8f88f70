/* `resolvstale replay`: options and help. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/cli.h"
#include "resolvstale/replay.h"
#include "resolvstale/timefmt.h"

static const char help[] =
	"Usage: resolvstale replay [OPTIONS] FILE...\n"
	"\n"
	"The compliance report from audit logs that already exist, without a daemon:\n"
	"which processes sent DNS queries to a retired resolver, from\n"
	"/var/log/audit/audit.log and its rotated pieces (given in any order: they are\n"
	"read in the order of their first record, and an event split across two\n"
	"pieces is joined), raw or enriched format, whatever rules and keys wrote\n"
	"them. FILE - reads standard input (zcat audit.log.1.gz | ... -).\n"
	"\n"
	"What counts: a SOCKADDR record with port 53 on connect, sendto, sendmsg,\n"
	"sendmmsg or socketcall is a DNS send. A send without an address (the socket\n"
	"was connected before) on a pid and fd whose last connect went to port 53 is\n"
	"attributed to that server and marked inferred; any later connect on that\n"
	"fd forgets it. PATH records of the watched file give opens, stats and\n"
	"writes; the writes are listed with their time and writer. Lines that are not\n"
	"audit records are counted and skipped; a last line cut short is read as far\n"
	"as it goes.\n"
	"\n"
	"Which addresses are retired: --retired ADDR (from the start of the logs), or\n"
	"--db PATH, a store with history: its generations say when each change\n"
	"happened and what it retired, and the verdicts are made per generation as\n"
	"the daemon makes them. Without /proc there are no facts: no at-risk\n"
	"prediction, no units or containers; stale, recovered and reloaded come from\n"
	"the records alone.\n"
	"\n"
	"Records with a node=NAME prefix (auditd name_format, audisp-remote to a\n"
	"central auditd) are kept apart: a report per node, then a summary (JSON:\n"
	"{\"schema\":1,\"nodes\":[{\"node\":..,\"report\":{..}}],\"summary\":{..}}).\n"
	"\n"
	"Options:\n"
	"  --retired ADDR         a retired resolver (repeat for several)\n"
	"  --db PATH              take the changes from this store's generations\n"
	"  --since TIME, --until TIME\n"
	"                         only records in this window (2026-11-21T22:00:00Z,\n"
	"                         local time without a zone, or @EPOCH-SECONDS)\n"
	"  --node NAME            only the records of this node (\"\" for records without\n"
	"                         a node= prefix)\n"
	"  --generation N|latest  the change to report on (default: the one in force at\n"
	"                         the end of the logs)\n"
	"  --resolv-conf PATH     the watched file as the records name it (default\n"
	"                         /etc/resolv.conf)\n"
	"  --grace DURATION       sends this long after a change were in flight (2s)\n"
	"  --format FORMAT        text (default), json, csv or nagios, as for report\n"
	"  --fail-on WHAT         stale (default), at-risk or never, as for report\n"
	"  --all                  text: list unaffected processes too\n"
	"  --color WHEN           auto (default), always or never\n"
	"  --keep-dir DIR         keep the per-node stores in DIR (for report and\n"
	"                         services --db DIR/node-N.db) instead of a temporary\n"
	"                         directory\n"
	"  --stats                print the throughput on standard error\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: as for report: 0 compliant, 1 not (per --fail-on), 2 error (a file\n"
	"that cannot be read, nothing to judge); with --format nagios the plugin states.\n"
	"\n"
	"Examples:\n"
	"  resolvstale replay --retired 192.0.2.53 /var/log/audit/audit.log*\n"
	"  resolvstale replay --db /var/lib/resolvstale/state.db --format json audit.log.*\n";

enum {
	OPT_RETIRED = 256,
	OPT_DB,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_NODE,
	OPT_GENERATION,
	OPT_RESOLV_CONF,
	OPT_GRACE,
	OPT_FORMAT,
	OPT_FAIL_ON,
	OPT_ALL,
	OPT_COLOR,
	OPT_KEEP,
	OPT_STATS,
};

static int run(int argc, char **argv);

const struct rs_command rs_cmd_replay = {
	"replay",
	"the compliance report from existing audit logs (many hosts too)",
	help,
	run,
};

static int time_opt(const char *opt, const char *v, int64_t *out)
{
	if (rs_time_parse(v, out) == 0)
		return 0;
	rs_cli_error("replay",
		     "invalid time '%s' for %s (e.g. 2026-11-21T22:00:00Z, 2026-11-21 23:00, "
		     "@1795305600)",
		     v, opt);
	return -1;
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"retired", required_argument, NULL, OPT_RETIRED},
		{"db", required_argument, NULL, OPT_DB},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"node", required_argument, NULL, OPT_NODE},
		{"generation", required_argument, NULL, OPT_GENERATION},
		{"resolv-conf", required_argument, NULL, OPT_RESOLV_CONF},
		{"grace", required_argument, NULL, OPT_GRACE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"all", no_argument, NULL, OPT_ALL},
		{"color", required_argument, NULL, OPT_COLOR},
		{"keep-dir", required_argument, NULL, OPT_KEEP},
		{"stats", no_argument, NULL, OPT_STATS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", "csv", "nagios", NULL};
	static const char *const fails[] = {"stale", "at-risk", "never", NULL};
	static const char *const colors[] = {"auto", "always", "never", NULL};
	struct rs_replay_opts o;
	struct rs_replay_stats st;
	bool stats = false;
	int color = 0, c, k, r;
	uint64_t ms;
	char err[512];

	memset(&o, 0, sizeof(o));
	o.resolv_conf = "/etc/resolv.conf";
	o.generation = -1;
	o.grace_ns = 2 * RS_NS_PER_SEC;
	o.report.format = RS_REPORT_TEXT;
	o.report.fail_on = RS_FAIL_STALE;
	while ((c = rs_cli_getopt(&rs_cmd_replay, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_RETIRED:
			if (o.n_retired == RS_REPLAY_MAX_RETIRED) {
				rs_cli_error("replay", "too many --retired (at most %d)",
					     RS_REPLAY_MAX_RETIRED);
				return RS_EXIT_ERROR;
			}
			if (rs_addr_parse(optarg, &o.retired[o.n_retired]) < 0) {
				rs_cli_error("replay",
					     "--retired '%s' is not a numeric IPv4 or IPv6 address",
					     optarg);
				return RS_EXIT_ERROR;
			}
			o.n_retired++;
			break;
		case OPT_DB:
			o.db = optarg;
			break;
		case OPT_SINCE:
			if (time_opt("--since", optarg, &o.since_ns) < 0)
				return RS_EXIT_ERROR;
			break;
		case OPT_UNTIL:
			if (time_opt("--until", optarg, &o.until_ns) < 0)
				return RS_EXIT_ERROR;
			break;
		case OPT_NODE:
			o.node = optarg;
			break;
		case OPT_GENERATION:
			if (strcmp(optarg, "latest") == 0)
				o.generation = -1;
			else if (rs_cli_int("replay", "--generation", optarg, 0, INT64_MAX,
					    &o.generation) < 0)
				return RS_EXIT_ERROR;
			break;
		case OPT_RESOLV_CONF:
			o.resolv_conf = optarg;
			break;
		case OPT_GRACE:
			if (rs_cli_duration("replay", "--grace", optarg, 0, 60000, &ms) < 0)
				return RS_EXIT_ERROR;
			o.grace_ns = (int64_t)ms * RS_NS_PER_MS;
			break;
		case OPT_FORMAT:
			k = rs_cli_choice("replay", "--format", optarg, formats);
			if (k < 0)
				return RS_EXIT_ERROR;
			o.report.format = (enum rs_report_format)k;
			break;
		case OPT_FAIL_ON:
			k = rs_cli_choice("replay", "--fail-on", optarg, fails);
			if (k < 0)
				return RS_EXIT_ERROR;
			o.report.fail_on = (enum rs_fail_on)k;
			break;
		case OPT_ALL:
			o.report.all = true;
			break;
		case OPT_COLOR:
			color = rs_cli_choice("replay", "--color", optarg, colors);
			if (color < 0)
				return RS_EXIT_ERROR;
			break;
		case OPT_KEEP:
			o.keep_dir = optarg;
			break;
		case OPT_STATS:
			stats = true;
			break;
		case -3:
			return RS_EXIT_OK;
		default:
			return RS_EXIT_ERROR;
		}
	}
	if (optind == argc) {
		rs_cli_error("replay", "no audit log given (e.g. /var/log/audit/audit.log*)");
		return RS_EXIT_ERROR;
	}
	o.files = (const char *const *)argv + optind;
	o.n_files = (size_t)(argc - optind);
	o.report.color =
		o.report.format == RS_REPORT_TEXT &&
		(color == 1 || (color == 0 && isatty(STDOUT_FILENO) && !getenv("NO_COLOR")));
	r = rs_replay_run(&o, stdout, &st, err, sizeof(err));
	if (stats)
		fprintf(stderr,
			"resolvstale replay: %llu files, %llu bytes, %llu records, %llu events, "
			"%llu DNS sends (%llu inferred), %llu garbage lines, %llu nodes in %.3f s: "
			"%.0f records/s, %.1f MB/s\n",
			(unsigned long long)st.files, (unsigned long long)st.bytes,
			(unsigned long long)st.records, (unsigned long long)st.events,
			(unsigned long long)st.dns_sends, (unsigned long long)st.inferred,
			(unsigned long long)st.garbage, (unsigned long long)st.nodes, st.seconds,
			st.seconds > 0 ? (double)st.records / st.seconds : 0.0,
			st.seconds > 0 ? (double)st.bytes / st.seconds / 1e6 : 0.0);
	if (r < 0) {
		rs_cli_error("replay", "%s", err);
		return o.report.format == RS_REPORT_NAGIOS ? 3 : RS_EXIT_ERROR;
	}
	return r;
}
