/* `resolvstale check`: how glibc reads a resolv.conf file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolvstale/cli.h"
#include "resolvstale/confsnap.h"
#include "resolvstale/escape.h"
#include "resolvstale/generation.h"
#include "resolvstale/genrender.h"
#include "resolvstale/json.h"
#include "resolvstale/timefmt.h"

static const char help[] =
	"Usage: resolvstale check [--format text|json] [FILE]\n"
	"\n"
	"Show how glibc reads FILE (default /etc/resolv.conf), the way res_init()\n"
	"does: the nameservers it will query (only the first 3 valid ones), those\n"
	"listed but unused, the search list and options, and every line it skips or\n"
	"reads differently from how it looks. Common surprises it points out: a CRLF\n"
	"line ending (glibc then skips the nameserver line), a keyword after leading\n"
	"white space (ignored), an option matched by prefix (\"rotatex\" is rotate),\n"
	"out-of-range numbers (ndots:-1 is 15), no valid nameserver (127.0.0.1 is\n"
	"used). Symlinks are followed and the chain is shown. Needs no daemon and\n"
	"no privilege beyond reading the file.\n"
	"\n"
	"Options:\n"
	"  --format FORMAT   text (default) or json\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit status:\n"
	"  0  glibc reads the file as written, without a warning\n"
	"  1  there are warnings, or the file is missing or unreadable (glibc then\n"
	"     uses 127.0.0.1)\n"
	"  2  bad options\n";

enum { OPT_FORMAT = 256 };

static int run(int argc, char **argv);

const struct rs_command rs_cmd_check = {
	"check",
	"show how glibc reads a resolv.conf file, and what it skips",
	help,
	run,
};

static void text_report(struct rs_sbuf *sb, const struct rs_conf_snapshot *snap,
			const struct rs_generation *g)
{
	const struct rs_resolvconf *rc = &snap->conf;
	unsigned kept = rc->n_warnings < RS_RC_MAX_WARNINGS ? rc->n_warnings : RS_RC_MAX_WARNINGS;
	char t[RS_TIME_BUF];

	rs_escape_text(sb, snap->chain, strlen(snap->chain));
	if (snap->id.state == RS_FILE_OK || snap->id.state == RS_FILE_EMPTY)
		rs_sbuf_printf(sb, "\n  inode %llu, %lld bytes, modified %s\n",
			       (unsigned long long)snap->id.ino, (long long)snap->id.size,
			       rs_time_local(snap->id.mtime_ns, t, sizeof(t)));
	else
		rs_sbuf_printf(sb, "\n  %s: %s\n", rs_file_state_name(snap->id.state),
			       strerror(snap->id.err));
	rs_sbuf_puts(sb, "glibc uses:\n");
	rs_render_generation_diff(sb, g, NULL, "  ");
	if (g->ignored && g->ignored[0]) {
		rs_sbuf_puts(sb, "listed but not used: ");
		rs_escape_text(sb, g->ignored, strlen(g->ignored));
		rs_sbuf_putc(sb, '\n');
	}
	if (rc->n_warnings == 0) {
		rs_sbuf_puts(sb, "no warnings\n");
		return;
	}
	rs_sbuf_printf(sb, "warnings (%u):\n", rc->n_warnings);
	for (unsigned i = 0; i < kept; i++) {
		const struct rs_rc_warning *w = &rc->warnings[i];
		if (w->line > 0)
			rs_sbuf_printf(sb, "  line %u: ", w->line);
		else
			rs_sbuf_puts(sb, "  ");
		rs_escape_text(sb, w->detail, strlen(w->detail));
		rs_sbuf_printf(sb, " [%s]\n", rs_rc_warn_name(w->code));
	}
	if (rc->n_warnings > kept)
		rs_sbuf_printf(sb, "  ... and %u more\n", rc->n_warnings - kept);
}

static void json_report(struct rs_sbuf *sb, const struct rs_conf_snapshot *snap,
			const struct rs_generation *g)
{
	struct rs_json j;

	rs_json_init(&j, sb);
	rs_json_obj_begin(&j);
	rs_json_kv_str(&j, "path", snap->path);
	rs_json_kv_str(&j, "chain", snap->chain);
	rs_json_kv_str(&j, "target", snap->target);
	rs_render_config_json(&j, g);
	rs_json_obj_end(&j);
	rs_sbuf_putc(sb, '\n');
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", NULL};
	struct rs_conf_snapshot snap;
	struct rs_generation g;
	struct rs_sbuf sb = RS_SBUF_INIT;
	const char *file = RS_DEFAULT_RESOLV_CONF;
	char *abs;
	bool json = false;
	int c, k, r, status;

	while ((c = rs_cli_getopt(&rs_cmd_check, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			k = rs_cli_choice("check", "--format", optarg, formats);
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
		file = argv[optind++];
	if (optind < argc)
		return rs_cli_extra_args("check", argc, argv);
	abs = rs_cli_abspath("check", "FILE", file);
	if (abs == NULL)
		return RS_EXIT_ERROR;
	memset(&g, 0, sizeof(g));
	r = rs_conf_snapshot_read(abs, &snap);
	if (r == 0)
		r = rs_generation_build(NULL, &snap, 0, &g);
	free(abs);
	if (r < 0) {
		rs_cli_error("check", "cannot read %s: %s", file, strerror(-r));
		rs_conf_snapshot_clear(&snap);
		return RS_EXIT_ERROR;
	}
	if (json)
		json_report(&sb, &snap, &g);
	else
		text_report(&sb, &snap, &g);
	status = snap.conf.n_warnings > 0 || snap.id.state != RS_FILE_OK ? RS_EXIT_FOUND
									 : RS_EXIT_OK;
	if (rs_sbuf_failed(&sb) || fwrite(sb.buf, 1, sb.len, stdout) != sb.len ||
	    fflush(stdout) != 0) {
		rs_cli_error("check", "cannot write the output");
		status = RS_EXIT_ERROR;
	}
	rs_sbuf_free(&sb);
	rs_generation_clear(&g);
	rs_conf_snapshot_clear(&snap);
	return status;
}
