/* `resolvstale rules`: the audit rules the daemon loads. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/audit_rules.h"
#include "resolvstale/cli.h"
#include "resolvstale/pathchain.h"

static const char help[] =
	"Usage: resolvstale rules --print [--resolv-conf PATH] [--pid N]\n"
	"\n"
	"Print the audit rules that `resolvstale daemon` loads when the audit source\n"
	"runs, in auditctl syntax, one per line, exactly as they are sent to the\n"
	"kernel. All carry keys starting \"" RS_AUDIT_KEY_PREFIX "\": the daemon adds them at\n"
	"start, removes them at stop (and a crashed run's leftovers at the next\n"
	"start), and never touches rules with other keys.\n"
	"\n"
	"  - a path watch (perm=wa) on the final target of the resolv.conf symlink\n"
	"    chain: who writes, replaces or removes it;\n"
	"  - stat/lstat/newfstatat/statx/open/openat/openat2 of it (and the 32-bit\n"
	"    names): who looks at it, excluding the daemon's own reads (pid!=N);\n"
	"  - connect/sendto/sendmsg/sendmmsg with an IPv4 or IPv6 address\n"
	"    (saddr_fam=2/10; never unfiltered), 64- and 32-bit, and i386's\n"
	"    socketcall: where DNS goes. Every such call of every process becomes a\n"
	"    record that resolvstale filters for port 53, which costs throughput on\n"
	"    busy hosts (about 0.27x for a CPU-bound glibc lookup loop).\n"
	"A send on an already connected socket carries no address and is not\n"
	"recorded: the connect before it is the evidence, and sockets connected\n"
	"before the rules existed are for the /proc scanner.\n"
	"\n"
	"Options:\n"
	"  --print              print the rules (the only action for now)\n"
	"  --resolv-conf PATH   the watched file (default /etc/resolv.conf); its chain\n"
	"                       is resolved now, as the daemon would\n"
	"  --pid N              the daemon's pid for the pid!= field (default: the\n"
	"                       placeholder PID; the daemon uses its own)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Exit status: 0 printed; 2 bad options.\n";

enum {
	OPT_PRINT = 256,
	OPT_RESOLV_CONF,
	OPT_PID,
};

static int run(int argc, char **argv);

const struct rs_command rs_cmd_rules = {
	"rules",
	"print the audit rules the daemon loads (auditctl syntax)",
	help,
	run,
};

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"print", no_argument, NULL, OPT_PRINT},
		{"resolv-conf", required_argument, NULL, OPT_RESOLV_CONF},
		{"pid", required_argument, NULL, OPT_PID},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rs_audit_rule rules[RS_AUDIT_MAX_RULES];
	struct rs_pathchain chain;
	struct rs_sbuf out = RS_SBUF_INIT;
	const char *conf = RS_DEFAULT_RESOLV_CONF;
	bool print = false;
	int64_t pid = 0;
	char *abs;
	size_t n;
	int c, status = RS_EXIT_OK;

	while ((c = rs_cli_getopt(&rs_cmd_rules, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_PRINT:
			print = true;
			break;
		case OPT_RESOLV_CONF:
			conf = optarg;
			break;
		case OPT_PID:
			if (rs_cli_int("rules", "--pid", optarg, 1, INT32_MAX, &pid) < 0)
				return RS_EXIT_ERROR;
			break;
		case -3:
			return RS_EXIT_OK;
		default:
			return RS_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return rs_cli_extra_args("rules", argc, argv);
	if (!print) {
		rs_cli_error("rules", "nothing to do: use --print (see 'resolvstale rules --help')");
		return RS_EXIT_ERROR;
	}
	abs = rs_cli_abspath("rules", "--resolv-conf", conf);
	if (abs == NULL)
		return RS_EXIT_ERROR;
	if (rs_pathchain_resolve(abs, &chain) < 0) {
		rs_cli_error("rules", "cannot resolve %s", conf);
		free(abs);
		return RS_EXIT_ERROR;
	}
	n = rs_audit_rules_build(chain.final, pid > 0 ? (pid_t)pid : 0, rules, RS_AUDIT_MAX_RULES);
	rs_sbuf_printf(&out, "## resolvstale daemon audit rules for %s", abs);
	if (chain.n_links > 0)
		rs_sbuf_printf(&out, " (-> %s)", chain.final);
	rs_sbuf_putc(&out, '\n');
	for (size_t i = 0; i < n; i++) {
		struct rs_sbuf line = RS_SBUF_INIT;
		rs_audit_rule_format(&rules[i], &line);
		if (pid == 0) {
			/* Show where the daemon puts its own pid. */
			char *p = strstr(line.buf, "pid!=0");
			if (p != NULL) {
				rs_sbuf_append(&out, line.buf, (size_t)(p - line.buf));
				rs_sbuf_puts(&out, "pid!=PID");
				rs_sbuf_puts(&out, p + strlen("pid!=0"));
			} else {
				rs_sbuf_puts(&out, rs_sbuf_str(&line));
			}
		} else {
			rs_sbuf_puts(&out, rs_sbuf_str(&line));
		}
		rs_sbuf_putc(&out, '\n');
		rs_sbuf_free(&line);
	}
	if (rs_sbuf_failed(&out) || fwrite(out.buf, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) {
		rs_cli_error("rules", "cannot write the output");
		status = RS_EXIT_ERROR;
	}
	rs_sbuf_free(&out);
	rs_pathchain_free(&chain);
	free(abs);
	return status;
}
