/* `resolvstale rules`: the audit rules the daemon loads, and the rules file
 * shipped for auditd. */
#include <errno.h>
#include <libaudit.h>
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
	"       resolvstale rules --print --all [--resolv-conf PATH] [--follow] [--native]\n"
	"\n"
	"Print audit rules in auditctl syntax (what auditctl -R reads, and the format\n"
	"of the files in /etc/audit/rules.d/).\n"
	"\n"
	"Without --all: the rules `resolvstale daemon` loads when its audit source\n"
	"runs, one per line, exactly as they are sent to the kernel of this host. Their\n"
	"keys start \"" RS_AUDIT_KEY_PREFIX "\": the daemon adds them at start, removes them at\n"
	"stop (and a crashed run's leftovers at the next start), and never touches\n"
	"rules with other keys. The path rules name the final target of the\n"
	"resolv.conf symlink chain, resolved now, as the daemon does.\n"
	"\n"
	"With --all: the rules file for auditd, comments included. The file shipped as\n"
	"audit-rules/40-resolvstale.rules (installed by `make install` to\n"
	"PREFIX/share/resolvstale/) is this output, byte for byte, and a unit test keeps\n"
	"it so. The same rules as the daemon's, without the daemon's pid exclusion,\n"
	"keyed with another prefix so that the daemon never deletes them:\n"
	"  " RS_AUDIT_RULES_KEY_DNS "    connect/sendto/sendmsg/sendmmsg with an address\n"
	"  " RS_AUDIT_RULES_KEY_WRITE "  writes, replacements, removals, mode/owner changes\n"
	"  " RS_AUDIT_RULES_KEY_CONF "   stat and open of the file\n"
	"resolvstale replay and the audit plugin go by record content (SOCKADDR with\n"
	"port 53, PATH of the file), not by key: the keys are for ausearch -k.\n"
	"The path is used as given (default /etc/resolv.conf, not resolved), so the\n"
	"checked-in file is the same on every machine; syscall names are x86_64's\n"
	"(arch=b64) and i386's (arch=b32).\n"
	"\n"
	"The rules, in both sets:\n"
	"  - a path watch (perm=wa) on the file: who writes, replaces or removes it;\n"
	"  - stat/lstat/newfstatat/statx/open/openat/openat2 of it (and the 32-bit\n"
	"    names): who looks at it. glibc stats the file at every lookup, so these\n"
	"    cost one record per lookup of every glibc process; the daemon's exclude\n"
	"    its own reads (pid!=N);\n"
	"  - connect/sendto/sendmsg/sendmmsg with an IPv4 or IPv6 address\n"
	"    (saddr_fam=2/10; never unfiltered), 64- and 32-bit, and i386's\n"
	"    socketcall: where DNS goes. Every such call of every process becomes a\n"
	"    record that resolvstale filters for port 53, which costs throughput on\n"
	"    busy hosts (about 0.27x for a CPU-bound glibc lookup loop).\n"
	"A send on an already connected socket carries no address and is not\n"
	"recorded: the connect before it is the evidence, and sockets connected\n"
	"before the rules existed are for the /proc scanner.\n"
	"\n"
	"Installing the --all rules (root; Debian/Ubuntu: apt-get install auditd;\n"
	"RHEL-family hosts have auditd already):\n"
	"  resolvstale rules --print --all > /etc/audit/rules.d/40-resolvstale.rules\n"
	"  augenrules --check; augenrules --load\n"
	"  auditctl -l | grep " RS_AUDIT_RULES_KEY_PREFIX "\n"
	"Then either run the audit plugin (/etc/audit/plugins.d/resolvstale.conf,\n"
	"active = yes, restart auditd) or read the logs later with `resolvstale\n"
	"replay`; a daemon on the same host should run with --sources\n"
	"fanotify,procscan (its own audit rules would come after these, and the\n"
	"first rule that matches decides). Removing: rm the file and augenrules\n"
	"--load (rules.d's -D deletes the loaded rules), or auditctl -D -k KEY for\n"
	"each key. audit-rules/README.md has the details.\n"
	"\n"
	"Options:\n"
	"  --print              print the rules (the only action for now)\n"
	"  --all                the rules file for auditd (see above)\n"
	"  --resolv-conf PATH   the watched file (default /etc/resolv.conf). Without\n"
	"                       --all its symlink chain is resolved now; with --all it\n"
	"                       is used as given, unless --follow\n"
	"  --follow             with --all: name the final target of PATH's symlink\n"
	"                       chain in the path rules and watch each link on the way\n"
	"                       for writes, for hosts where resolv.conf is a symlink\n"
	"                       (systemd-resolved, resolvconf): a path rule does not\n"
	"                       follow links. Generate again when a link is re-pointed\n"
	"  --native             with --all: use this host's syscall names (auditctl\n"
	"                       stops at the first rule it cannot add; aarch64 has no\n"
	"                       stat, lstat or open) and drop the 32-bit rules if the\n"
	"                       host has no 32-bit ABI\n"
	"  --pid N              without --all: the daemon's pid for the pid!= field\n"
	"                       (default: the placeholder PID; the daemon uses its own)\n"
	"  -h, --help           show this help\n"
	"\n"
	"Examples:\n"
	"  resolvstale rules --print\n"
	"  build/resolvstale rules --print --all > audit-rules/40-resolvstale.rules\n"
	"  resolvstale rules --print --all --follow --native \\\n"
	"      > /etc/audit/rules.d/40-resolvstale.rules\n"
	"\n"
	"Exit status: 0 printed; 2 bad options, a symlink chain that cannot be\n"
	"resolved, or a path that a rules file cannot carry (spaces, control\n"
	"characters).\n";

