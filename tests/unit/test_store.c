/* The SQLite store: round trips, batching, the writer lock, schema migration
 * and refusal to touch files that are not (current) resolvstale databases.
 * Each test gets a fresh directory under /tmp, removed at the end. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/generation.h"
#include "resolvstale/store.h"
#include "testutil.h"

static char dir[64];
static char db[128];
static char err[256];

static void setup(void)
{
	strcpy(dir, "/tmp/rs-store-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/state.db", dir);
	err[0] = '\0';
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	if (dir[0] == '/')
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(store, .init = setup, .fini = teardown);

/* --- helpers --------------------------------------------------------------- */

static struct rs_store *open_ok(const char *path, enum rs_store_mode mode)
{
	struct rs_store *st = NULL;
	int r = rs_store_open(path, mode, &st, err, sizeof(err));

	cr_assert_eq(r, 0, "rs_store_open(%s, %s) = %d: %s", path,
		     mode == RS_STORE_WRITE ? "write" : "read", r, err);
	cr_assert_not_null(st);
	return st;
}

/* Open must fail with want; returns the message. */
static void open_fails(const char *path, enum rs_store_mode mode, int want)
{
	struct rs_store *st = (struct rs_store *)0x1;
	int r;

	err[0] = '\0';
	r = rs_store_open(path, mode, &st, err, sizeof(err));
	if (r == 0)
		rs_store_close(st); /* keep a failing test free of leaks */
	cr_assert_eq(r, want, "rs_store_open(%s, %s) = %d (%s), want %d (%s): %s", path,
		     mode == RS_STORE_WRITE ? "write" : "read", r, strerror(-r), want,
		     strerror(-want), err);
	cr_assert_null(st, "*out must be NULL on failure");
	cr_assert_neq(err[0], '\0', "a failure needs a message");
}

static void addr(struct rs_addr *a, const char *text)
{
	cr_assert_eq(rs_addr_parse(text, a), 0, "%s", text);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	cr_assert_not_null(d);
	return d;
}

/* A generation with every field set to something unusual. */
static void full_generation(struct rs_generation *g, int64_t number)
{
	static const char content[] = "nameserver 192.0.2.1\n\0\0\x01\xff\x7f binary\0tail";

	memset(g, 0, sizeof(*g));
	g->number = number;
	g->time_ns = 1700000000123456789LL + number;
	g->at_start = true;
	g->path = xstrdup("/etc/resolv.conf");
	g->target = xstrdup("/run/systemd/resolve/stub-resolv.conf");
	g->id.state = RS_FILE_OK;
	g->id.err = 0;
	g->id.dev = 0x10803;
	g->id.ino = 0x8000000000001234ULL; /* above INT64_MAX: stored as a signed column */
	g->id.size = 77;
	g->id.mtime_ns = 1700000000000000001LL;
	g->id.ctime_ns = -5; /* before the epoch */
	g->id.mode = 0100644;
	g->id.uid = 4294967294u;
	g->id.hash = 0xfedcba9876543210ULL;
	addr(&g->ns[0], "192.0.2.1");
	addr(&g->ns[1], "2001:db8::53");
	addr(&g->ns[2], "fe80::1%eth0");
	g->n_ns = 3;
	g->default_ns = false;
	addr(&g->retired[0], "198.51.100.7");
	addr(&g->retired[1], "fe80::2%wlan0");
	g->n_retired = 2;
	addr(&g->added[0], "2001:db8::53");
	g->n_added = 1;
	g->ignored = xstrdup("192.0.2.4 192.0.2.5");
	g->search = xstrdup("example.com corp.example");
	g->sortlist = xstrdup("130.155.160.0/255.255.240.0");
	g->options = xstrdup("ndots:2 timeout:3 rotate edns0");
	g->key = xstrdup("nameservers 192.0.2.1 2001:db8::53 fe80::1%eth0\nsearch example.com "
			 "corp.example\nsortlist\noptions ndots:2\n");
	g->warnings = xstrdup("5 bad-address not an address glibc accepts: 300.1.1.1\n"
			      "7 unknown-line \"\\x1b[31m\"\n");
	g->n_warnings = 2;
	g->content = malloc(sizeof(content) - 1);
	cr_assert_not_null(g->content);
	memcpy(g->content, content, sizeof(content) - 1);
	g->content_len = sizeof(content) - 1;
	g->writer.known = true;
	g->writer.pid = 31337;
	g->writer.starttime = 123456789012ULL;
	g->writer.uid = 1000;
	g->writer.auid = -1;
	g->writer.comm = xstrdup("evil\x1b[31m\r\n\t");
	g->writer.exe = xstrdup("/tmp/x\x01y\x7f (deleted)");
}

/* The same generation with the other variants: no file, default
 * nameserver, unknown writer. */
