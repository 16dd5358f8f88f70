/* `resolvstale daemon`: options and help. */
#include <stdlib.h>
#include <string.h>

#include "resolvstale/cli.h"
#include "resolvstale/confwatch.h"
#include "resolvstale/daemon.h"
#include "resolvstale/ebpf_src.h"
#include "resolvstale/event.h"
#include "resolvstale/store.h"

static const char help[] =
	"Usage: resolvstale daemon [OPTIONS]\n"
	"\n"
	"Watch resolv.conf and record every change of its effective configuration\n"
	"(the nameservers glibc uses, the search list, sortlist and options) as a\n"
	"numbered generation in the store: time, old and new nameservers, retired\n"
	"(old minus new) and added (new minus old) servers, the file's inode, times\n"
	"and contents. Runs in the foreground (systemd Type=notify) and logs one line\n"
	"per event on standard output.\n"
	"\n"
	"Every directory on the file's symlink chain is watched with inotify, so\n"
	"in-place edits, truncate + write, rename over the file (sed -i, editors,\n"
	"NetworkManager), same-mtime copies (cp -p), symlink re-points (resolvconf,\n"
	"systemd-resolved, ln -sfn), delete + re-create and a replaced directory on\n"
	"the chain are all seen. An edit that leaves the effective configuration as\n"
	"it was (a comment, touch, an identical copy) is logged as a file event\n"
	"without a new generation. On start the daemon resumes from the store; if the\n"
	"file changed while nobody watched, that becomes a generation marked so.\n"
	"\n"
	"Evidence sources (--sources; the config watcher always runs):\n"
	"  ebpf       the tripwire: cgroup programs on the cgroup v2 root see every\n"
	"             connect and unconnected UDP send to port 53 of every process,\n"
	"             in every network namespace, also of processes started before\n"
	"             the daemon (and before audit was ever on). Only sends to\n"
	"             retired servers reach user space (the first per process and\n"
	"             server, then at most 10 a second, counted), and the first send\n"
	"             per process to each current server; anything else costs one\n"
	"             hash lookup in the kernel. Not seen: sends on a UDP socket\n"
	"             connected before the daemon started (procscan finds those).\n"
	"             Needs CAP_BPF + CAP_NET_ADMIN (root), a cgroup v2 mount and a\n"
	"             kernel with BPF ring buffers and links (5.8 or later)\n"
	"  fanotify   who opens the file (every open, with the pid) and who writes,\n"
	"             renames over or removes it; needs CAP_SYS_ADMIN\n"
	"  audit      writes of the file, always; stat/open of it (glibc stats it on\n"
	"             every lookup) and, when ebpf does not run, every\n"
	"             connect/sendto/sendmsg/sendmmsg to port 53, with pid, uid, exe,\n"
	"             for --audit-window after each change only: those rules cost a\n"
	"             record per lookup of every process (rules under the key prefix\n"
	"             resolvstale-live-: see 'resolvstale rules --print'); needs\n"
	"             CAP_AUDIT_CONTROL and CAP_AUDIT_READ and the initial network\n"
	"             namespace. Audit sees only processes forked after audit was\n"
	"             first enabled on the host\n"
	"  procscan   sockets to port 53 held by processes, in every network\n"
	"             namespace, with each owner's unit, container and resolver\n"
	"             runtime: at start, every --scan-interval, after each change and\n"
	"             after lost events\n"
	"A source that cannot start is reported once and the daemon goes on with\n"
	"the others; the start-up log says which source tracks sends and why\n"
	"(ebpf when it loads, else audit).\n"
	"\n"
	"Options:\n"
	"  --resolv-conf PATH   the file to watch (default /etc/resolv.conf)\n"
	"  --db PATH            the store (default " RS_STORE_DEFAULT_PATH "),\n"
	"                       created on first use with mode 0600; one daemon per store\n"
	"  --sources LIST       evidence sources, comma-separated: ebpf, fanotify, audit,\n"
	"                       procscan, or none (default: all four); when given and\n"
	"                       none of them starts, the daemon exits 2\n"
	"  --audit-window DURATION\n"
	"                       how long after each change the audit stat/open rules\n"
	"                       (and the send rules, when ebpf does not run) stay\n"
	"                       loaded (default 10m; 0s: never)\n"
	"  --audit-always       keep every audit rule loaded all the time (costly:\n"
	"                       one record per lookup and per send of every process)\n"
	"  --fence MODE         off (default), redirect or refuse. CHANGES WHAT\n"
	"                       PROCESSES DO: with redirect, a connect or send to a\n"
	"                       retired server goes to the first current server of the\n"
	"                       same family instead (the reply's source is rewritten\n"
	"                       back so that the client accepts it); with refuse it\n"
	"                       fails with EPERM. Stale services keep working\n"
	"                       (redirect) or fail fast (refuse) until restarted; they\n"
	"                       are still reported stale, the evidence says fenced.\n"
	"                       Applies to every process of the host, in every network\n"
	"                       namespace (loopback addresses only where the watched\n"
	"                       file is read); a retired address that is now another\n"
	"                       service's must not be fenced. Needs the ebpf source:\n"
	"                       when it cannot start, the daemon exits 2\n"
	"  --scan-interval DURATION\n"
	"                       time between periodic /proc scans (default 30s)\n"
	"  --audit-register     read audit as the registered audit daemon instead of the\n"
	"                       read-only multicast group: only when no auditd runs (the\n"
	"                       kernel refuses to replace one), and audited syscalls then\n"
	"                       wait for resolvstale when it is slow\n"
	"  --log-format FORMAT  text (default) or json: one JSON object per line, e.g.\n"
	"                       {\"event\":\"config_change\",\"generation\":3,\"time\":...,\n"
	"                       \"nameservers\":[...],\"retired\":[...],\"added\":[...]}\n"
	"  --log-events LIST    the evidence events to log: all (default), none, or\n"
	"                       config_open, config_stat, config_write, dns_send,\n"
	"                       socket_seen, process_info, events_lost (changes of the\n"
	"                       file and warnings are always logged)\n"
	"  --settle DURATION    quiet time after the last event before the file is read\n"
	"                       (default 50ms; 0ms to 10s)\n"
	"  --empty-grace DURATION\n"
	"                       how long an empty or missing file must stay so before\n"
	"                       it counts as a change (default 1s): an editor's\n"
	"                       truncate + write passes through an empty file\n"
	"  --grace DURATION     sends to a retired server this long after a change are\n"
	"                       queries that were already in flight, not evidence\n"
	"                       (default 2s; 0ms to 60s)\n"
	"  --retired ADDR       treat ADDR as a retired resolver in every generation, in\n"
	"                       addition to the servers the file listed before (repeat\n"
	"                       for several; for fleets where the file's history is not\n"
	"                       on this host)\n"
	"  --metrics-file PATH  write Prometheus text metrics (processes per verdict,\n"
	"                       lost events, sources up, last change) to PATH every few\n"
	"                       seconds, atomically (node_exporter textfile collector)\n"
	"  --keep-generations N keep evidence and verdicts of the newest N generations\n"
	"                       (default 20); generations themselves are always kept\n"
	"  -h, --help           show this help\n"
	"\n"
	"Verdicts: from the evidence of each process seen at or after a change, the\n"
	"daemon decides stale, recovered, reloaded, at-risk, unaffected or other-config\n"
	"(see 'resolvstale report --help') and records them once a second. After a\n"
	"change it reads the facts and resolver runtime of every process started\n"
	"before it, and scans sockets again once the grace period is over.\n"
	"\n"
	"Signals:\n"
	"  SIGTERM, SIGINT      save what is pending and stop (exit status 0)\n"
	"  SIGHUP               resolve the path again and re-read the file\n"
	"\n"
	"Exit status:\n"
	"  0  stopped by SIGTERM or SIGINT\n"
	"  2  bad options, or it could not start (store locked, corrupt or not\n"
	"     writable; file cannot be watched) or had to stop; stderr says why\n"
	"\n"
	"Privileges: root (the sources need the capabilities above; the config watcher\n"
	"only needs to read the file and write the store).\n"
	"\n"
	"Examples:\n"
	"  sudo resolvstale daemon\n"
	"  sudo resolvstale daemon --log-format json | jq -c 'select(.event == "
	"\"config_change\")'\n"
	"  resolvstale daemon --resolv-conf /srv/chroot/etc/resolv.conf --db /tmp/chroot.db\n";

