/* `resolvstale status`: is a daemon recording into this store, with which
 * sources, and what do its audit rules cost right now. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolvstale/cli.h"
#include "resolvstale/generation.h"
#include "resolvstale/json.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/store.h"
#include "resolvstale/strnum.h"
#include "resolvstale/timefmt.h"

static const char help[] =
	"Usage: resolvstale status [OPTIONS]\n"
	"\n"
	"Say whether a daemon (or the audit plugin) is recording into the store, and\n"
	"how: its pid and start time, the evidence sources it runs, which source\n"
	"tracks DNS sends and why (the eBPF tripwire when it loads, else audit), the\n"
	"fence, which audit rules are loaded now (the costly stat/open and send rules\n"
	"only for --audit-window after a change), and the generation in force with\n"
	"its retired servers. Reads the store and /proc only.\n"
	"\n"
	"Options:\n"
	"  --db PATH          the store (default " RS_STORE_DEFAULT_PATH ")\n"
	"  --format FORMAT    text (default) or json\n"
	"  -h, --help         show this help\n"
	"\n"
	"JSON: {\"schema\":1,\"running\":bool,\"pid\":N|null,\"state\":\"running\"|\n"
	"\"stopped\"|\"killed\"|\"other-boot\",\"started\":RFC3339|null,\"path\":..,\n"
	"\"sources\":[..],\"send_tracking\":..,\"fence\":..,\"audit_rules\":..,\n"
	"\"generation\":N|null,\"generation_time\":..,\"retired\":[..],\"nameservers\":[..]}\n"
	"\n"
	"States: running (the writer's pid runs resolvstale in this boot); stopped\n"
	"(it stopped cleanly); killed (it stopped without saving: kill -9, a crash;\n"
	"up to a second of evidence is missing); other-boot (it ran before the last\n"
	"reboot).\n"
	"\n"
	"Exit status:\n"
	"  0  a daemon is recording into the store\n"
	"  1  none is (stopped, killed, or the store is from another boot)\n"
	"  2  bad options, or the store cannot be read\n";

enum { OPT_DB = 256, OPT_FORMAT };

static int run(int argc, char **argv);

const struct rs_command rs_cmd_status = {
	"status",
	"is a daemon recording, with which sources, what its audit rules cost now",
	help,
	run,
};

struct status {
	char pid[32], boot[64], started[32], path[4096], sources[128];
	char send_tracking[1200], fence[32], audit_rules[160];
	const char *state;
	bool running;
	bool have_gen;
	struct rs_generation gen;
};

static void meta(struct rs_store *st, const char *key, char *buf, size_t len)
{
	if (rs_store_meta_get(st, key, buf, len) < 0)
		buf[0] = '\0';
}

/* The writer's marker names a pid: is it a resolvstale of this boot? */
static void liveness(struct status *s)
{
	char boot[64], path[64], comm[32];

	rs_read_line(RS_BOOT_ID_PATH, boot, sizeof(boot));
	if (s->pid[0] == '\0') {
		s->state = "stopped";
		return;
	}
	if (s->boot[0] != '\0' && boot[0] != '\0' && strcmp(s->boot, boot) != 0) {
		s->state = "other-boot";
		return;
	}
	snprintf(path, sizeof(path), "/proc/%s/comm", s->pid);
	rs_read_line(path, comm, sizeof(comm));
	s->running = strcmp(comm, "resolvstale") == 0;
	s->state = s->running ? "running" : "killed";
}

static int gather(struct rs_store *st, struct status *s)
{
	int r;

	meta(st, "running_pid", s->pid, sizeof(s->pid));
	meta(st, "boot_id", s->boot, sizeof(s->boot));
	meta(st, "started_ns", s->started, sizeof(s->started));
	meta(st, "watched_path", s->path, sizeof(s->path));
	meta(st, "sources", s->sources, sizeof(s->sources));
	meta(st, "send_tracking", s->send_tracking, sizeof(s->send_tracking));
	meta(st, "fence", s->fence, sizeof(s->fence));
	meta(st, "audit_rules", s->audit_rules, sizeof(s->audit_rules));
	liveness(s);
	r = rs_store_latest_generation(st, &s->gen);
	if (r < 0 && r != -ENOENT)
		return r;
	s->have_gen = r == 0;
	return 0;
}

static int64_t started_ns(const struct status *s)
{
	int64_t v;

	return rs_strtoi64(s->started, 0, INT64_MAX, &v) == 0 ? v : 0;
}