static void missing_generation(struct rs_generation *g, int64_t number)
{
	memset(g, 0, sizeof(*g));
	g->number = number;
	g->time_ns = -1;
	g->path = xstrdup("/etc/resolv.conf");
	g->target = xstrdup("/run/NetworkManager/resolv.conf");
	g->id.state = RS_FILE_MISSING;
	g->id.err = ENOENT;
	addr(&g->ns[0], "127.0.0.1");
	g->n_ns = 1;
	g->default_ns = true;
	addr(&g->retired[0], "192.0.2.1");
	g->n_retired = 1;
	addr(&g->added[0], "127.0.0.1");
	g->n_added = 1;
	g->ignored = xstrdup("");
	g->search = xstrdup("");
	g->sortlist = xstrdup("");
	g->options = xstrdup("");
	g->key = xstrdup("nameservers (default) 127.0.0.1\nsearch\nsortlist\noptions \n");
	g->warnings = xstrdup("0 no-nameserver the file is missing\n");
	g->n_warnings = 1;
	g->writer.uid = g->writer.auid = -1;
}

static void assert_addrs_eq(const struct rs_addr *a, size_t na, const struct rs_addr *b, size_t nb,
			    const char *what)
{
	char ta[RS_ADDR_STRLEN], tb[RS_ADDR_STRLEN];

	cr_assert_eq(na, nb, "%s: %zu addresses, want %zu", what, na, nb);
	for (size_t i = 0; i < na; i++)
		cr_assert(rs_addr_equal(&a[i], &b[i]), "%s[%zu]: %s, want %s", what, i,
			  rs_addr_format(&a[i], ta, sizeof(ta)),
			  rs_addr_format(&b[i], tb, sizeof(tb)));
}

static void assert_gen_eq(const struct rs_generation *got, const struct rs_generation *want)
{
	cr_assert_eq(got->number, want->number);
	cr_assert_eq(got->time_ns, want->time_ns);
	cr_assert_eq(got->at_start, want->at_start);
	cr_assert_str_eq(got->path, want->path);
	cr_assert_str_eq(got->target, want->target);
	cr_assert_eq(got->id.state, want->id.state);
	cr_assert_eq(got->id.err, want->id.err);
	cr_assert_eq(got->id.dev, want->id.dev);
	cr_assert_eq(got->id.ino, want->id.ino);
	cr_assert_eq(got->id.size, want->id.size);
	cr_assert_eq(got->id.mtime_ns, want->id.mtime_ns);
	cr_assert_eq(got->id.ctime_ns, want->id.ctime_ns);
	cr_assert_eq(got->id.mode, want->id.mode);
	cr_assert_eq(got->id.uid, want->id.uid);
	cr_assert_eq(got->id.hash, want->id.hash, "hash %llx, want %llx",
		     (unsigned long long)got->id.hash, (unsigned long long)want->id.hash);
	assert_addrs_eq(got->ns, got->n_ns, want->ns, want->n_ns, "ns");
	cr_assert_eq(got->default_ns, want->default_ns);
	assert_addrs_eq(got->retired, got->n_retired, want->retired, want->n_retired, "retired");
	assert_addrs_eq(got->added, got->n_added, want->added, want->n_added, "added");
	cr_assert_str_eq(got->ignored, want->ignored);
	cr_assert_str_eq(got->search, want->search);
	cr_assert_str_eq(got->sortlist, want->sortlist);
	cr_assert_str_eq(got->options, want->options);
	cr_assert_str_eq(got->key, want->key);
	cr_assert_str_eq(got->warnings, want->warnings);
	cr_assert_eq(got->n_warnings, want->n_warnings);
	cr_assert_eq(got->content_len, want->content_len);
	if (want->content_len > 0)
		cr_assert(memcmp(got->content, want->content, want->content_len) == 0,
			  "content differs");
	cr_assert_eq(got->writer.known, want->writer.known);
	if (want->writer.known) {
		cr_assert_eq(got->writer.pid, want->writer.pid);
		cr_assert_eq(got->writer.starttime, want->writer.starttime);
		cr_assert_eq(got->writer.uid, want->writer.uid);
		cr_assert_eq(got->writer.auid, want->writer.auid);
		cr_assert_str_eq(got->writer.comm, want->writer.comm);
		cr_assert_str_eq(got->writer.exe, want->writer.exe);
	}
}