static const char plugin_help[] =
	"Usage: resolvstale audit-plugin [OPTIONS]\n"
	"\n"
	"The daemon, run by auditd's plugin dispatcher: the audit records come from\n"
	"auditd on standard input (string format) instead of from the kernel, so a\n"
	"host that runs auditd keeps one audit consumer and auditd's own log. Load\n"
	"the shipped rules (audit-rules/40-resolvstale.rules in /etc/audit/rules.d/)\n"
	"and enable /etc/audit/plugins.d/resolvstale.conf (installed by make install\n"
	"with active = no): set active = yes and restart auditd.\n"
	"\n"
	"Everything else is the daemon's: the config watcher records generations,\n"
	"fanotify and the /proc scanner run (--sources; \"audit\" here means the\n"
	"records from standard input), verdicts go to the same store, and report,\n"
	"services and history read it. One writer per store: the plugin and a daemon\n"
	"cannot share one (the second one to start says which pid holds it).\n"
	"\n"
	"Never stalls auditd while it runs: a thread reads standard input at once\n"
	"into a bounded queue (8 MiB); when the queue is full, whole lines are\n"
	"dropped, counted and recorded as lost events of the generation (report then\n"
	"says so). Events auditd itself dropped (its plugin queue, q_depth, was full:\n"
	"the plugin was stopped or starved) show as gaps in the audit serial numbers\n"
	"and are recorded as lost events too. A stopped (SIGSTOP) plugin makes\n"
	"auditd's queue fill and, with a small kernel backlog, slows audited system\n"
	"calls on the host; a killed one is restarted by auditd (type = always), and\n"
	"the new one records that up to a second of evidence was lost. At the end\n"
	"of input (auditd stops, or restarts and starts a new plugin) it records what\n"
	"it read and exits 0; the next one resumes from the store. Records of other\n"
	"hosts (node=NAME other than this host's, on a central auditd) are skipped:\n"
	"run replay on the central log for those. Its own reads of resolv.conf are\n"
	"skipped too (the shipped rules cannot exclude its pid).\n"
	"\n"
	"Options: those of 'resolvstale daemon' except --audit-register, plus\n"
	"  --node NAME          this host's name in node= prefixes (default: the host\n"
	"                       name; web1 and web1.example.com are the same)\n"
	"The event log goes to standard error (auditd's journal) and lists changes\n"
	"and warnings only (--log-events to add evidence).\n"
	"\n"
	"Signals: SIGTERM (auditd stops it) saves and exits 0; SIGHUP re-reads\n"
	"resolv.conf.\n"
	"\n"
	"Exit status: 0 stopped (SIGTERM, end of input); 2 could not start (store in\n"
	"use, unwritable) or failed.\n"
	"\n"
	"/etc/audit/plugins.d/resolvstale.conf:\n"
	"  active = yes\n"
	"  direction = out\n"
	"  path = /usr/local/bin/resolvstale\n"
	"  type = always\n"
	"  args = audit-plugin\n"
	"  format = string\n";

