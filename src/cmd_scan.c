/* `resolvstale scan`: options, help and where the retired servers come from. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "resolvstale/cli.h"
#include "resolvstale/scan.h"
#include "resolvstale/store.h"

static const char help[] =
	"Usage: resolvstale scan [--retired ADDR]... [--format text|json] [--db PATH]\n"
	"                        [--resolv-conf PATH] [--no-at-risk] [--no-sockdiag] [--proc DIR]\n"
	"\n"
	"One look at the host, no daemon needed, without ptrace. Lists every process\n"
	"that holds a socket to port 53, in every network namespace (a NETLINK_SOCK_DIAG\n"
	"dump per namespace, matched against each process's fds), with the server,\n"
	"protocol, state, systemd unit or container, and the resolver runtime it runs\n"
	"with its reload rule; marks the sockets to a retired resolver. Then lists the\n"
	"processes at risk: alive since before the file last changed, reading that\n"
	"file, and resolving through code that reads it once (a c-ares channel, JNDI,\n"
	"glibc with no-reload, dnsmasq --no-poll ...): they will query the old servers\n"
	"at their next lookup although nothing shows it yet.\n"
	"\n"
	"Only sockets that stay open are visible to a scan (connected UDP, TCP): a\n"
	"glibc lookup's socket lives for one query. The daemon's sources see those.\n"
	"A retired loopback address (127/8, ::1) counts only in processes that read\n"
	"the watched file: it is another server in every network namespace.\n"
	"\n"
	"Options:\n"
	"  --retired ADDR       a retired resolver (repeatable). Without it, the servers\n"
	"                       retired by the generations in the store that are not in\n"
	"                       use now; none when there is no store\n"
	"  --format FORMAT      text (default) or json\n"
	"  --db PATH            the store to take retired servers from (default\n"
	"                       " RS_STORE_DEFAULT_PATH ")\n"
	"  --resolv-conf PATH   the watched file (default /etc/resolv.conf)\n"
	"  --no-at-risk         only the sockets (faster on hosts with many processes:\n"
	"                       the at-risk search reads every older process's maps)\n"
	"  --no-sockdiag        list sockets from /proc/PID/net instead of sock_diag\n"
	"  --proc DIR           a directory laid out like /proc (tests, chroots)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status:\n"
	"  0  no process talks to a retired resolver\n"
	"  1  some process holds a socket to a retired resolver\n"
	"  2  bad options, or the scan failed\n"
	"\n"
	"Privileges: root (or CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH to read other users'\n"
	"/proc/PID/fd, CAP_SYS_ADMIN to enter other network namespaces; without it the\n"
	"sockets come from /proc/PID/net).\n";

enum {
	OPT_RETIRED = 256,
	OPT_FORMAT,
	OPT_DB,
	OPT_RESOLV_CONF,
	OPT_NO_AT_RISK,
	OPT_NO_SOCKDIAG,
	OPT_PROC,
};

static int run(int argc, char **argv);

const struct rs_command rs_cmd_scan = {
	"scan",
	"list processes with sockets to port 53 and those at risk, from /proc",
	help,
	run,
};

struct retired_ctx {
	struct rs_scan_opts *o;
	int64_t first, last;
};

static void add_retired(struct rs_scan_opts *o, const struct rs_addr *a)
{
	for (size_t i = 0; i < o->n_retired; i++)
		if (rs_addr_equal(&o->retired[i], a))
			return;
	if (o->n_retired < RS_SCAN_MAX_RETIRED)
		o->retired[o->n_retired++] = *a;
}

static int collect_retired(void *arg, const struct rs_generation *g)
{
	struct retired_ctx *c = arg;

	if (c->first < 0)
		c->first = g->number;
	c->last = g->number;
	for (size_t i = 0; i < g->n_retired; i++)
		add_retired(c->o, &g->retired[i]);
	return 0;
}

/* The servers retired by any recorded generation and not in use now. */
static int retired_from_store(const char *db, bool explicit_db, struct rs_scan_opts *o,
			      char *from, size_t fromlen)
{
	struct rs_generation cur;
	struct retired_ctx c = {o, -1, -1};
	struct rs_store *st;
	struct stat sb;
	char err[320];
	size_t k = 0;
	int r;

	if (!explicit_db && stat(db, &sb) < 0) {
		snprintf(from, fromlen, "no store at %s", db);
		return 0;
	}
	r = rs_store_open(db, RS_STORE_READ, &st, err, sizeof(err));
	if (r < 0) {
		rs_cli_error("scan", "cannot open the store %s: %s", db, err);
		return -1;
	}
	memset(&cur, 0, sizeof(cur));
	r = rs_store_foreach_generation(st, 0, INT64_MAX, collect_retired, &c);
	if (r == 0 && rs_store_latest_generation(st, &cur) == 0) {
		/* A server retired once and added back later is in use again. */
		for (size_t i = 0; i < o->n_retired; i++) {
			bool current = false;
			for (size_t n = 0; n < cur.n_ns; n++)
				if (rs_addr_equal(&cur.ns[n], &o->retired[i]))
					current = true;
			if (!current)
				o->retired[k++] = o->retired[i];
		}
		o->n_retired = k;
	}
	rs_generation_clear(&cur);
	if (r < 0 && r != -ENOENT) {
		rs_cli_error("scan", "cannot read %s: %s", db, rs_store_errmsg(st));
		rs_store_close(st);
		return -1;
	}
	if (c.first < 0)
		snprintf(from, fromlen, "no generation in %s", db);
	else
		snprintf(from, fromlen, "generations %lld-%lld in %s", (long long)c.first,
			 (long long)c.last, db);
	rs_store_close(st);
	return 0;
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"retired", required_argument, NULL, OPT_RETIRED},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"db", required_argument, NULL, OPT_DB},
		{"resolv-conf", required_argument, NULL, OPT_RESOLV_CONF},
		{"no-at-risk", no_argument, NULL, OPT_NO_AT_RISK},
		{"no-sockdiag", no_argument, NULL, OPT_NO_SOCKDIAG},
		{"proc", required_argument, NULL, OPT_PROC},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", NULL};
	struct rs_scan_opts *o = calloc(1, sizeof(*o));
	struct rs_scan_summary sum;
	const char *db = RS_STORE_DEFAULT_PATH, *conf = RS_DEFAULT_RESOLV_CONF;
	char from[PATH_MAX + 64], err[512];
	char *abs = NULL;
	bool explicit_db = false;
	int c, k, status = RS_EXIT_ERROR;

	if (o == NULL) {
		rs_cli_error("scan", "out of memory");
		return RS_EXIT_ERROR;
	}
	o->use_sockdiag = true;
	o->at_risk = true;
	o->format = RS_SCAN_TEXT;
	while ((c = rs_cli_getopt(&rs_cmd_scan, argc, argv, "h", longopts)) != -1) {
		struct rs_addr a;
		switch (c) {
		case OPT_RETIRED:
			if (rs_addr_parse(optarg, &a) < 0) {
				rs_cli_error("scan", "invalid address '%s' for --retired", optarg);
				goto out;
			}
			if (o->n_retired == RS_SCAN_MAX_RETIRED) {
				rs_cli_error("scan", "too many --retired (at most %d)",
					     RS_SCAN_MAX_RETIRED);
				goto out;
			}
			add_retired(o, &a);
			break;
		case OPT_FORMAT:
			k = rs_cli_choice("scan", "--format", optarg, formats);
			if (k < 0)
				goto out;
			o->format = k == 0 ? RS_SCAN_TEXT : RS_SCAN_JSON;
			break;
		case OPT_DB:
			db = optarg;
			explicit_db = true;
			break;
		case OPT_RESOLV_CONF:
			conf = optarg;
			break;
		case OPT_NO_AT_RISK:
			o->at_risk = false;
			break;
		case OPT_NO_SOCKDIAG:
			o->use_sockdiag = false;
			break;
		case OPT_PROC:
			o->proc_root = optarg;
			break;
		case -3:
			status = RS_EXIT_OK;
			goto out;
		default:
			goto out;
		}
	}
	if (optind < argc) {
		rs_cli_extra_args("scan", argc, argv);
		goto out;
	}
	abs = rs_cli_abspath("scan", "--resolv-conf", conf);
	if (abs == NULL)
		goto out;
	o->resolv_conf = abs;
	if (o->n_retired > 0) {
		snprintf(from, sizeof(from), "--retired");
	} else if (retired_from_store(db, explicit_db, o, from, sizeof(from)) < 0) {
		goto out;
	}
	o->retired_from = from;
	if (rs_scan_run(o, stdout, &sum, err, sizeof(err)) < 0) {
		rs_cli_error("scan", "%s", err);
		goto out;
	}
	status = sum.retired_sockets > 0 ? RS_EXIT_FOUND : RS_EXIT_OK;
out:
	free(abs);
	free(o);
	return status;
}