/* Whole file into a malloc'd buffer; *len gets its size. */
static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat sb;
	unsigned char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(fstat(fd, &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(read(fd, buf, (size_t)sb.st_size), sb.st_size);
	close(fd);
	*len = (size_t)sb.st_size;
	return buf;
}

static void spew(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert_geq(fd, 0, "create %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* The file must be byte-identical to before[0..len) after a refused open. */
static void assert_unchanged(const char *path, const unsigned char *before, size_t len)
{
	size_t now_len;
	unsigned char *now = slurp(path, &now_len);

	cr_assert_eq(now_len, len, "size changed from %zu to %zu", len, now_len);
	cr_assert(memcmp(now, before, len) == 0, "contents changed");
	free(now);
}

/* Open must fail with one of want1/want2 in both modes and leave the file as
 * it was. */
static void assert_refused(const char *path, int want1, int want2)
{
	size_t len, now_len;
	unsigned char *before = slurp(path, &len), *now;
	int r[2];
	bool same[2];
	char msg[2][sizeof(err)];

	for (int m = 0; m < 2; m++) {
		struct rs_store *st = NULL;

		err[0] = '\0';
		r[m] = rs_store_open(path, m == 0 ? RS_STORE_READ : RS_STORE_WRITE, &st, err,
				     sizeof(err));
		snprintf(msg[m], sizeof(msg[m]), "%s", err);
		if (r[m] == 0)
			rs_store_close(st);
		now = slurp(path, &now_len);
		same[m] = now_len == len && memcmp(now, before, len) == 0;
		free(now);
	}
	free(before);
	for (int m = 0; m < 2; m++) {
		const char *mode = m == 0 ? "read" : "write";

		cr_assert(r[m] == want1 || r[m] == want2,
			  "rs_store_open(%s) in %s mode = %d (%s), want %d or %d; message: %s",
			  path, mode, r[m], strerror(-r[m]), want1, want2, msg[m]);
		cr_assert_neq(msg[m][0], '\0', "%s mode: a failure needs a message", mode);
		cr_assert(same[m], "the file changed after the %s-mode open", mode);
	}
}

static void sql(const char *path, const char *stmt)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	cr_assert_eq(sqlite3_open(path, &h), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(h, stmt, NULL, NULL, &msg), SQLITE_OK, "%s: %s", stmt, msg);
	sqlite3_close(h);
}

static int64_t sql_int(const char *path, const char *query)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	int64_t v;

	cr_assert_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(h, query, -1, &s, NULL), SQLITE_OK, "%s: %s", query,
		     sqlite3_errmsg(h));
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

/* A closed store with generations 0 and 1. */
static void make_store(const char *path)
{
	struct rs_generation g;
	struct rs_store *st = open_ok(path, RS_STORE_WRITE);

	full_generation(&g, 0);
	cr_assert_eq(rs_store_add_generation(st, &g), 0);
	rs_generation_clear(&g);
	missing_generation(&g, 1);
	cr_assert_eq(rs_store_add_generation(st, &g), 0);
	rs_generation_clear(&g);
	cr_assert_eq(rs_store_meta_set(st, "host", "test"), 0);
	cr_assert_eq(rs_store_close(st), 0);
}

struct collect {
	int64_t numbers[16];
	int n;
	int stop_after; /* return 7 after this many; 0: never */
	struct rs_generation copy;
};

static int collect_gen(void *ctx, const struct rs_generation *g)
{
	struct collect *c = ctx;

	cr_assert_lt(c->n, 16);
	c->numbers[c->n++] = g->number;
	if (g->number == 0)
		cr_assert_eq(rs_generation_copy(&c->copy, g), 0);
	return c->stop_after && c->n >= c->stop_after ? 7 : 0;
}

/* --- creation -------------------------------------------------------------- */

Test(store, create_makes_0600_file_at_current_schema)
{
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);
	struct stat sb;

	cr_assert_eq(stat(db, &sb), 0);
	cr_assert(S_ISREG(sb.st_mode));
	cr_assert_eq(sb.st_mode & 07777, 0600, "mode %o", sb.st_mode & 07777);
	cr_assert_eq(rs_store_schema_version(st), RS_STORE_SCHEMA_VERSION);
	cr_assert_not(rs_store_has_pending(st));
	cr_assert_eq(rs_store_close(st), 0);
	cr_assert_eq(sql_int(db, "PRAGMA user_version"), RS_STORE_SCHEMA_VERSION);
	{
		/* Header bytes 18 and 19 are 2 in WAL mode. */
		size_t len;
		unsigned char *h = slurp(db, &len);
		cr_assert_geq(len, 100);
		cr_assert_eq(h[18], 2, "WAL mode");
		cr_assert_eq(h[19], 2, "WAL mode");
		free(h);
	}
	cr_assert_eq(stat(db, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0600, "mode after close %o", sb.st_mode & 07777);
}

Test(store, creates_missing_last_directory_0700)
{
	char sub[160], path[200];
	struct stat sb;
	struct rs_store *st;

	snprintf(sub, sizeof(sub), "%s/newdir", dir);
	snprintf(path, sizeof(path), "%s/state.db", sub);
	st = open_ok(path, RS_STORE_WRITE);
	cr_assert_eq(stat(sub, &sb), 0);
	cr_assert(S_ISDIR(sb.st_mode));
	cr_assert_eq(sb.st_mode & 07777, 0700, "mode %o", sb.st_mode & 07777);
	rs_store_close(st);
}

Test(store, missing_parent_directories_fail_with_message)
{
	struct stat sb;

	cr_assert_neq(stat("/nonexistent", &sb), 0, "test needs /nonexistent to be absent");
	open_fails("/nonexistent/dir/x.db", RS_STORE_WRITE, -ENOENT);
	cr_assert_not_null(strstr(err, "/nonexistent/dir"), "message: %s", err);
	cr_assert_neq(stat("/nonexistent", &sb), 0, "nothing created on the way");
}

Test(store, parent_that_is_a_file_fails)
{
	char file[160], path[200];

	snprintf(file, sizeof(file), "%s/file", dir);
	spew(file, "x", 1);
	snprintf(path, sizeof(path), "%s/x.db", file);
	open_fails(path, RS_STORE_WRITE, -ENOTDIR);
}

Test(store, read_of_missing_database_is_enoent)
{
	struct stat sb;

	open_fails(db, RS_STORE_READ, -ENOENT);
	cr_assert_neq(stat(db, &sb), 0, "a reader must not create the database");
}

Test(store, close_null_is_fine)
{
	cr_assert_eq(rs_store_close(NULL), 0);
}

/* --- generations ---------------------------------------------------------- */

Test(store, empty_store_has_no_generation)
{
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);
	struct rs_generation g;

	memset(&g, 0, sizeof(g));
	cr_assert_eq(rs_store_latest_generation(st, &g), -ENOENT);
	cr_assert_eq(rs_store_get_generation(st, 0, &g), -ENOENT);
	rs_store_close(st);
}