enum {
	OPT_RESOLV_CONF = 256,
	OPT_DB,
	OPT_LOG_FORMAT,
	OPT_SETTLE,
	OPT_EMPTY_GRACE,
	OPT_SOURCES,
	OPT_AUDIT_REGISTER,
	OPT_LOG_EVENTS,
	OPT_SCAN_INTERVAL,
	OPT_GRACE,
	OPT_RETIRED,
	OPT_METRICS_FILE,
	OPT_KEEP,
	OPT_NODE,
	OPT_AUDIT_WINDOW,
	OPT_AUDIT_ALWAYS,
	OPT_FENCE,
};

/* --log-events: "all", "none", or event names. */
static int parse_log_events(const char *cmd, const char *list, unsigned *set)
{
	static const enum rs_event_type types[] = {
		RS_EV_CONFIG_OPEN, RS_EV_CONFIG_STAT, RS_EV_CONFIG_WRITE, RS_EV_DNS_SEND,
		RS_EV_EVENTS_LOST, RS_EV_SOCKET_SEEN, RS_EV_PROCESS_INFO,
	};
	const char *p = list;

	if (strcmp(list, "all") == 0) {
		*set = RS_LOG_ALL_EVIDENCE;
		return 0;
	}
	*set = 0;
	if (strcmp(list, "none") == 0)
		return 0;
	while (*p != '\0') {
		size_t n = strcspn(p, ","), k;
		for (k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
			const char *name = rs_event_type_name(types[k]);
			if (strlen(name) == n && strncmp(p, name, n) == 0)
				break;
		}
		if (k == sizeof(types) / sizeof(types[0])) {
			rs_cli_error(
				cmd,
				"unknown event '%.*s' in --log-events (expected all, none, or "
				"config_open, config_stat, config_write, dns_send, events_lost, "
				"socket_seen, process_info)",
				(int)n, p);
			return -1;
		}
		*set |= 1u << types[k];
		p += n + (p[n] == ',' ? 1 : 0);
	}
	return 0;
}

static int run(int argc, char **argv);
static int run_plugin(int argc, char **argv);

