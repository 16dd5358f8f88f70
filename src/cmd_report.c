/* `resolvstale report` and `resolvstale services`: options and help. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/cli.h"
#include "resolvstale/report.h"
#include "resolvstale/store.h"
#include "resolvstale/timefmt.h"

static const char report_help[] =
	"Usage: resolvstale report [OPTIONS]\n"
	"\n"
	"The compliance report after a change of resolv.conf: for every process the\n"
	"daemon saw at or after the change (also those that exited since, and those\n"
	"started after it), its verdict, the evidence that decided it and what to do.\n"
	"Reads the store only; works while the daemon runs and after it stopped.\n"
	"\n"
	"Verdicts (the first that applies wins):\n"
	"  stale         sent a DNS query to a retired server (port 53, UDP or TCP)\n"
	"                after the change + grace, or holds a socket connected to one;\n"
	"                also when the address was given to it explicitly (dig @old, a\n"
	"                hard-coded upstream) or its own resolv.conf copy lists it\n"
	"  recovered     was stale after the change, then sent only to current servers\n"
	"  other-config  reads another resolv.conf (a container's, a chroot's): the\n"
	"                change does not apply to it\n"
	"  unaffected    started after the change (it read the new file)\n"
	"  reloaded      opened resolv.conf again after the change, or sent only to the\n"
	"                current servers\n"
	"  at-risk       alive since before the change, no lookup since, and its\n"
	"                resolver reads resolv.conf only once (glibc with no-reload, a\n"
	"                c-ares channel, dnsmasq --no-poll, ...): its next lookup goes\n"
	"                to the old servers\n"
	"  unaffected    anything else (its resolver re-reads on use, or it is not a DNS\n"
	"                client resolvstale recognises)\n"
	"A retired loopback address (127.0.0.53, 127.0.0.11) counts only in the network\n"
	"namespaces where the watched file is read.\n"
	"\n"
	"What makes a host non-compliant: a stale process that still runs, or one that\n"
	"exited less than --window ago and was not replaced by a later process of the\n"
	"same unit, container, or parent and program that is not stale (each dig of a\n"
	"shell loop exits at once, and each one counts); an at-risk process that still\n"
	"runs.\n"
	"\n"
	"Options:\n"
	"  --db PATH              the store (default " RS_STORE_DEFAULT_PATH ")\n"
	"  --generation N|latest  the change to report on (default latest)\n"
	"  --format FORMAT        text (default), json, csv or nagios\n"
	"  --fail-on WHAT         stale (default), at-risk (stale or at-risk) or never:\n"
	"                         what makes the exit status 1\n"
	"  --window DURATION      how long an exited stale process counts (default 10m;\n"
	"                         0 = for ever)\n"
	"  --all                  text: also list the unaffected processes\n"
	"  --color WHEN           auto (default: on a terminal), always or never\n"
	"  -h, --help             show this help\n"
	"\n"
	"Text: a header (when the file changed and who changed it, old -> new servers,\n"
	"the retired set, the sources and whether any lost events, the result), then\n"
	"one row per process: verdict, pid (* = exited), comm, systemd unit or\n"
	"container, resolver runtime and reload rule, last stale send and how many,\n"
	"the action, and a 'why:' line. Exited processes of one parent and program\n"
	"with the same verdict share a row ('12 procs').\n"
	"\n"
	"JSON (schema 1; see the README for every field):\n"
	"  {\"schema\":1,\"host\":..,\"generated\":..,\"generation\":{\"number\":..,\"time\":..,\n"
	"   \"nameservers\":[..],\"retired\":[..],\"added\":[..],\"writer\":{..}|null},\n"
	"   \"complete\":bool,\"lost_events\":N,\"processes\":[{\"pid\":..,\"starttime\":..,\n"
	"   \"comm\":..,\"exe\":..,\"unit\":..,\"container\":..,\"runtime\":..,\n"
	"   \"reload_rule\":..,\"verdict\":..,\"reason\":..,\"evidence\":[{\"kind\":\n"
	"   \"dns_send\",\"source\":\"audit\",\"dst\":..,\"port\":53,\"proto\":..,\"first\":..,\n"
	"   \"last\":..,\"count\":..}],\"action\":..}],\"summary\":{\"stale\":N,..}}\n"
	"\n"
	"Nagios: one line with perfdata; the state ignores --fail-on: OK, WARNING\n"
	"(at-risk only), CRITICAL (stale), UNKNOWN (no data, the daemon is not running,\n"
	"or evidence is incomplete).\n"
	"\n"
	"Exit status:\n"
	"  0  compliant (or nothing changed yet)\n"
	"  1  not compliant per --fail-on\n"
	"  2  bad options, no such generation, the store cannot be read\n"
	"  with --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	"\n"
	"Examples:\n"
	"  sudo resolvstale report\n"
	"  sudo resolvstale report --format json | jq '.processes[] | select(.verdict == "
	"\"stale\")'\n"
	"  sudo resolvstale report --fail-on at-risk --format nagios\n";

static const char services_help[] =
	"Usage: resolvstale services [OPTIONS]\n"
	"\n"
	"What to restart after a change of resolv.conf, deduplicated: one line per\n"
	"systemd unit (systemctl restart x.service; user units with systemctl --user),\n"
	"container (docker restart ID, podman restart ID, or 'fix or recreate' when\n"
	"the container has its own resolv.conf copy that lists a retired server),\n"
	"dnsmasq (kill -HUP PID: it reads its servers again), bare process (its pid,\n"
	"program and command line), and parent that keeps starting short-lived\n"
	"processes that use a retired server (a shell loop running dig @old: fix the\n"
	"command). Stale and at-risk processes that still run are listed; a process\n"
	"that was restarted after the change (a new process of the unit) drops out.\n"
	"\n"
	"Options:\n"
	"  --db PATH              the store (default " RS_STORE_DEFAULT_PATH ")\n"
	"  --generation N|latest  the change (default latest)\n"
	"  --format FORMAT        text (default) or json:\n"
	"                         {\"schema\":1,\"host\":..,\"generated\":..,\"generation\":N,\n"
	"                         \"services\":[{\"kind\":\"unit|user-unit|container|dnsmasq|\n"
	"                         process|parent\",\"name\":..,\"command\":..,\"verdict\":..,\n"
	"                         \"reason\":..,\"processes\":[{\"pid\":..,\"starttime\":..,\n"
	"                         \"comm\":..,\"exe\":..,\"verdict\":..,\"alive\":..}]}]}\n"
	"  --window DURATION      as for report (default 10m)\n"
	"  --color WHEN           auto (default), always or never\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status:\n"
	"  0  listed (also when there is nothing to restart)\n"
	"  2  bad options, no such generation, the store cannot be read\n"
	"\n"
	"Example:\n"
	"  sudo resolvstale services --format json | jq -r '.services[].command'\n";

enum {
	OPT_DB = 256,
	OPT_GENERATION,
	OPT_FORMAT,
	OPT_FAIL_ON,
	OPT_WINDOW,
	OPT_ALL,
	OPT_COLOR,
};

struct common {
	const char *db;
	int64_t generation;
	int64_t window_ns;
	int color; /* 0 auto, 1 always, 2 never */
};