Test(store, full_generation_round_trip)
{
	struct rs_generation g0, g1, got;
	struct collect c;
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);

	memset(&got, 0, sizeof(got));
	memset(&c, 0, sizeof(c));
	full_generation(&g0, 0);
	missing_generation(&g1, 1);
	cr_assert_eq(rs_store_add_generation(st, &g0), 0);
	cr_assert_eq(rs_store_add_generation(st, &g1), 0);
	cr_assert_eq(rs_store_flush(st), 0);

	cr_assert_eq(rs_store_latest_generation(st, &got), 0);
	assert_gen_eq(&got, &g1);
	cr_assert_eq(rs_store_get_generation(st, 0, &got), 0, "into a used generation");
	assert_gen_eq(&got, &g0);
	cr_assert_eq(rs_store_get_generation(st, 2, &got), -ENOENT);

	cr_assert_eq(rs_store_foreach_generation(st, 0, 1, collect_gen, &c), 0);
	cr_assert_eq(c.n, 2);
	cr_assert_eq(c.numbers[0], 0);
	cr_assert_eq(c.numbers[1], 1);
	assert_gen_eq(&c.copy, &g0);
	rs_store_close(st);

	/* And from another connection, after the writer has gone. */
	st = open_ok(db, RS_STORE_READ);
	cr_assert_eq(rs_store_get_generation(st, 0, &got), 0);
	assert_gen_eq(&got, &g0);
	cr_assert_eq(rs_store_get_generation(st, 1, &got), 0);
	assert_gen_eq(&got, &g1);
	rs_store_close(st);

	rs_generation_clear(&got);
	rs_generation_clear(&c.copy);
	rs_generation_clear(&g0);
	rs_generation_clear(&g1);
}

Test(store, foreach_range_order_and_early_stop)
{
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);
	struct rs_generation g;
	struct collect c;
	const int64_t order[] = {5, 2, 9, 3, 7};

	for (size_t i = 0; i < 5; i++) {
		missing_generation(&g, order[i]);
		cr_assert_eq(rs_store_add_generation(st, &g), 0);
		rs_generation_clear(&g);
	}
	cr_assert_eq(rs_store_flush(st), 0);

	memset(&c, 0, sizeof(c));
	cr_assert_eq(rs_store_foreach_generation(st, 3, 7, collect_gen, &c), 0);
	cr_assert_eq(c.n, 3);
	cr_assert_eq(c.numbers[0], 3);
	cr_assert_eq(c.numbers[1], 5);
	cr_assert_eq(c.numbers[2], 7);

	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	cr_assert_eq(rs_store_foreach_generation(st, 0, INT64_MAX, collect_gen, &c), 7);
	cr_assert_eq(c.n, 2);
	cr_assert_eq(c.numbers[1], 3);

	memset(&c, 0, sizeof(c));
	cr_assert_eq(rs_store_foreach_generation(st, 8, 4, collect_gen, &c), 0);
	cr_assert_eq(c.n, 0);

	memset(&g, 0, sizeof(g));
	cr_assert_eq(rs_store_latest_generation(st, &g), 0);
	cr_assert_eq(g.number, 9, "latest is the highest number, not the last inserted");
	rs_generation_clear(&g);
	rs_store_close(st);
}

Test(store, duplicate_number_fails_and_keeps_the_batch)
{
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);
	struct rs_generation g, got;
	int r;

	memset(&got, 0, sizeof(got));
	full_generation(&g, 4);
	cr_assert_eq(rs_store_add_generation(st, &g), 0);
	r = rs_store_add_generation(st, &g);
	cr_assert_lt(r, 0, "a second generation 4 must be refused");
	cr_assert_neq(rs_store_errmsg(st)[0], '\0');
	cr_assert_eq(rs_store_flush(st), 0);
	rs_store_close(st);

	st = open_ok(db, RS_STORE_READ);
	cr_assert_eq(rs_store_get_generation(st, 4, &got), 0);
	assert_gen_eq(&got, &g);
	rs_store_close(st);
	rs_generation_clear(&g);
	rs_generation_clear(&got);
}