static void print_text(const struct status *s, const char *db)
{
	char t[64];
	struct rs_sbuf sb = RS_SBUF_INIT;

	if (s->running)
		printf("daemon: running, pid %s%s%s\n", s->pid, started_ns(s) ? ", since " : "",
		       started_ns(s) ? rs_time_local(started_ns(s), t, sizeof(t)) : "");
	else if (strcmp(s->state, "killed") == 0)
		printf("daemon: not running (pid %s stopped without saving: killed or crashed)\n",
		       s->pid);
	else if (strcmp(s->state, "other-boot") == 0)
		printf("daemon: not running (pid %s ran before the last reboot)\n", s->pid);
	else
		printf("daemon: not running (stopped cleanly)\n");
	printf("store: %s\n", db);
	if (s->path[0])
		printf("watching: %s\n", s->path);
	if (s->have_gen) {
		rs_addrs_join(s->gen.retired, s->gen.n_retired, &sb);
		printf("generation: %lld, %s%s%s\n", (long long)s->gen.number,
		       rs_time_local(s->gen.time_ns, t, sizeof(t)),
		       s->gen.n_retired ? "; retired " : "", s->gen.n_retired ? rs_sbuf_str(&sb) : "");
		rs_sbuf_free(&sb);
	}
	if (s->sources[0])
		printf("sources%s: %s\n", s->running ? "" : " (last run)", s->sources);
	if (s->send_tracking[0])
		printf("%s%s\n", s->running ? "" : "last run: ", s->send_tracking);
	if (s->fence[0] && strcmp(s->fence, "off") != 0)
		printf("fence: %s (sends to retired servers are %s)\n", s->fence,
		       strcmp(s->fence, "redirect") == 0 ? "sent to a current server" : "refused");
	if (s->running && s->audit_rules[0])
		printf("audit rules now: %s\n", s->audit_rules);
}

static void kv_or_null(struct rs_json *j, const char *key, const char *v)
{
	rs_json_kv_str(j, key, v[0] ? v : NULL);
}

static void print_json(const struct status *s)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_json j;
	char t[64];
	int64_t pid;

	rs_json_init(&j, &sb);
	rs_json_obj_begin(&j);
	rs_json_kv_int(&j, "schema", 1);
	rs_json_kv_bool(&j, "running", s->running);
	rs_json_key(&j, "pid");
	if (rs_strtoi64(s->pid, 1, INT32_MAX, &pid) == 0)
		rs_json_int(&j, pid);
	else
		rs_json_null(&j);
	rs_json_kv_str(&j, "state", s->state);
	rs_json_kv_str(&j, "started",
		       started_ns(s) ? rs_time_rfc3339(started_ns(s), t, sizeof(t)) : NULL);
	kv_or_null(&j, "path", s->path);
	rs_json_key(&j, "sources");
	rs_json_arr_begin(&j);
	for (const char *p = s->sources; *p;) {
		size_t n = strcspn(p, ",");
		rs_json_strn(&j, p, n);
		p += n + (p[n] == ',');
	}
	rs_json_arr_end(&j);
	kv_or_null(&j, "send_tracking", s->send_tracking);
	kv_or_null(&j, "fence", s->fence);
	kv_or_null(&j, "audit_rules", s->running ? s->audit_rules : "");
	rs_json_key(&j, "generation");
	if (s->have_gen)
		rs_json_int(&j, s->gen.number);
	else
		rs_json_null(&j);
	rs_json_kv_str(&j, "generation_time",
		       s->have_gen ? rs_time_rfc3339(s->gen.time_ns, t, sizeof(t)) : NULL);
	for (int k = 0; k < 2; k++) {
		const struct rs_addr *a = k ? s->gen.ns : s->gen.retired;
		size_t n = !s->have_gen ? 0 : k ? s->gen.n_ns : s->gen.n_retired;
		char buf[RS_ADDR_STRLEN];

		rs_json_key(&j, k ? "nameservers" : "retired");
		rs_json_arr_begin(&j);
		for (size_t i = 0; i < n; i++)
			rs_json_str(&j, rs_addr_format(&a[i], buf, sizeof(buf)));
		rs_json_arr_end(&j);
	}
	rs_json_obj_end(&j);
	printf("%s\n", rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
}

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const formats[] = {"text", "json", NULL};
	const char *db = RS_STORE_DEFAULT_PATH;
	struct rs_store *st = NULL;
	struct status s;
	bool json = false;
	char err[320];
	int c, k, r;

	while ((c = rs_cli_getopt(&rs_cmd_status, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_FORMAT:
			k = rs_cli_choice("status", "--format", optarg, formats);
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
		return rs_cli_extra_args("status", argc, argv);
	r = rs_store_open(db, RS_STORE_READ, &st, err, sizeof(err));
	if (r < 0) {
		rs_cli_error("status", "cannot open the store %s: %s", db, err);
		return RS_EXIT_ERROR;
	}
	memset(&s, 0, sizeof(s));
	r = gather(st, &s);
	if (r < 0) {
		rs_cli_error("status", "cannot read %s: %s", db, rs_store_errmsg(st));
		rs_store_close(st);
		return RS_EXIT_ERROR;
	}
	if (json)
		print_json(&s);
	else
		print_text(&s, db);
	rs_generation_clear(&s.gen);
	rs_store_close(st);
	if (fflush(stdout) != 0) {
		rs_cli_error("status", "cannot write the output: %s", strerror(errno));
		return RS_EXIT_ERROR;
	}
	return s.running ? RS_EXIT_OK : RS_EXIT_FOUND;
}
