/* Command-line front end: subcommand dispatch and shared option helpers. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/cli.h"
#include "resolvstale/strnum.h"

static const struct rs_command *const commands[] = {
	&rs_cmd_daemon,  &rs_cmd_report, &rs_cmd_services, &rs_cmd_replay, &rs_cmd_audit_plugin,
	&rs_cmd_status,  &rs_cmd_history, &rs_cmd_scan,   &rs_cmd_check,    &rs_cmd_rules,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char main_help_head[] =
	"Usage: resolvstale [--version] [--help] COMMAND [OPTIONS]\n"
	"\n"
	"resolvstale finds the processes that still use a retired DNS resolver after\n"
	"/etc/resolv.conf changed: it records every change of the file as a numbered\n"
	"generation (old and new nameservers, time, writer) and, from the evidence its\n"
	"sources gather, tells which processes moved on and which must be restarted.\n"
	"\n"
	"Commands:\n";

static const char main_help_tail[] =
	"  help         show the help of a command: resolvstale help COMMAND\n"
	"\n"
	"Run 'resolvstale COMMAND --help' for the options of a command.\n"
	"\n"
	"Options:\n"
	"  -h, --help      show this help\n"
	"  -V, --version   show the version\n"
	"\n"
	"Exit status:\n"
	"  0  success\n"
	"  1  the command found a problem (check: warnings)\n"
	"  2  usage error, or the command could not do its job\n"
	"\n"
	"Files:\n"
	"  /etc/resolv.conf                 the file watched by default\n"
	"  /var/lib/resolvstale/state.db    the store (SQLite, mode 0600)\n";

static void main_help(FILE *out)
{
	fputs(main_help_head, out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
	fputs(main_help_tail, out);
}

static const struct rs_command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

void rs_cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	if (cmd != NULL)
		fprintf(stderr, "resolvstale %s: ", cmd);
	else
		fputs("resolvstale: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int rs_cli_main(int argc, char **argv)
{
	const struct rs_command *cmd;
	const char *name;

	if (argc < 2) {
		main_help(stderr);
		return RS_EXIT_ERROR;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		main_help(stdout);
		return RS_EXIT_OK;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0 ||
	    strcmp(name, "version") == 0) {
		printf("resolvstale %s\n", RS_VERSION);
		return RS_EXIT_OK;
	}
	if (strcmp(name, "help") == 0) {
		if (argc < 3) {
			main_help(stdout);
			return RS_EXIT_OK;
		}
		cmd = find_command(argv[2]);
		if (cmd == NULL) {
			rs_cli_error(NULL, "no such command '%s' (see 'resolvstale --help')",
				     argv[2]);
			return RS_EXIT_ERROR;
		}
		fputs(cmd->help, stdout);
		return RS_EXIT_OK;
	}
	if (name[0] == '-') {
		rs_cli_error(NULL, "unknown option '%s' (see 'resolvstale --help')", name);
		return RS_EXIT_ERROR;
	}
	cmd = find_command(name);
	if (cmd == NULL) {
		rs_cli_error(NULL, "no such command '%s' (see 'resolvstale --help')", name);
		return RS_EXIT_ERROR;
	}
	optind = 0; /* glibc: full re-initialisation of getopt */
	return cmd->run(argc - 1, argv + 1);
}

int rs_cli_getopt(const struct rs_command *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts)
{
	char spec[64];
	int c, prev = optind;

	/* ':' first: report a missing value as ':' instead of printing. */
	snprintf(spec, sizeof(spec), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c == 'h') {
		fputs(cmd->help, stdout);
		return -3;
	}
	if (c == '?') {
		const char *bad = optopt ? NULL : argv[optind - 1];
		if (bad != NULL)
			rs_cli_error(cmd->name, "unknown option '%s' (see 'resolvstale %s --help')",
				     bad, cmd->name);
		else
			rs_cli_error(cmd->name,
				     "unknown option '-%c' (see 'resolvstale %s --help')", optopt,
				     cmd->name);
		return -2;
	}
	if (c == ':') {
		const char *opt = argv[optind - 1];
		if (optind - 1 < prev || opt == NULL)
			opt = "?";
		rs_cli_error(cmd->name, "option '%s' needs a value (see 'resolvstale %s --help')",
			     opt, cmd->name);
		return -2;
	}
	return c;
}

int rs_cli_choice(const char *cmd, const char *opt, const char *value, const char *const *choices)
{
	char expected[256] = "";
	size_t n = 0, o = 0;

	for (int i = 0; choices[i] != NULL; i++) {
		if (strcmp(value, choices[i]) == 0)
			return i;
		n++;
	}
	for (size_t i = 0; i < n && o < sizeof(expected); i++)
		o += (size_t)snprintf(expected + o, sizeof(expected) - o, "%s%s",
				      i == 0 ? "" : (i + 1 == n ? " or " : ", "), choices[i]);
	rs_cli_error(cmd, "invalid value '%s' for %s (expected %s)", value, opt, expected);
	return -1;
}

int rs_cli_duration(const char *cmd, const char *opt, const char *value, uint64_t min_ms,
		    uint64_t max_ms, uint64_t *out)
{
	int r = rs_parse_duration_ms(value, min_ms, max_ms, out);

	if (r == -EINVAL) {
		rs_cli_error(cmd, "invalid duration '%s' for %s (e.g. 50ms, 2s, 10m)", value, opt);
		return -1;
	}
	if (r == -ERANGE) {
		rs_cli_error(cmd, "%s %s is out of range (%llums to %llums)", opt, value,
			     (unsigned long long)min_ms, (unsigned long long)max_ms);
		return -1;
	}
	return 0;
}

int rs_cli_int(const char *cmd, const char *opt, const char *value, int64_t min, int64_t max,
	       int64_t *out)
{
	int r = rs_strtoi64(value, min, max, out);

	if (r == -EINVAL) {
		rs_cli_error(cmd, "invalid number '%s' for %s", value, opt);
		return -1;
	}
	if (r == -ERANGE) {
		rs_cli_error(cmd, "%s %s is out of range (%lld to %lld)", opt, value,
			     (long long)min, (long long)max);
		return -1;
	}
	return 0;
}

char *rs_cli_abspath(const char *cmd, const char *opt, const char *path)
{
	char cwd[PATH_MAX];
	char *out;

	if (path[0] == '\0') {
		rs_cli_error(cmd, "%s needs a non-empty path", opt);
		return NULL;
	}
	if (path[0] == '/') {
		out = strdup(path);
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			rs_cli_error(cmd, "cannot make %s absolute: %s", path, strerror(errno));
			return NULL;
		}
		if (asprintf(&out, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path) < 0)
			out = NULL;
	}
	if (out == NULL)
		rs_cli_error(cmd, "out of memory");
	return out;
}

int rs_cli_extra_args(const char *cmd, int argc, char **argv)
{
	if (optind < argc)
		rs_cli_error(cmd, "unexpected argument '%s' (see 'resolvstale %s --help')",
			     argv[optind], cmd);
	return RS_EXIT_ERROR;
}