/* --- file events ---------------------------------------------------------- */

struct events {
	int n;
	struct rs_file_event e[8];
	char *strs[8][5]; /* copies: the event is valid only during the call */
};

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int collect_event(void *ctx, const struct rs_file_event *e)
{
	struct events *ev = ctx;

	cr_assert_lt(ev->n, 8);
	ev->e[ev->n] = *e;
	ev->strs[ev->n][0] = dup_or_null(e->path);
	ev->strs[ev->n][1] = dup_or_null(e->target);
	ev->strs[ev->n][2] = dup_or_null(e->reasons);
	ev->strs[ev->n][3] = dup_or_null(e->writer.comm);
	ev->strs[ev->n][4] = dup_or_null(e->writer.exe);
	ev->n++;
	return 0;
}

static void events_free(struct events *ev)
{
	for (int i = 0; i < ev->n; i++)
		for (int k = 0; k < 5; k++)
			free(ev->strs[i][k]);
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (want == NULL)
		cr_assert_null(got, "got \"%s\", want NULL", got);
	else
		cr_assert_str_eq(got, want);
}

static void assert_event_eq(const struct events *ev, int i, const struct rs_file_event *want)
{
	const struct rs_file_event *e = &ev->e[i];

	cr_assert_eq(e->time_ns, want->time_ns);
	cr_assert_eq(e->generation, want->generation);
	cr_assert_eq(e->change, want->change);
	cr_assert_str_eq(ev->strs[i][0], want->path);
	assert_str_or_null(ev->strs[i][1], want->target);
	cr_assert_str_eq(ev->strs[i][2], want->reasons ? want->reasons : "");
	cr_assert_eq(e->id.state, want->id.state);
	cr_assert_eq(e->id.ino, want->id.ino);
	cr_assert_eq(e->id.size, want->id.size);
	cr_assert_eq(e->id.mtime_ns, want->id.mtime_ns);
	cr_assert_eq(e->id.ctime_ns, want->id.ctime_ns);
	cr_assert_eq(e->id.hash, want->id.hash);
	cr_assert_eq(e->writer.known, want->writer.known);
	if (want->writer.known) {
		cr_assert_eq(e->writer.pid, want->writer.pid);
		cr_assert_eq(e->writer.starttime, want->writer.starttime);
		cr_assert_eq(e->writer.uid, want->writer.uid);
		cr_assert_eq(e->writer.auid, want->writer.auid);
		assert_str_or_null(ev->strs[i][3], want->writer.comm);
		assert_str_or_null(ev->strs[i][4], want->writer.exe);
	} else {
		cr_assert_eq(e->writer.uid, -1);
		cr_assert_eq(e->writer.auid, -1);
	}
}

Test(store, file_events_round_trip)
{
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);
	struct rs_file_event a = {0}, b = {0}, c = {0};
	struct events ev;
	int r;

	a.time_ns = 2000;
	a.generation = 3;
	a.change = RS_CHANGE_MODIFIED;
	a.path = "/etc/resolv.conf";
	a.target = "/run/resolvconf/resolv.conf";
	a.id.state = RS_FILE_OK;
	a.id.ino = 0x8000000000000001ULL;
	a.id.size = 120;
	a.id.mtime_ns = 1700000000000000000LL;
	a.id.ctime_ns = 1700000000000000009LL;
	a.id.hash = 0xffffffffffffffffULL;
	a.reasons = "modify,close_write";
	a.writer.known = true;
	a.writer.pid = 777;
	a.writer.starttime = 42;
	a.writer.uid = 0;
	a.writer.auid = 1000;
	a.writer.comm = "sed\x1b]0;pwn\x07";
	a.writer.exe = "/usr/bin/sed\n";

	b = a;
	b.time_ns = 1000; /* earlier: must come first */
	b.change = RS_CHANGE_TOUCHED;
	b.target = NULL;
	b.reasons = NULL;
	b.id.state = RS_FILE_EMPTY;
	b.id.hash = 0;
	b.writer = (struct rs_writer){.known = false, .uid = -1, .auid = -1};

	c = a;
	c.generation = 4;
	c.change = RS_CHANGE_VANISHED;
	c.id.state = RS_FILE_MISSING;
	c.writer.uid = -1;

	cr_assert_eq(rs_store_add_file_event(st, &a), 0);
	cr_assert_eq(rs_store_add_file_event(st, &b), 0);
	cr_assert_eq(rs_store_add_file_event(st, &c), 0);
	cr_assert(rs_store_has_pending(st));
	cr_assert_eq(rs_store_flush(st), 0);
	rs_store_close(st);

	st = open_ok(db, RS_STORE_READ);
	memset(&ev, 0, sizeof(ev));
	r = rs_store_foreach_file_event(st, 3, collect_event, &ev);
	cr_assert_eq(r, 0);
	cr_assert_eq(ev.n, 2);
	assert_event_eq(&ev, 0, &b);
	assert_event_eq(&ev, 1, &a);
	events_free(&ev);

	memset(&ev, 0, sizeof(ev));
	cr_assert_eq(rs_store_foreach_file_event(st, 4, collect_event, &ev), 0);
	cr_assert_eq(ev.n, 1);
	assert_event_eq(&ev, 0, &c);
	events_free(&ev);

	memset(&ev, 0, sizeof(ev));
	cr_assert_eq(rs_store_foreach_file_event(st, 5, collect_event, &ev), 0);
	cr_assert_eq(ev.n, 0);
	rs_store_close(st);
}