enum {
	OPT_PRINT = 256,
	OPT_ALL,
	OPT_RESOLV_CONF,
	OPT_FOLLOW,
	OPT_NATIVE,
	OPT_PID,
};

static int run(int argc, char **argv);

const struct rs_command rs_cmd_rules = {
	"rules",
	"print the audit rules: the daemon's, or the file for auditd (--all)",
	help,
	run,
};

static int write_out(const struct rs_sbuf *out)
{
	if (rs_sbuf_failed(out) || fwrite(out->buf, 1, out->len, stdout) != out->len ||
	    fflush(stdout) != 0) {
		rs_cli_error("rules", "cannot write the output");
		return RS_EXIT_ERROR;
	}
	return RS_EXIT_OK;
}

/* The daemon's rules for the final target of abs. */
static int print_live(const char *abs, const struct rs_pathchain *chain, int64_t pid)
{
	struct rs_audit_rule rules[RS_AUDIT_MAX_RULES];
	struct rs_sbuf out = RS_SBUF_INIT;
	int machine = audit_detect_machine(), status;
	size_t n;

	n = rs_audit_rules_build(chain->final, pid > 0 ? (pid_t)pid : 0, rules, RS_AUDIT_MAX_RULES);
	/* What rs_audit_rules_add sends on this host. */
	if (machine >= 0)
		n = rs_audit_rules_fit(rules, n, machine);
	rs_sbuf_printf(&out, "## resolvstale daemon audit rules for %s", abs);
	if (chain->n_links > 0)
		rs_sbuf_printf(&out, " (-> %s)", chain->final);
	rs_sbuf_putc(&out, '\n');
	for (size_t i = 0; i < n; i++) {
		struct rs_sbuf line = RS_SBUF_INIT;
		char *p;

		rs_audit_rule_format(&rules[i], &line);
		/* Show where the daemon puts its own pid. */
		p = pid == 0 && !rs_sbuf_failed(&line) ? strstr(line.buf, "pid!=0") : NULL;
		if (p != NULL) {
			rs_sbuf_append(&out, line.buf, (size_t)(p - line.buf));
			rs_sbuf_puts(&out, "pid!=PID");
			rs_sbuf_puts(&out, p + strlen("pid!=0"));
		} else {
			rs_sbuf_puts(&out, rs_sbuf_str(&line));
		}
		rs_sbuf_putc(&out, '\n');
		rs_sbuf_free(&line);
	}
	status = write_out(&out);
	rs_sbuf_free(&out);
	return status;
}