const struct rs_command rs_cmd_daemon = {
	"daemon",
	"watch resolv.conf and record every change as a numbered generation",
	help,
	run,
};

const struct rs_command rs_cmd_audit_plugin = {
	"audit-plugin",
	"the daemon as an auditd plugin: audit records from auditd on stdin",
	plugin_help,
	run_plugin,
};

static int run_common(const struct rs_command *cmd, int argc, char **argv, bool plugin);

static int run(int argc, char **argv)
{
	return run_common(&rs_cmd_daemon, argc, argv, false);
}

static int run_plugin(int argc, char **argv)
{
	return run_common(&rs_cmd_audit_plugin, argc, argv, true);
}

static int run_common(const struct rs_command *cmd, int argc, char **argv, bool plugin)
{
	static const struct option longopts[] = {
		{"resolv-conf", required_argument, NULL, OPT_RESOLV_CONF},
		{"db", required_argument, NULL, OPT_DB},
		{"log-format", required_argument, NULL, OPT_LOG_FORMAT},
		{"settle", required_argument, NULL, OPT_SETTLE},
		{"empty-grace", required_argument, NULL, OPT_EMPTY_GRACE},
		{"sources", required_argument, NULL, OPT_SOURCES},
		{"audit-register", no_argument, NULL, OPT_AUDIT_REGISTER},
		{"log-events", required_argument, NULL, OPT_LOG_EVENTS},
		{"scan-interval", required_argument, NULL, OPT_SCAN_INTERVAL},
		{"grace", required_argument, NULL, OPT_GRACE},
		{"retired", required_argument, NULL, OPT_RETIRED},
		{"metrics-file", required_argument, NULL, OPT_METRICS_FILE},
		{"keep-generations", required_argument, NULL, OPT_KEEP},
		{"node", required_argument, NULL, OPT_NODE},
		{"audit-window", required_argument, NULL, OPT_AUDIT_WINDOW},
		{"audit-always", no_argument, NULL, OPT_AUDIT_ALWAYS},
		{"fence", required_argument, NULL, OPT_FENCE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", NULL};
	const char *resolv_conf = RS_DEFAULT_RESOLV_CONF, *db = RS_STORE_DEFAULT_PATH;
	struct rs_daemon_opts o = {
		.log_format = RS_LOG_TEXT,
		.settle_ms = RS_CONFWATCH_DEFAULT_SETTLE_MS,
		.persist_ms = RS_CONFWATCH_DEFAULT_PERSIST_MS,
		.flush_ms = 1000,
		.sources = (1u << RS_SRC_EBPF) | (1u << RS_SRC_FANOTIFY) | (1u << RS_SRC_AUDIT) |
			   (1u << RS_SRC_PROCSCAN),
		.audit_window_ms = 600000,
		.scan_interval_ms = 30000,
		.log_evidence = RS_LOG_ALL_EVIDENCE,
		.grace_ms = 2000,
		.keep_generations = 20,
	};
	char *abs_metrics = NULL;
	int64_t keep;
	char bad[64];
	char *abs_conf = NULL, *abs_db = NULL;
	uint64_t ms;
	int c, k, status;

	if (plugin) {
		/* auditd owns stdout; the log goes to stderr (the journal of
		 * auditd's service), changes and warnings only by default. */
		o.audit_stdin = true;
		o.log_stderr = true;
		o.log_evidence = 0;
	}
	while ((c = rs_cli_getopt(cmd, argc, argv, "h", longopts)) != -1) {
		if (!plugin && c == OPT_NODE) {
			rs_cli_error(cmd->name, "--node is an option of audit-plugin");
			return RS_EXIT_ERROR;
		}
		if (plugin && c == OPT_AUDIT_REGISTER) {
			rs_cli_error(cmd->name, "--audit-register is for the daemon: the plugin "
						"reads what auditd hands it");
			return RS_EXIT_ERROR;
		}
		switch (c) {
		case OPT_NODE:
			o.local_node = optarg;
			break;
		case OPT_RESOLV_CONF:
			resolv_conf = optarg;
			break;
		case OPT_DB:
			db = optarg;
			break;
		case OPT_LOG_FORMAT:
			k = rs_cli_choice(cmd->name, "--log-format", optarg, formats);
			if (k < 0)
				return RS_EXIT_ERROR;
			o.log_format = k == 0 ? RS_LOG_TEXT : RS_LOG_JSON;
			break;
		case OPT_SETTLE:
			if (rs_cli_duration(cmd->name, "--settle", optarg, 0, 10000, &ms) < 0)
				return RS_EXIT_ERROR;
			o.settle_ms = (unsigned)ms;
			break;
		case OPT_EMPTY_GRACE:
			if (rs_cli_duration(cmd->name, "--empty-grace", optarg, 0, 600000, &ms) < 0)
				return RS_EXIT_ERROR;
			o.persist_ms = (unsigned)ms;
			break;
		case OPT_SOURCES:
			if (rs_sources_parse(optarg, &o.sources, bad, sizeof(bad)) < 0 ||
			    (o.sources & ~((1u << RS_SRC_EBPF) | (1u << RS_SRC_FANOTIFY) |
					   (1u << RS_SRC_AUDIT) | (1u << RS_SRC_PROCSCAN)))) {
				rs_cli_error(cmd->name,
					     "unknown or unavailable source '%s' in --sources "
					     "(expected ebpf, fanotify, audit, procscan, or none)",
					     bad[0] ? bad : optarg);
				return RS_EXIT_ERROR;
			}
			o.sources_explicit = true;
			break;
		case OPT_AUDIT_REGISTER:
			o.audit_register = true;
			break;
		case OPT_LOG_EVENTS:
			if (parse_log_events(cmd->name, optarg, &o.log_evidence) < 0)
				return RS_EXIT_ERROR;
			break;
		case OPT_SCAN_INTERVAL:
			if (rs_cli_duration(cmd->name, "--scan-interval", optarg, 1000, 86400000,
					    &ms) < 0)
				return RS_EXIT_ERROR;
			o.scan_interval_ms = (unsigned)ms;
			break;
		case OPT_GRACE:
			if (rs_cli_duration(cmd->name, "--grace", optarg, 0, 60000, &ms) < 0)
				return RS_EXIT_ERROR;
			o.grace_ms = (unsigned)ms;
			break;
		case OPT_RETIRED:
			if (o.n_retired == RS_DAEMON_MAX_RETIRED) {
				rs_cli_error(cmd->name, "too many --retired (at most %d)",
					     RS_DAEMON_MAX_RETIRED);
				return RS_EXIT_ERROR;
			}
			if (rs_addr_parse(optarg, &o.retired[o.n_retired]) < 0) {
				rs_cli_error(cmd->name,
					     "--retired '%s' is not a numeric IPv4 or IPv6 address",
					     optarg);
				return RS_EXIT_ERROR;
			}
			o.n_retired++;
			break;
		case OPT_METRICS_FILE:
			free(abs_metrics);
			abs_metrics = rs_cli_abspath(cmd->name, "--metrics-file", optarg);
			if (abs_metrics == NULL)
				return RS_EXIT_ERROR;
			o.metrics_file = abs_metrics;
			break;
		case OPT_KEEP:
			if (rs_cli_int(cmd->name, "--keep-generations", optarg, 1, 100000, &keep) <
			    0)
				return RS_EXIT_ERROR;
			o.keep_generations = (unsigned)keep;
			break;
		case OPT_AUDIT_WINDOW:
			if (rs_cli_duration(cmd->name, "--audit-window", optarg, 0, 7 * 86400000ULL,
					    &ms) < 0)
				return RS_EXIT_ERROR;
			o.audit_window_ms = ms;
			break;
		case OPT_AUDIT_ALWAYS:
			o.audit_always = true;
			break;
		case OPT_FENCE:
			if (rs_fence_parse(optarg, &o.fence) < 0) {
				rs_cli_error(cmd->name,
					     "--fence '%s': expected off, redirect or refuse", optarg);
				return RS_EXIT_ERROR;
			}
			break;
		case -3:
			return RS_EXIT_OK;
		default:
			return RS_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return rs_cli_extra_args(cmd->name, argc, argv);
	if (o.fence != RS_FENCE_OFF && !(o.sources & (1u << RS_SRC_EBPF))) {
		rs_cli_error(cmd->name, "--fence needs the ebpf source (--sources)");
		return RS_EXIT_ERROR;
	}
	abs_conf = rs_cli_abspath(cmd->name, "--resolv-conf", resolv_conf);
	abs_db = abs_conf ? rs_cli_abspath(cmd->name, "--db", db) : NULL;
	if (abs_conf == NULL || abs_db == NULL) {
		free(abs_conf);
		return RS_EXIT_ERROR;
	}
	o.resolv_conf = abs_conf;
	o.db_path = abs_db;
	status = rs_daemon_run(&o);
	free(abs_metrics);
	free(abs_conf);
	free(abs_db);
	return status;
}
