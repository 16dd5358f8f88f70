/* Prometheus text metrics: the exposition text (every verdict, HELP and TYPE
 * once per family, well-formed samples) and the atomic write. Each test gets a
 * fresh directory under /tmp, removed at the end. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/metrics.h"
#include "resolvstale/sbuf.h"
#include "testutil.h"

#define SEC 1000000000LL

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/rs-metrics-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/resolvstale.prom", dir);
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static void teardown(void)
{
	if (dir[0] == '/')
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(metrics, .init = setup, .fini = teardown);

/* --- helpers --------------------------------------------------------------- */

static void sample(struct rs_metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->generation = 7;
	m->change_ns = 1700000000LL * SEC + 123456789;
	m->retired = 2;
	for (int v = RS_V_STALE; v < RS_V_COUNT; v++)
		m->verdicts[v] = (uint64_t)(10 * v + 1);
	m->lost_window = 5;
	m->sources[0] = (struct rs_metrics_source){.name = "fanotify", .up = true, .lost = 3};
	m->sources[1] = (struct rs_metrics_source){.name = "audit", .up = false, .lost = 0};
	m->sources[2] = (struct rs_metrics_source){.name = "procscan", .up = true, .lost = 1};
	m->n_sources = 3;
	m->events = 123456;
	m->tracked = 42;
	m->start_ns = 1699999000LL * SEC;
	m->now_ns = 1700000100LL * SEC;
}

static char *format(const struct rs_metrics *m)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char *s;

	rs_metrics_format(m, &sb);
	cr_assert_not(rs_sbuf_failed(&sb));
	s = strdup(rs_sbuf_str(&sb));
	cr_assert_not_null(s);
	rs_sbuf_free(&sb);
	return s;
}

/* Whether text has this exact line. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, line, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

#define MAX_FAMILIES 64

struct family {
	char name[128];
	char type[16];
	bool help, samples;
};

struct check {
	struct family f[MAX_FAMILIES];
	size_t n;
	size_t n_samples;
};

static struct family *family(struct check *c, const char *name, size_t len)
{
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->f[i].name) == len && strncmp(c->f[i].name, name, len) == 0)
			return &c->f[i];
	return NULL;
}

static struct family *new_family(struct check *c, const char *name, size_t len)
{
	struct family *f;

	cr_assert_lt(c->n, MAX_FAMILIES);
	cr_assert_lt(len, sizeof(f->name));
	f = &c->f[c->n++];
	memset(f, 0, sizeof(*f));
	memcpy(f->name, name, len);
	return f;
}

/* Validate the text exposition format, line by line: "# HELP name text",
 * "# TYPE name gauge|counter|...", then samples "name{l="v",...} value" of
 * that family; a family's HELP and TYPE once, before its samples, families
 * not interleaved. Fills c. */