Test(store, every_change_kind_round_trips)
{
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);
	struct events ev;

	for (int k = RS_CHANGE_NONE; k <= RS_CHANGE_VANISHED; k++) {
		struct rs_file_event e = {0};
		e.time_ns = k;
		e.change = (enum rs_file_change)k;
		e.path = "/etc/resolv.conf";
		e.writer.uid = e.writer.auid = -1;
		cr_assert_eq(rs_store_add_file_event(st, &e), 0);
	}
	memset(&ev, 0, sizeof(ev));
	cr_assert_eq(rs_store_foreach_file_event(st, 0, collect_event, &ev), 0);
	cr_assert_eq(ev.n, RS_CHANGE_VANISHED + 1);
	for (int k = 0; k < ev.n; k++)
		cr_assert_eq(ev.e[k].change, (enum rs_file_change)k, "%s",
			     rs_file_change_name((enum rs_file_change)k));
	events_free(&ev);
	rs_store_close(st);
}

/* --- batching, readers, the writer lock ---------------------------------- */

Test(store, batched_writes_invisible_until_flush)
{
	struct rs_store *w = open_ok(db, RS_STORE_WRITE), *r;
	struct rs_generation g, got;
	struct rs_file_event e = {0};
	struct events ev;
	char buf[32];

	memset(&got, 0, sizeof(got));
	r = open_ok(db, RS_STORE_READ);
	full_generation(&g, 0);
	cr_assert_eq(rs_store_add_generation(w, &g), 0);
	e.generation = 0;
	e.path = "/etc/resolv.conf";
	e.writer.uid = e.writer.auid = -1;
	cr_assert_eq(rs_store_add_file_event(w, &e), 0);
	cr_assert_eq(rs_store_meta_set(w, "watched", "/etc/resolv.conf"), 0);
	cr_assert(rs_store_has_pending(w));

	/* The writer sees its own batch; a reader does not. */
	cr_assert_eq(rs_store_latest_generation(w, &got), 0);
	cr_assert_eq(rs_store_latest_generation(r, &got), -ENOENT);
	memset(&ev, 0, sizeof(ev));
	cr_assert_eq(rs_store_foreach_file_event(r, 0, collect_event, &ev), 0);
	cr_assert_eq(ev.n, 0);
	cr_assert_eq(rs_store_meta_get(r, "watched", buf, sizeof(buf)), -ENOENT);

	cr_assert_eq(rs_store_flush(w), 0);
	cr_assert_not(rs_store_has_pending(w));
	cr_assert_eq(rs_store_flush(w), 0, "flushing nothing is fine");

	cr_assert_eq(rs_store_latest_generation(r, &got), 0);
	assert_gen_eq(&got, &g);
	cr_assert_eq(rs_store_foreach_file_event(r, 0, collect_event, &ev), 0);
	cr_assert_eq(ev.n, 1);
	events_free(&ev);
	cr_assert_eq(rs_store_meta_get(r, "watched", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "/etc/resolv.conf");

	rs_store_close(r);
	rs_store_close(w);
	rs_generation_clear(&g);
	rs_generation_clear(&got);
}

Test(store, close_commits_pending_writes)
{
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);
	struct rs_generation g, got;

	memset(&got, 0, sizeof(got));
	full_generation(&g, 0);
	cr_assert_eq(rs_store_add_generation(st, &g), 0);
	cr_assert_eq(rs_store_close(st), 0);
	st = open_ok(db, RS_STORE_READ);
	cr_assert_eq(rs_store_latest_generation(st, &got), 0);
	assert_gen_eq(&got, &g);
	rs_store_close(st);
	rs_generation_clear(&g);
	rs_generation_clear(&got);
}

Test(store, reader_cannot_write)
{
	struct rs_store *st;
	struct rs_generation g;
	struct rs_file_event e = {0};

	make_store(db);
	st = open_ok(db, RS_STORE_READ);
	full_generation(&g, 10);
	e.path = "/etc/resolv.conf";
	cr_assert_eq(rs_store_add_generation(st, &g), -EROFS);
	cr_assert_eq(rs_store_add_file_event(st, &e), -EROFS);
	cr_assert_eq(rs_store_meta_set(st, "k", "v"), -EROFS);
	cr_assert_not(rs_store_has_pending(st));
	rs_store_close(st);
	rs_generation_clear(&g);
}