/* The rules file for auditd. */
static int print_all(const char *abs, bool follow, bool native)
{
	struct rs_audit_rules_file f = {.path = abs, .machine = MACH_86_64};
	struct rs_pathchain chain;
	struct rs_sbuf out = RS_SBUF_INIT;
	const char *links[RS_CHAIN_MAX_LINKS];
	int status = RS_EXIT_ERROR, rc;

	memset(&chain, 0, sizeof(chain));
	if (native) {
		f.machine = audit_detect_machine();
		f.native = true;
		if (f.machine < 0) {
			rs_cli_error("rules", "--native: libaudit does not know this machine");
			return RS_EXIT_ERROR;
		}
	}
	if (follow) {
		if (rs_pathchain_resolve(abs, &chain) < 0) {
			rs_cli_error("rules", "cannot resolve %s", abs);
			goto out;
		}
		/* A missing final file is fine: a watch names a path. */
		if (chain.err != 0 && chain.err != ENOENT) {
			rs_cli_error("rules", "cannot resolve %s: %s", abs, strerror(chain.err));
			goto out;
		}
		if (chain.n_links > 0) {
			f.path = chain.final;
			f.given = abs;
			for (size_t i = 0; i < chain.n_links; i++)
				links[i] = chain.links[i].path;
			f.links = links;
			f.n_links = chain.n_links;
		}
	}
	rc = rs_audit_rules_file_render(&f, &out);
	if (rc == -EINVAL || rc == -ENAMETOOLONG) {
		rs_cli_error("rules",
			     "%s cannot be written in an audit rules file (%s; auditctl splits "
			     "at spaces)",
			     f.path, rc == -EINVAL ? "a space or control character" : "too long");
		goto out;
	}
	if (rc < 0) {
		rs_cli_error("rules", "cannot build the rules: %s", strerror(-rc));
		goto out;
	}
	status = write_out(&out);
out:
	rs_sbuf_free(&out);
	rs_pathchain_free(&chain);
	return status;
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"print", no_argument, NULL, OPT_PRINT},
		{"all", no_argument, NULL, OPT_ALL},
		{"resolv-conf", required_argument, NULL, OPT_RESOLV_CONF},
		{"follow", no_argument, NULL, OPT_FOLLOW},
		{"native", no_argument, NULL, OPT_NATIVE},
		{"pid", required_argument, NULL, OPT_PID},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rs_pathchain chain;
	const char *conf = RS_DEFAULT_RESOLV_CONF;
	bool print = false, all = false, follow = false, native = false;
	int64_t pid = 0;
	char *abs;
	int c, status;

	while ((c = rs_cli_getopt(&rs_cmd_rules, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_PRINT:
			print = true;
			break;
		case OPT_ALL:
			all = true;
			break;
		case OPT_RESOLV_CONF:
			conf = optarg;
			break;
		case OPT_FOLLOW:
			follow = true;
			break;
		case OPT_NATIVE:
			native = true;
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
		rs_cli_error("rules",
			     "nothing to do: use --print (see 'resolvstale rules --help')");
		return RS_EXIT_ERROR;
	}
	if (all && pid != 0) {
		rs_cli_error("rules", "--pid goes with the daemon's rules, not --all (the file "
				      "for auditd has no pid field)");
		return RS_EXIT_ERROR;
	}
	if (!all && (follow || native)) {
		rs_cli_error("rules",
			     "%s goes with --all (the daemon's rules always name the "
			     "final target, for this host)",
			     follow ? "--follow" : "--native");
		return RS_EXIT_ERROR;
	}
	abs = rs_cli_abspath("rules", "--resolv-conf", conf);
	if (abs == NULL)
		return RS_EXIT_ERROR;
	if (all) {
		status = print_all(abs, follow, native);
		free(abs);
		return status;
	}
	if (rs_pathchain_resolve(abs, &chain) < 0) {
		rs_cli_error("rules", "cannot resolve %s", conf);
		free(abs);
		return RS_EXIT_ERROR;
	}
	status = print_live(abs, &chain, pid);
	rs_pathchain_free(&chain);
	free(abs);
	return status;
}