static void check_exposition(const char *text, struct check *c)
{
	const char *p = text;
	struct family *open = NULL;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	cr_assert_gt(strlen(text), 0);
	cr_assert_eq(text[strlen(text) - 1], '\n', "the text ends with a newline");
	while (*p) {
		const char *end = strchr(p, '\n');
		size_t len = (size_t)(end - p);
		char line[512];

		lineno++;
		cr_assert_not_null(end);
		cr_assert_lt(len, sizeof(line), "line %d too long", lineno);
		memcpy(line, p, len);
		line[len] = '\0';
		cr_assert_gt(len, 0, "line %d is empty", lineno);
		if (line[0] == '#') {
			bool help = strncmp(line, "# HELP ", 7) == 0;
			bool type = strncmp(line, "# TYPE ", 7) == 0;
			const char *name = line + 7, *q = name;
			struct family *f;

			cr_assert(help || type, "line %d: a comment that is not HELP or TYPE: %s",
				  lineno, line);
			while (name_char(*q, q == name))
				q++;
			cr_assert_gt(q - name, 0, "line %d: no metric name: %s", lineno, line);
			cr_assert_eq(*q, ' ', "line %d: %s", lineno, line);
			f = family(c, name, (size_t)(q - name));
			if (f == NULL)
				f = new_family(c, name, (size_t)(q - name));
			else
				cr_assert_eq(f, open, "line %d: family %s reopened", lineno,
					     f->name);
			cr_assert_not(f->samples, "line %d: %s after samples of %s", lineno, line,
				      f->name);
			if (help) {
				cr_assert_not(f->help, "line %d: second HELP for %s", lineno,
					      f->name);
				f->help = true;
				cr_assert_gt(strlen(q + 1), 0, "line %d: empty HELP", lineno);
			} else {
				cr_assert_eq(f->type[0], '\0', "line %d: second TYPE for %s",
					     lineno, f->name);
				cr_assert(strcmp(q + 1, "gauge") == 0 ||
						  strcmp(q + 1, "counter") == 0 ||
						  strcmp(q + 1, "untyped") == 0,
					  "line %d: type %s", lineno, q + 1);
				snprintf(f->type, sizeof(f->type), "%s", q + 1);
			}
			open = f;
		} else {
			const char *q = line, *v;
			char *num_end;
			struct family *f;
			double val;

			while (name_char(*q, q == line))
				q++;
			cr_assert_gt(q - line, 0, "line %d: no metric name: %s", lineno, line);
			f = family(c, line, (size_t)(q - line));
			cr_assert_not_null(f, "line %d: sample without TYPE: %s", lineno, line);
			cr_assert_eq(f, open, "line %d: sample of %s outside its family", lineno,
				     f->name);
			cr_assert_neq(f->type[0], '\0', "line %d: sample before TYPE", lineno);
			if (*q == '{') {
				q++;
				while (*q != '}') {
					const char *l = q;

					while (name_char(*q, q == l))
						q++;
					cr_assert_gt(q - l, 0, "line %d: bad label: %s", lineno,
						     line);
					cr_assert_eq(*q, '=', "line %d: %s", lineno, line);
					q++;
					cr_assert_eq(*q, '"', "line %d: %s", lineno, line);
					q++;
					while (*q != '"') {
						cr_assert_neq(*q, '\0', "line %d: %s", lineno,
							      line);
						if (*q == '\\')
							q++;
						q++;
					}
					q++;
					if (*q == ',')
						q++;
					else
						cr_assert_eq(*q, '}', "line %d: %s", lineno, line);
				}
				q++;
			}
			cr_assert_eq(*q, ' ', "line %d: %s", lineno, line);
			v = q + 1;
			val = strtod(v, &num_end);
			cr_assert(num_end != v && *num_end == '\0', "line %d: value \"%s\"", lineno,
				  v);
			cr_assert(isfinite(val), "line %d", lineno);
			f->samples = true;
			c->n_samples++;
		}
		p = end + 1;
	}
	for (size_t i = 0; i < c->n; i++) {
		cr_assert(c->f[i].help, "%s has no HELP", c->f[i].name);
		cr_assert_neq(c->f[i].type[0], '\0', "%s has no TYPE", c->f[i].name);
		if (strcmp(c->f[i].type, "counter") == 0) {
			size_t n = strlen(c->f[i].name);

			cr_assert(n > 6 && strcmp(c->f[i].name + n - 6, "_total") == 0,
				  "counter %s should end in _total", c->f[i].name);
		}
	}
}

/* --- format ---------------------------------------------------------------- */

Test(metrics, every_verdict_has_a_sample)
{
	struct rs_metrics m;
	char line[128], *text;

	sample(&m);
	text = format(&m);
	for (int v = RS_V_STALE; v < RS_V_COUNT; v++) {
		snprintf(line, sizeof(line), "resolvstale_processes{verdict=\"%s\"} %llu",
			 rs_verdict_name((enum rs_verdict)v), (unsigned long long)m.verdicts[v]);
		cr_assert(has_line(text, line), "missing \"%s\" in:\n%s", line, text);
	}
	cr_assert_null(strstr(text, "verdict=\"none\""), "%s", text);
	free(text);
}

Test(metrics, exposition_is_valid_prometheus_text)
{
	struct rs_metrics m;
	struct check c;
	char *text;

	sample(&m);
	text = format(&m);
	check_exposition(text, &c);
	cr_assert_geq(c.n, 8, "%zu families", c.n);
	cr_assert_eq(c.n_samples, (RS_V_COUNT - 1) + 2 * m.n_sources + 7, "%zu samples in:\n%s",
		     c.n_samples, text);
	free(text);
}

Test(metrics, values)
{
	struct rs_metrics m;
	char *text;

	sample(&m);
	text = format(&m);
	cr_assert(has_line(text, "resolvstale_generation 7"), "%s", text);
	cr_assert(has_line(text, "resolvstale_last_change_timestamp_seconds 1700000000.123"), "%s",
		  text);
	cr_assert(has_line(text, "resolvstale_retired_servers 2"), "%s", text);
	cr_assert(has_line(text, "resolvstale_lost_events 5"), "%s", text);
	cr_assert(has_line(text, "resolvstale_source_up{source=\"fanotify\"} 1"), "%s", text);
	cr_assert(has_line(text, "resolvstale_source_up{source=\"audit\"} 0"), "%s", text);
	cr_assert(has_line(text, "resolvstale_source_up{source=\"procscan\"} 1"), "%s", text);
	cr_assert(has_line(text, "resolvstale_source_lost_events_total{source=\"fanotify\"} 3"),
		  "%s", text);
	cr_assert(has_line(text, "resolvstale_events_total 123456"), "%s", text);
	cr_assert(has_line(text, "resolvstale_tracked_processes 42"), "%s", text);
	cr_assert(has_line(text, "resolvstale_start_timestamp_seconds 1699999000.000"), "%s", text);
	free(text);
}

