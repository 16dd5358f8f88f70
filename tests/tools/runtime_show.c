/* Print the resolver runtime fingerprint of processes.
 *
 *   runtime_show [--proc DIR] [--json] PID...
 *
 * Reads each PID below /proc (or DIR, a fixture tree laid out like /proc) with
 * rs_runtime_read() and prints, per process:
 *
 *   pid 1234
 *   runtime glibc
 *   version 2.36
 *   primary libc reloads-on-use
 *   second c-ares reads-once          (only when there is one)
 *   worst libc reloads-on-use
 *   notes res-options res-options-no-reload
 *   evidence maps: /usr/lib/x86_64-linux-gnu/libc.so.6
 *   ...
 *
 * (process-supplied text escaped), or with --json one JSON object per line:
 * {"pid":1234, <rs_runtime_json members>}. Exit 0, 1 if a process could not
 * be read, 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/escape.h"
#include "resolvstale/json.h"
#include "resolvstale/runtime.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/strnum.h"

static void usage(void)
{
	fprintf(stderr, "usage: runtime_show [--proc DIR] [--json] PID...\n");
}

static void print_text(int32_t pid, const struct rs_runtime *rt)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char rule[48];

	rs_sbuf_printf(&sb, "pid %d\n", (int)pid);
	rs_sbuf_printf(&sb, "runtime %s\n", rs_runtime_kind_name(rt->kind));
	rs_sbuf_puts(&sb, "version ");
	rs_escape_text(&sb, rt->version, strlen(rt->version));
	rs_sbuf_putc(&sb, '\n');
	rs_sbuf_printf(&sb, "primary %s %s\n", rs_resolver_path_name(rt->primary.path),
		       rs_runtime_path_rule(&rt->primary, rule, sizeof(rule)));
	if (rt->second.path != RS_PATH_NONE)
		rs_sbuf_printf(&sb, "second %s %s\n", rs_resolver_path_name(rt->second.path),
			       rs_runtime_path_rule(&rt->second, rule, sizeof(rule)));
	rs_sbuf_printf(&sb, "worst %s %s\n", rs_resolver_path_name(rs_runtime_worst(rt)->path),
		       rs_runtime_path_rule(rs_runtime_worst(rt), rule, sizeof(rule)));
	rs_sbuf_puts(&sb, "notes");
	for (unsigned i = 0; i < RS_RTN_COUNT; i++)
		if (rt->notes & (1u << i))
			rs_sbuf_printf(&sb, " %s",
				       rs_runtime_note_name((enum rs_runtime_note)(1u << i)));
	rs_sbuf_putc(&sb, '\n');
	for (unsigned i = 0; i < rt->n_evidence && i < RS_RT_MAX_EVIDENCE; i++) {
		rs_sbuf_puts(&sb, "evidence ");
		rs_escape_text(&sb, rt->evidence[i], strlen(rt->evidence[i]));
		rs_sbuf_putc(&sb, '\n');
	}
	if (rt->evidence_truncated)
		rs_sbuf_puts(&sb, "evidence ...\n");
	fputs(rs_sbuf_str(&sb), stdout);
	rs_sbuf_free(&sb);
}

static void print_json(int32_t pid, const struct rs_runtime *rt)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;

	rs_json_init(&j, &sb);
	rs_json_obj_begin(&j);
	rs_json_kv_int(&j, "pid", pid);
	rs_runtime_json(&j, rt);
	rs_json_obj_end(&j);
	printf("%s\n", rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
}

int main(int argc, char **argv)
{
	const char *proc = "/proc";
	bool json = false;
	int i = 1, status = 0, dfd;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--proc") == 0 && i + 1 < argc) {
			proc = argv[++i];
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			usage();
			return 2;
		}
	}
	if (i >= argc) {
		usage();
		return 2;
	}
	dfd = open(proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fprintf(stderr, "runtime_show: cannot open %s: %s\n", proc, strerror(errno));
		return 2;
	}
	for (; i < argc; i++) {
		struct rs_runtime rt;
		uint64_t v;
		int r;

		if (rs_strtou64(argv[i], 1, INT32_MAX, &v) < 0) {
			fprintf(stderr, "runtime_show: not a pid: %s\n", argv[i]);
			status = 2;
			continue;
		}
		r = rs_runtime_read(dfd, (int32_t)v, &rt);
		if (r < 0) {
			fprintf(stderr, "runtime_show: cannot read process %s: %s\n", argv[i],
				strerror(-r));
			if (status == 0)
				status = 1;
			continue;
		}
		if (json)
			print_json((int32_t)v, &rt);
		else
			print_text((int32_t)v, &rt);
	}
	close(dfd);
	return status;
}
