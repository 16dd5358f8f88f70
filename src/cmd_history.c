/* `resolvstale history`: options and help. */
#include <errno.h>
#include <string.h>

#include "resolvstale/cli.h"
#include "resolvstale/history.h"
#include "resolvstale/store.h"

static const char help[] =
	"Usage: resolvstale history [OPTIONS]\n"
	"\n"
	"Show the generations of resolv.conf that the daemon recorded, oldest first:\n"
	"when each was observed, its effective configuration as a diff against the\n"
	"previous generation (- removed, + added), the retired and added nameservers,\n"
	"who wrote the file when a source saw it, and the lines glibc skips or reads\n"
	"differently from how they look. Reads the store only: works while the\n"
	"daemon runs, after it stopped, and on a copy of the database.\n"
	"\n"
	"Options:\n"
	"  --db PATH          the store (default " RS_STORE_DEFAULT_PATH ")\n"
	"  --format FORMAT    text (default) or json\n"
	"  --generation N     only generation N, with its diff against N-1\n"
	"  --events           also list each generation's file events: edits that left\n"
	"                     the effective configuration as it was\n"
	"  -h, --help         show this help\n"
	"\n"
	"JSON: {\"schema\":1,\"generations\":[{\"generation\":N,\"time\":RFC3339,\n"
	"\"path\":..,\"target\":..,\"nameservers\":[..],\"default_nameserver\":bool,\n"
	"\"previous_nameservers\":[..],\"retired\":[..],\"added\":[..],\n"
	"\"ignored_nameservers\":[..],\"search\":[..],\"options\":[..],\"sortlist\":[..],\n"
	"\"at_start\":bool,\"file\":{\"state\":..,\"inode\":..,\"size\":..,\"mtime\":..,\n"
	"\"ctime\":..,\"hash\":..},\"writer\":{..}|null,\"n_warnings\":N,\n"
	"\"warnings\":[{\"line\":N,\"code\":..,\"detail\":..}],\"file_events\":[..]}]}\n"
	"(\"previous_nameservers\" only when generation N-1 is known, \"file_events\"\n"
	"only with --events.)\n"
	"\n"
	"Exit status:\n"
	"  0  printed (also when nothing is recorded yet)\n"
	"  2  bad options, no such generation, or the store cannot be read\n";

enum {
	OPT_DB = 256,
	OPT_FORMAT,
	OPT_GENERATION,
	OPT_EVENTS,
};

static int run(int argc, char **argv);

const struct rs_command rs_cmd_history = {
	"history",
	"show the recorded generations of resolv.conf, with what changed",
	help,
	run,
};

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"generation", required_argument, NULL, OPT_GENERATION},
		{"events", no_argument, NULL, OPT_EVENTS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", NULL};
	struct rs_history_opts o = {RS_HISTORY_TEXT, false, -1};
	const char *db = RS_STORE_DEFAULT_PATH;
	struct rs_store *st = NULL;
	char err[320];
	int c, k, r;

	while ((c = rs_cli_getopt(&rs_cmd_history, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_FORMAT:
			k = rs_cli_choice("history", "--format", optarg, formats);
			if (k < 0)
				return RS_EXIT_ERROR;
			o.format = k == 0 ? RS_HISTORY_TEXT : RS_HISTORY_JSON;
			break;
		case OPT_GENERATION:
			if (rs_cli_int("history", "--generation", optarg, 0, INT64_MAX,
				       &o.generation) < 0)
				return RS_EXIT_ERROR;
			break;
		case OPT_EVENTS:
			o.events = true;
			break;
		case -3:
			return RS_EXIT_OK;
		default:
			return RS_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return rs_cli_extra_args("history", argc, argv);
	r = rs_store_open(db, RS_STORE_READ, &st, err, sizeof(err));
	if (r < 0) {
		rs_cli_error("history", "cannot open the store %s: %s", db, err);
		return RS_EXIT_ERROR;
	}
	r = rs_history_print(st, &o, stdout);
	if (r == -ENOENT && o.generation >= 0)
		rs_cli_error("history", "no generation %lld in %s", (long long)o.generation, db);
	else if (r == -EIO && ferror(stdout))
		rs_cli_error("history", "cannot write the output: %s", strerror(errno));
	else if (r < 0)
		rs_cli_error("history", "cannot read %s: %s", db, rs_store_errmsg(st));
	rs_store_close(st);
	return r < 0 ? RS_EXIT_ERROR : RS_EXIT_OK;
}