Test(store, second_writer_is_ebusy_with_pid)
{
	struct rs_store *w = open_ok(db, RS_STORE_WRITE), *w2 = NULL, *r;
	char pid[32];

	open_fails(db, RS_STORE_WRITE, -EBUSY);
	snprintf(pid, sizeof(pid), "pid %ld", (long)getpid());
	cr_assert_not_null(strstr(err, pid), "message \"%s\" does not name %s", err, pid);
	/* Readers are not locked out. */
	r = open_ok(db, RS_STORE_READ);
	rs_store_close(r);
	/* The lock goes with the writer. */
	rs_store_close(w);
	cr_assert_eq(rs_store_open(db, RS_STORE_WRITE, &w2, err, sizeof(err)), 0, "%s", err);
	rs_store_close(w2);
}

Test(store, failed_open_releases_the_lock)
{
	struct rs_store *st;

	make_store(db);
	sql(db, "PRAGMA user_version = 99");
	open_fails(db, RS_STORE_WRITE, -EPROTO);
	{
		char restore[64];
		snprintf(restore, sizeof(restore), "PRAGMA user_version = %d",
			 RS_STORE_SCHEMA_VERSION);
		sql(db, restore);
	}
	st = open_ok(db, RS_STORE_WRITE);
	rs_store_close(st);
}

/* --- meta ------------------------------------------------------------------ */