Test(metrics, no_generation_and_no_sources)
{
	struct rs_metrics m;
	struct check c;
	char *text;

	memset(&m, 0, sizeof(m));
	m.generation = -1;
	text = format(&m);
	check_exposition(text, &c);
	cr_assert(has_line(text, "resolvstale_generation -1"), "%s", text);
	cr_assert(has_line(text, "resolvstale_processes{verdict=\"stale\"} 0"), "%s", text);
	cr_assert_null(strstr(text, "resolvstale_source_up{"), "%s", text);
	free(text);
}

Test(metrics, large_counters_are_exact)
{
	struct rs_metrics m;
	char *text;

	memset(&m, 0, sizeof(m));
	m.verdicts[RS_V_STALE] = UINT64_MAX;
	m.events = 18446744073709551615ULL;
	text = format(&m);
	cr_assert(has_line(text, "resolvstale_processes{verdict=\"stale\"} 18446744073709551615"),
		  "%s", text);
	cr_assert(has_line(text, "resolvstale_events_total 18446744073709551615"), "%s", text);
	free(text);
}

Test(metrics, format_appends)
{
	struct rs_metrics m;
	struct rs_sbuf sb = RS_SBUF_INIT;

	sample(&m);
	rs_sbuf_puts(&sb, "# HELP other_metric x\n");
	rs_metrics_format(&m, &sb);
	cr_assert_eq(strncmp(rs_sbuf_str(&sb), "# HELP other_metric x\n# HELP resolvstale_", 41), 0,
		     "%s", rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
}

/* --- write ------------------------------------------------------------------- */

static char *slurp(const char *p)
{
	FILE *f = fopen(p, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "%s: %s", p, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The names in d other than "." and "..", space-separated. */
static void list_dir(const char *d, char *out, size_t len)
{
	DIR *dp = opendir(d);
	struct dirent *de;
	size_t o = 0;

	cr_assert_not_null(dp, "%s", d);
	out[0] = '\0';
	while ((de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s", o ? " " : "",
				      de->d_name);
	}
	closedir(dp);
	cr_assert_lt(o, len);
}

Test(metrics, write_creates_the_file)
{
	struct rs_metrics m;
	char names[256], *want, *got;

	sample(&m);
	cr_assert_eq(rs_metrics_write(path, &m), 0);
	got = slurp(path);
	want = format(&m);
	cr_assert_str_eq(got, want);
	list_dir(dir, names, sizeof(names));
	cr_assert_str_eq(names, "resolvstale.prom", "no temporary file is left: %s", names);
	free(got);
	free(want);
}

Test(metrics, write_replaces_atomically)
{
	struct rs_metrics m;
	struct stat before, after;
	char names[256], *want, *got;
	FILE *f;

	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("stale content that is longer than nothing\n", f);
	fclose(f);
	cr_assert_eq(stat(path, &before), 0);

	sample(&m);
	m.tracked = 99;
	cr_assert_eq(rs_metrics_write(path, &m), 0);
	cr_assert_eq(stat(path, &after), 0);
	cr_assert_neq(before.st_ino, after.st_ino, "renamed over, not rewritten in place");
	got = slurp(path);
	want = format(&m);
	cr_assert_str_eq(got, want);
	cr_assert(has_line(got, "resolvstale_tracked_processes 99"));
	list_dir(dir, names, sizeof(names));
	cr_assert_str_eq(names, "resolvstale.prom", "%s", names);

	/* And again: the newest numbers win. */
	m.tracked = 100;
	cr_assert_eq(rs_metrics_write(path, &m), 0);
	free(got);
	got = slurp(path);
	cr_assert(has_line(got, "resolvstale_tracked_processes 100"));
	free(got);
	free(want);
}

Test(metrics, write_into_a_missing_directory_fails)
{
	struct rs_metrics m;
	char p[160], names[256];
	int r;

	sample(&m);
	snprintf(p, sizeof(p), "%s/missing/resolvstale.prom", dir);
	r = rs_metrics_write(p, &m);
	cr_assert_eq(r, -ENOENT, "%d (%s)", r, strerror(-r));
	list_dir(dir, names, sizeof(names));
	cr_assert_str_eq(names, "", "%s", names);
}

Test(metrics, write_over_a_directory_fails_and_cleans_up)
{
	struct rs_metrics m;
	char names[256];
	int r;

	sample(&m);
	cr_assert_eq(mkdir(path, 0755), 0);
	r = rs_metrics_write(path, &m);
	cr_assert_lt(r, 0);
	list_dir(dir, names, sizeof(names));
	cr_assert_str_eq(names, "resolvstale.prom", "the temporary file is removed: %s", names);
}

Test(metrics, write_rejects_an_overlong_path)
{
	struct rs_metrics m;
	static char p[8192];

	sample(&m);
	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	cr_assert_lt(rs_metrics_write(p, &m), 0);
}
