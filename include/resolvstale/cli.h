/* Command-line front end: subcommand dispatch and the option helpers every
 * command shares, so that all of them word errors and help the same way.
 *
 * Exit statuses, for every command:
 *   0  success (report: compliant; check: no warning)
 *   1  the command's finding is negative (report: non-compliant; check:
 *      warnings)
 *   2  usage error or runtime error; one line on stderr says which
 */
#ifndef RESOLVSTALE_CLI_H
#define RESOLVSTALE_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#define RS_EXIT_OK    0
#define RS_EXIT_FOUND 1
#define RS_EXIT_ERROR 2

#define RS_DEFAULT_RESOLV_CONF "/etc/resolv.conf"

struct rs_command {
	const char *name;
	const char *summary; /* one line for `resolvstale --help` */
	const char *help;    /* the full text for `resolvstale NAME --help` */
	int (*run)(int argc, char **argv);
};

extern const struct rs_command rs_cmd_daemon;
extern const struct rs_command rs_cmd_history;
extern const struct rs_command rs_cmd_report;
extern const struct rs_command rs_cmd_services;
extern const struct rs_command rs_cmd_replay;
extern const struct rs_command rs_cmd_audit_plugin;
extern const struct rs_command rs_cmd_check;
extern const struct rs_command rs_cmd_rules;
extern const struct rs_command rs_cmd_scan;
extern const struct rs_command rs_cmd_status;

/* The whole program: `resolvstale ARGS...`. Returns the exit status. */
int rs_cli_main(int argc, char **argv);

/* Print "resolvstale CMD: MESSAGE" on stderr (one line). */
void rs_cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* getopt_long for a command: returns the option's value like getopt_long, or
 * -2 after printing a one-line error for an unknown option or a missing
 * value. Also answers -h/--help itself by printing the help: then returns -3.
 * longopts must contain {"help", no_argument, NULL, 'h'}. */
int rs_cli_getopt(const struct rs_command *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts);

/* Parse "text"/"json"/... : index of value in choices (NULL-terminated), or
 * -1 after printing "invalid value ... (expected a, b or c)". */
int rs_cli_choice(const char *cmd, const char *opt, const char *value, const char *const *choices);
/* A duration ("50ms", "2s") within [min_ms, max_ms]; -1 after an error line. */
int rs_cli_duration(const char *cmd, const char *opt, const char *value, uint64_t min_ms,
		    uint64_t max_ms, uint64_t *out);
/* An integer within [min, max]; -1 after an error line. */
int rs_cli_int(const char *cmd, const char *opt, const char *value, int64_t min, int64_t max,
	       int64_t *out);
/* Make path absolute (against the current directory) into a malloc'd string;
 * NULL after an error line. */
char *rs_cli_abspath(const char *cmd, const char *opt, const char *path);
/* Error for unexpected positional arguments; returns RS_EXIT_ERROR. */
int rs_cli_extra_args(const char *cmd, int argc, char **argv);

#endif