/* Options shared by report and services. Returns 1 handled, 0 not, -1 error. */
static int common_opt(const char *cmd, int c, struct common *o)
{
	static const char *const colors[] = {"auto", "always", "never", NULL};
	uint64_t ms;
	int k;

	switch (c) {
	case OPT_DB:
		o->db = optarg;
		return 1;
	case OPT_GENERATION:
		if (strcmp(optarg, "latest") == 0) {
			o->generation = -1;
			return 1;
		}
		return rs_cli_int(cmd, "--generation", optarg, 0, INT64_MAX, &o->generation) < 0
			       ? -1
			       : 1;
	case OPT_WINDOW:
		if (rs_cli_duration(cmd, "--window", optarg, 0, 365ULL * 86400000, &ms) < 0)
			return -1;
		o->window_ns = (int64_t)ms * RS_NS_PER_MS;
		return 1;
	case OPT_COLOR:
		k = rs_cli_choice(cmd, "--color", optarg, colors);
		if (k < 0)
			return -1;
		o->color = k;
		return 1;
	}
	return 0;
}

static bool use_color(const struct common *o)
{
	return o->color == 1 ||
	       (o->color == 0 && isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
}

static int report_run(int argc, char **argv);
static int services_run(int argc, char **argv);

const struct rs_command rs_cmd_report = {
	"report",
	"the compliance report: which processes still use retired resolvers",
	report_help,
	report_run,
};

const struct rs_command rs_cmd_services = {
	"services",
	"what to restart (units, containers, processes) after a change",
	services_help,
	services_run,
};

static int report_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"generation", required_argument, NULL, OPT_GENERATION},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"window", required_argument, NULL, OPT_WINDOW},
		{"all", no_argument, NULL, OPT_ALL},
		{"color", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", "csv", "nagios", NULL};
	static const char *const fails[] = {"stale", "at-risk", "never", NULL};
	struct common co = {RS_STORE_DEFAULT_PATH, -1, RS_REPORT_DEFAULT_WINDOW_NS, 0};
	struct rs_report_opts ro = {.format = RS_REPORT_TEXT, .fail_on = RS_FAIL_STALE};
	struct rs_rdata d;
	char err[320];
	int c, k, r, status;

	while ((c = rs_cli_getopt(&rs_cmd_report, argc, argv, "h", longopts)) != -1) {
		if ((k = common_opt("report", c, &co)) != 0) {
			if (k < 0)
				return RS_EXIT_ERROR;
			continue;
		}
		switch (c) {
		case OPT_FORMAT:
			k = rs_cli_choice("report", "--format", optarg, formats);
			if (k < 0)
				return RS_EXIT_ERROR;
			ro.format = (enum rs_report_format)k;
			break;
		case OPT_FAIL_ON:
			k = rs_cli_choice("report", "--fail-on", optarg, fails);
			if (k < 0)
				return RS_EXIT_ERROR;
			ro.fail_on = (enum rs_fail_on)k;
			break;
		case OPT_ALL:
			ro.all = true;
			break;
		case -3:
			return RS_EXIT_OK;
		default:
			return RS_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return rs_cli_extra_args("report", argc, argv);
	ro.color = use_color(&co);
	r = rs_rdata_load(co.db, co.generation, co.window_ns, &d, err, sizeof(err));
	if (r < 0) {
		if (ro.format == RS_REPORT_NAGIOS) {
			char why[400];
			snprintf(why, sizeof(why), "%s: %s", co.db, err);
			rs_report_nagios_unknown(why, stdout);
			return RS_NAGIOS_UNKNOWN;
		}
		rs_cli_error("report", "%s: %s", co.db, err);
		return RS_EXIT_ERROR;
	}
	status = rs_report_status(&d, &ro);
	r = rs_report_write(&d, &ro, stdout);
	rs_rdata_clear(&d);
	if (r < 0) {
		rs_cli_error("report", "cannot write the report: %s",
			     r == -EIO ? strerror(errno ? errno : EIO) : strerror(-r));
		return ro.format == RS_REPORT_NAGIOS ? RS_NAGIOS_UNKNOWN : RS_EXIT_ERROR;
	}
	return status;
}

static int services_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"generation", required_argument, NULL, OPT_GENERATION},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"window", required_argument, NULL, OPT_WINDOW},
		{"color", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", NULL};
	struct common co = {RS_STORE_DEFAULT_PATH, -1, RS_REPORT_DEFAULT_WINDOW_NS, 0};
	struct rs_rdata d;
	bool json = false;
	char err[320];
	int c, k, r;

	while ((c = rs_cli_getopt(&rs_cmd_services, argc, argv, "h", longopts)) != -1) {
		if ((k = common_opt("services", c, &co)) != 0) {
			if (k < 0)
				return RS_EXIT_ERROR;
			continue;
		}
		switch (c) {
		case OPT_FORMAT:
			k = rs_cli_choice("services", "--format", optarg, formats);
			if (k < 0)
				return RS_EXIT_ERROR;
			json = k == 1;
			break;
		case -3:
			return RS_EXIT_OK;
		default:
			return RS_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return rs_cli_extra_args("services", argc, argv);
	r = rs_rdata_load(co.db, co.generation, co.window_ns, &d, err, sizeof(err));
	if (r < 0) {
		rs_cli_error("services", "%s: %s", co.db, err);
		return RS_EXIT_ERROR;
	}
	r = rs_services_write(&d, json, use_color(&co) && !json, stdout);
	rs_rdata_clear(&d);
	if (r < 0) {
		rs_cli_error("services", "cannot write the list: %s", strerror(-r));
		return RS_EXIT_ERROR;
	}
	return RS_EXIT_OK;
}