Test(store, meta_get_set)
{
	struct rs_store *st = open_ok(db, RS_STORE_WRITE);
	char buf[64], small[4];

	cr_assert_eq(rs_store_meta_get(st, "host", buf, sizeof(buf)), -ENOENT);
	cr_assert_eq(rs_store_meta_set(st, "host", "alpha"), 0);
	cr_assert_eq(rs_store_meta_get(st, "host", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "alpha");
	cr_assert_eq(rs_store_meta_set(st, "host", "beta.example"), 0);
	cr_assert_eq(rs_store_meta_set(st, "empty", ""), 0);
	cr_assert_eq(rs_store_meta_get(st, "host", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "beta.example");
	cr_assert_eq(rs_store_meta_get(st, "host", small, sizeof(small)), 0);
	cr_assert_str_eq(small, "bet", "truncated and terminated");
	cr_assert_eq(rs_store_meta_get(st, "empty", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(rs_store_meta_get(st, "HOST", buf, sizeof(buf)), -ENOENT);
	rs_store_close(st);

	st = open_ok(db, RS_STORE_READ);
	cr_assert_eq(rs_store_meta_get(st, "host", buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "beta.example");
	rs_store_close(st);
}

/* --- schema versions ------------------------------------------------------ */

static void insert_v1_row(const char *path)
{
	sql(path, "INSERT INTO generations (number, time_ns, path, nameservers, retired, added) "
		  "VALUES (3, 1600000000000000000, '/etc/resolv.conf', "
		  "'192.0.2.1 2001:db8::1 fe80::1%eth0', '198.51.100.1', '2001:db8::1')");
}

Test(store, create_at_version_rejects_bad_versions)
{
	cr_assert_eq(rs_store_create_at_version(db, 0), -EINVAL);
	cr_assert_eq(rs_store_create_at_version(db, RS_STORE_SCHEMA_VERSION), -EINVAL);
	cr_assert_eq(rs_store_create_at_version(db, RS_STORE_SCHEMA_VERSION + 1), -EINVAL);
}

Test(store, migrates_v1_and_keeps_rows)
{
	struct rs_store *st;
	struct rs_generation got, g;
	struct rs_addr want[3];

	memset(&got, 0, sizeof(got));
	cr_assert_eq(rs_store_create_at_version(db, 1), 0);
	cr_assert_eq(sql_int(db, "PRAGMA user_version"), 1);
	insert_v1_row(db);

	st = open_ok(db, RS_STORE_WRITE);
	cr_assert_eq(rs_store_schema_version(st), RS_STORE_SCHEMA_VERSION);
	cr_assert_eq(rs_store_get_generation(st, 3, &got), 0);
	cr_assert_eq(got.number, 3);
	cr_assert_eq(got.time_ns, 1600000000000000000LL);
	cr_assert_str_eq(got.path, "/etc/resolv.conf");
	addr(&want[0], "192.0.2.1");
	addr(&want[1], "2001:db8::1");
	addr(&want[2], "fe80::1%eth0");
	assert_addrs_eq(got.ns, got.n_ns, want, 3, "ns");
	addr(&want[0], "198.51.100.1");
	assert_addrs_eq(got.retired, got.n_retired, want, 1, "retired");
	addr(&want[0], "2001:db8::1");
	assert_addrs_eq(got.added, got.n_added, want, 1, "added");
	cr_assert_eq(got.id.state, RS_FILE_OK, "the v2 default");
	cr_assert_not(got.writer.known);
	cr_assert_null(got.content);

	/* The migrated schema takes a full v2 generation. */
	full_generation(&g, 4);
	cr_assert_eq(rs_store_add_generation(st, &g), 0);
	cr_assert_eq(rs_store_close(st), 0);

	cr_assert_eq(sql_int(db, "PRAGMA user_version"), RS_STORE_SCHEMA_VERSION);
	st = open_ok(db, RS_STORE_READ);
	cr_assert_eq(rs_store_latest_generation(st, &got), 0);
	assert_gen_eq(&got, &g);
	rs_store_close(st);
	rs_generation_clear(&g);
	rs_generation_clear(&got);
}

Test(store, reader_refuses_old_schema)
{
	size_t len;
	unsigned char *before;

	cr_assert_eq(rs_store_create_at_version(db, 1), 0);
	insert_v1_row(db);
	before = slurp(db, &len);
	open_fails(db, RS_STORE_READ, -EPROTO);
	assert_unchanged(db, before, len);
	cr_assert_eq(sql_int(db, "PRAGMA user_version"), 1, "a reader never migrates");
	free(before);
}

Test(store, newer_schema_is_refused_and_untouched)
{
	size_t len;
	unsigned char *before;

	make_store(db);
	sql(db, "PRAGMA user_version = 99");
	before = slurp(db, &len);
	open_fails(db, RS_STORE_WRITE, -EPROTO);
	cr_assert_not_null(strstr(err, "99"), "message should name the version: %s", err);
	assert_unchanged(db, before, len);
	open_fails(db, RS_STORE_READ, -EPROTO);
	assert_unchanged(db, before, len);
	cr_assert_eq(sql_int(db, "PRAGMA user_version"), 99);
	free(before);
}

/* --- files that are not ours ---------------------------------------------- */

Test(store, random_bytes_are_not_a_database)
{
	unsigned char junk[8192];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < sizeof(junk); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		junk[i] = (unsigned char)x;
	}
	cr_assert(memcmp(junk, "SQLite format 3", 15) != 0);
	spew(db, junk, sizeof(junk));
	assert_refused(db, -EBADMSG, -EBADMSG);
}

Test(store, short_text_file_is_not_a_database)
{
	spew(db, "nameserver 192.0.2.1\n", 21);
	assert_refused(db, -EBADMSG, -EBADMSG);
}

Test(store, truncated_store_is_refused)
{
	char copy[160];
	size_t len;
	unsigned char *full;

	make_store(db);
	full = slurp(db, &len);
	cr_assert_gt(len, 4096, "a store spans several pages");
	snprintf(copy, sizeof(copy), "%s/truncated.db", dir);
	/* Cut inside the first page: the schema itself is gone. */
	spew(copy, full, 1000);
	assert_refused(copy, -EBADMSG, -EBADMSG);
	free(full);
}

Test(store, truncated_store_after_first_page_is_refused)
{
	char copy[160];
	size_t len;
	unsigned char *full;

	make_store(db);
	full = slurp(db, &len);
	snprintf(copy, sizeof(copy), "%s/truncated.db", dir);
	spew(copy, full, len / 2);
	assert_refused(copy, -EBADMSG, -EBADMSG);
	free(full);
}

Test(store, empty_file_is_refused_by_reader)
{
	size_t len;
	unsigned char *before;

	spew(db, "", 0);
	before = slurp(db, &len);
	open_fails(db, RS_STORE_READ, -EPROTO);
	assert_unchanged(db, before, len);
	free(before);
}

/* SQLite creates the file when it opens it and writes the header with the
 * first commit: a 0-byte file is what a writer interrupted in between leaves
 * behind, and the next writer must be able to start. */
Test(store, empty_file_is_initialised_by_writer)
{
	struct rs_store *st;
	struct rs_generation g, got;

	memset(&got, 0, sizeof(got));
	spew(db, "", 0);
	st = open_ok(db, RS_STORE_WRITE);
	cr_assert_eq(rs_store_schema_version(st), RS_STORE_SCHEMA_VERSION);
	full_generation(&g, 0);
	cr_assert_eq(rs_store_add_generation(st, &g), 0);
	cr_assert_eq(rs_store_flush(st), 0);
	cr_assert_eq(rs_store_latest_generation(st, &got), 0);
	assert_gen_eq(&got, &g);
	rs_store_close(st);
	rs_generation_clear(&g);
	rs_generation_clear(&got);
}

Test(store, other_applications_database_is_refused)
{
	sql(db, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
		"INSERT INTO users (name) VALUES ('alice');");
	assert_refused(db, -EPROTO, -EPROTO);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM users"), 1);
	cr_assert_eq(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'"), 0);
}

Test(store, other_applications_database_with_our_table_names_is_refused)
{
	/* Same table name, no application_id: still not ours. */
	sql(db, "CREATE TABLE generations (x);");
	assert_refused(db, -EPROTO, -EPROTO);
}

/* Regression (src/store.c, open_checked, fixed): an empty database stamped with another
 * application's PRAGMA application_id (no tables, user_version 0) is taken
 * over by a writer: migrated, and its application_id overwritten with
 * resolvstale's. The check only refuses a foreign application_id when there
 * are tables or a user_version; it should refuse any application_id other than
 * 0 and RS_APPLICATION_ID. */
Test(store, empty_database_of_another_application_is_refused)
{
	sql(db, "PRAGMA application_id = 1195787588;"); /* 0x47464C44 */
	assert_refused(db, -EPROTO, -EPROTO);
	cr_assert_eq(sql_int(db, "PRAGMA application_id"), 1195787588);
}
