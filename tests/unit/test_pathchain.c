/* rs_pathchain_resolve(): symlink chains walked like the kernel, with every
 * directory entry looked up on the way. Trees are built under a fresh
 * directory in /tmp; each test runs in its own process. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "resolvstale/pathchain.h"
#include "testutil.h"

static char base[256]; /* physical path of the test's directory */
static struct rs_pathchain chain;

static void setup(void)
{
	char tmpl[] = "/tmp/rs-pathchain-XXXXXX", real[PATH_MAX];

	cr_assert_not_null(mkdtemp(tmpl));
	/* The lookups are physical: start from the real path. */
	cr_assert_not_null(realpath(tmpl, real));
	cr_assert_lt(strlen(real), sizeof(base));
	strcpy(base, real);
	memset(&chain, 0, sizeof(chain));
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void teardown(void)
{
	/* The tree first: a crash in free must not leave it behind. */
	if (base[0] == '/')
		nftw(base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	rs_pathchain_free(&chain);
}

TestSuite(pathchain, .init = setup, .fini = teardown);

/* base + "/" + printf(fmt) in a rotating static buffer. */
static const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *P(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % 8], rel[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (rel[0] == '\0')
		snprintf(b, PATH_MAX, "%s", base);
	else
		snprintf(b, PATH_MAX, "%s/%s", base, rel);
	return b;
}

static void mkdirs(const char *rel)
{
	char path[PATH_MAX];

	cr_assert_lt(strlen(rel), 1024);
	snprintf(path, sizeof(path), "%s/%.1023s", base, rel);
	for (char *p = path + strlen(base) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
			*p = '/';
		}
	}
	cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
}

static void mkfile(const char *rel)
{
	int fd = open(P("%s", rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	cr_assert_geq(fd, 0, "create %s: %s", rel, strerror(errno));
	cr_assert_eq(write(fd, "nameserver 192.0.2.1\n", 21), 21);
	close(fd);
}

static void mklink(const char *target, const char *rel)
{
	cr_assert_eq(symlink(target, P("%s", rel)), 0, "symlink %s -> %s: %s", rel, target,
		     strerror(errno));
}

static void resolve(const char *path)
{
	int r = rs_pathchain_resolve(path, &chain);

	cr_assert_eq(r, 0, "rs_pathchain_resolve(%s) = %d", path, r);
	cr_assert_not_null(chain.final);
}

/* Index of the lookup (dir, name) at or after from, or -1. */
static long find_lookup(size_t from, const char *dir, const char *name)
{
	for (size_t i = from; i < chain.n_lookups; i++)
		if (strcmp(chain.lookups[i].dir, dir) == 0 &&
		    strcmp(chain.lookups[i].name, name) == 0)
			return (long)i;
	return -1;
}

static void dump_lookups(void)
{
	for (size_t i = 0; i < chain.n_lookups; i++)
		fprintf(stderr, "  lookup %zu: (%s, %s)%s\n", i, chain.lookups[i].dir,
			chain.lookups[i].name, chain.lookups[i].final ? " final" : "");
}

/* The lookups include these (dir, name) pairs in this order (others may be
 * interleaved). */
static void expect_lookups_in_order(const char *const *pairs, size_t n)
{
	size_t from = 0;

	for (size_t i = 0; i < n; i += 2) {
		long at = find_lookup(from, pairs[i], pairs[i + 1]);
		if (at < 0)
			dump_lookups();
		cr_assert_geq(at, 0, "lookup (%s, %s) missing or out of order", pairs[i],
			      pairs[i + 1]);
		from = (size_t)at + 1;
	}
}

/* Append the lookups the kernel does to walk base itself ("/tmp", ...). */
static size_t base_lookups(char dirs[][PATH_MAX], char names[][NAME_MAX + 1], size_t max)
{
	char cur[PATH_MAX] = "/";
	size_t n = 0;
	const char *p = base + 1;

	while (*p) {
		size_t len = strcspn(p, "/");
		cr_assert_lt(n, max);
		snprintf(dirs[n], PATH_MAX, "%s", cur);
		snprintf(names[n], NAME_MAX + 1, "%.*s", (int)len, p);
		if (strcmp(cur, "/") != 0)
			strcat(cur, "/");
		strncat(cur, p, len);
		n++;
		p += len;
		if (*p == '/')
			p++;
	}
	return n;
}

/* For a chain that ends at an existing file: what the kernel says. */
static void expect_kernel_agrees(const char *path)
{
	char real[PATH_MAX];

	cr_assert_not_null(realpath(path, real), "realpath %s: %s", path, strerror(errno));
	cr_assert_str_eq(chain.final, real);
}

/* --- tests ----------------------------------------------------------------- */

Test(pathchain, plain_file_without_links)
{
	char dirs[32][PATH_MAX], names[32][NAME_MAX + 1];
	size_t nb = base_lookups(dirs, names, 32);
	char buf[PATH_MAX];

	mkdirs("etc");
	mkfile("etc/resolv.conf");
	resolve(P("etc/resolv.conf"));
	cr_assert_str_eq(chain.final, P("etc/resolv.conf"));
	cr_assert_eq(chain.err, 0);
	cr_assert_eq(chain.n_links, 0);
	/* Exactly: the walk down to base, then (base, etc), (base/etc, resolv.conf). */
	cr_assert_eq(chain.n_lookups, nb + 2);
	for (size_t i = 0; i < nb; i++) {
		cr_assert_str_eq(chain.lookups[i].dir, dirs[i]);
		cr_assert_str_eq(chain.lookups[i].name, names[i]);
		cr_assert_not(chain.lookups[i].final);
	}
	cr_assert_str_eq(chain.lookups[nb].dir, base);
	cr_assert_str_eq(chain.lookups[nb].name, "etc");
	cr_assert_not(chain.lookups[nb].final);
	cr_assert_str_eq(chain.lookups[nb + 1].dir, P("etc"));
	cr_assert_str_eq(chain.lookups[nb + 1].name, "resolv.conf");
	cr_assert(chain.lookups[nb + 1].final);
	rs_pathchain_describe(&chain, buf, sizeof(buf));
	cr_assert_str_eq(buf, P("etc/resolv.conf"));
}

Test(pathchain, relative_link_like_systemd_resolved)
{
	mkdirs("etc");
	mkdirs("run/systemd/resolve");
	mkfile("run/systemd/resolve/stub-resolv.conf");
	mklink("../run/systemd/resolve/stub-resolv.conf", "etc/resolv.conf");
	resolve(P("etc/resolv.conf"));

	cr_assert_str_eq(chain.final, P("run/systemd/resolve/stub-resolv.conf"));
	cr_assert_eq(chain.err, 0);
	cr_assert_eq(chain.n_links, 1);
	cr_assert_str_eq(chain.links[0].path, P("etc/resolv.conf"));
	cr_assert_str_eq(chain.links[0].target, "../run/systemd/resolve/stub-resolv.conf");
	{
		const char *want[] = {base,
				      "etc",
				      P("etc"),
				      "resolv.conf",
				      base,
				      "run",
				      P("run"),
				      "systemd",
				      P("run/systemd"),
				      "resolve",
				      P("run/systemd/resolve"),
				      "stub-resolv.conf"};
		expect_lookups_in_order(want, 12);
	}
	cr_assert(chain.lookups[chain.n_lookups - 1].final);
	for (size_t i = 0; i + 1 < chain.n_lookups; i++)
		cr_assert_not(chain.lookups[i].final, "lookup %zu marked final", i);
	expect_kernel_agrees(P("etc/resolv.conf"));
}

Test(pathchain, two_link_chain_exact_lookups)
{
	char dirs[32][PATH_MAX], names[32][NAME_MAX + 1];
	size_t nb = base_lookups(dirs, names, 32), k = 0;
	char abs_target[PATH_MAX], buf[3 * PATH_MAX];

	mkdirs("etc");
	mkdirs("run/real");
	mkfile("run/real/file");
	/* etc/resolv.conf -> BASE/run/link2 (absolute), run/link2 -> real/file. */
	snprintf(abs_target, sizeof(abs_target), "%s", P("run/link2"));
	mklink(abs_target, "etc/resolv.conf");
	mklink("real/file", "run/link2");
	resolve(P("etc/resolv.conf"));

	cr_assert_str_eq(chain.final, P("run/real/file"));
	cr_assert_eq(chain.err, 0);
	cr_assert_eq(chain.n_links, 2);
	cr_assert_str_eq(chain.links[0].path, P("etc/resolv.conf"));
	cr_assert_str_eq(chain.links[0].target, abs_target);
	cr_assert_str_eq(chain.links[1].path, P("run/link2"));
	cr_assert_str_eq(chain.links[1].target, "real/file");

	/* Every pair the kernel looks up, in its order: base's components,
	 * etc, resolv.conf; the absolute target restarts at "/"; then
	 * link2's relative target continues in run/. */
	cr_assert_eq(chain.n_lookups, nb + 2 + nb + 2 + 2);
	for (size_t i = 0; i < nb; i++, k++) {
		cr_assert_str_eq(chain.lookups[k].dir, dirs[i]);
		cr_assert_str_eq(chain.lookups[k].name, names[i]);
	}
	cr_assert_str_eq(chain.lookups[k].dir, base);
	cr_assert_str_eq(chain.lookups[k++].name, "etc");
	cr_assert_str_eq(chain.lookups[k].dir, P("etc"));
	cr_assert_str_eq(chain.lookups[k++].name, "resolv.conf");
	for (size_t i = 0; i < nb; i++, k++) {
		cr_assert_str_eq(chain.lookups[k].dir, dirs[i]);
		cr_assert_str_eq(chain.lookups[k].name, names[i]);
	}
	cr_assert_str_eq(chain.lookups[k].dir, base);
	cr_assert_str_eq(chain.lookups[k++].name, "run");
	cr_assert_str_eq(chain.lookups[k].dir, P("run"));
	cr_assert_str_eq(chain.lookups[k++].name, "link2");
	cr_assert_str_eq(chain.lookups[k].dir, P("run"));
	cr_assert_str_eq(chain.lookups[k++].name, "real");
	cr_assert_str_eq(chain.lookups[k].dir, P("run/real"));
	cr_assert_str_eq(chain.lookups[k].name, "file");
	cr_assert(chain.lookups[k].final);
	for (size_t i = 0; i < k; i++)
		cr_assert_not(chain.lookups[i].final, "lookup %zu marked final", i);
	expect_kernel_agrees(P("etc/resolv.conf"));

	rs_pathchain_describe(&chain, buf, sizeof(buf));
	{
		char want[3 * PATH_MAX];
		snprintf(want, sizeof(want), "%s -> %s -> %s", P("etc/resolv.conf"), P("run/link2"),
			 P("run/real/file"));
		cr_assert_str_eq(buf, want);
	}
}

Test(pathchain, directory_link_in_the_middle)
{
	mkdirs("var/lib/net");
	mkfile("var/lib/net/resolv.conf");
	mkdirs("etc");
	mklink("../var/lib/net", "etc/netconf");
	resolve(P("etc/netconf/resolv.conf"));

	cr_assert_str_eq(chain.final, P("var/lib/net/resolv.conf"));
	cr_assert_eq(chain.err, 0);
	cr_assert_eq(chain.n_links, 1);
	cr_assert_str_eq(chain.links[0].path, P("etc/netconf"));
	{
		const char *want[] = {P("etc"),         "netconf",    base,         "var",
				      P("var"),         "lib",        P("var/lib"), "net",
				      P("var/lib/net"), "resolv.conf"};
		expect_lookups_in_order(want, 10);
	}
	expect_kernel_agrees(P("etc/netconf/resolv.conf"));
}

Test(pathchain, dotdot_after_a_link_is_physical)
{
	/* l -> a/b: "l/../x" is a/x for the kernel, not base/x. */
	mkdirs("a/b");
	mkfile("a/x");
	mkfile("x");
	mklink("a/b", "l");
	resolve(P("l/../x"));

	cr_assert_str_eq(chain.final, P("a/x"));
	cr_assert_eq(chain.err, 0);
	cr_assert_eq(chain.n_links, 1);
	{
		const char *want[] = {base, "l", base, "a", P("a"), "b", P("a"), "x"};
		expect_lookups_in_order(want, 8);
	}
	cr_assert_eq(find_lookup(0, base, "x"), -1, "base/x is never looked up");
	expect_kernel_agrees(P("l/../x"));
}

Test(pathchain, dotdot_without_link_and_above_root)
{
	char path[PATH_MAX];

	mkdirs("a/b");
	mkfile("x");
	resolve(P("a/b/../../x"));
	cr_assert_str_eq(chain.final, P("x"));
	cr_assert_eq(chain.err, 0);
	rs_pathchain_free(&chain);

	/* ".." at "/" stays at "/"; "." and doubled slashes are no-ops. */
	snprintf(path, sizeof(path), "/../..//.%s/./a//../x", base);
	resolve(path);
	cr_assert_str_eq(chain.final, P("x"));
	cr_assert_eq(chain.err, 0);
	expect_kernel_agrees(path);
}

Test(pathchain, symlink_loop_is_eloop)
{
	mklink("loop2", "loop1");
	mklink("loop1", "loop2");
	resolve(P("loop1"));
	cr_assert_eq(chain.err, ELOOP);
	cr_assert_eq(chain.n_links, RS_CHAIN_MAX_LINKS);
	cr_assert_eq(open(P("loop1"), O_RDONLY), -1);
	cr_assert_eq(errno, ELOOP, "the kernel agrees");
}

Test(pathchain, self_loop_is_eloop)
{
	char buf[256];

	mklink("self", "self");
	resolve(P("self"));
	cr_assert_eq(chain.err, ELOOP);
	rs_pathchain_describe(&chain, buf, sizeof(buf));
	cr_assert_eq(strlen(buf), sizeof(buf) - 1, "truncated, still terminated");
}

/* Regression (src/pathchain.c, record_lookup/rs_pathchain_resolve, fixed): a loop of
 * absolute links in a deep directory hits RS_CHAIN_MAX_LOOKUPS before
 * RS_CHAIN_MAX_LINKS and rs_pathchain_resolve() returns -ELOOP with
 * chain->final NULL, instead of 0 with chain->err == ELOOP as pathchain.h
 * documents (rs_conf_snapshot_read then fails instead of reporting an
 * unreadable file). */
Test(pathchain, deep_absolute_loop_is_eloop_not_an_error)
{
	char t1[PATH_MAX], t2[PATH_MAX];
	int r;

	mkdirs("d1/d2/d3/d4/d5/d6/d7/d8");
	snprintf(t1, sizeof(t1), "%s", P("d1/d2/d3/d4/d5/d6/d7/d8/b"));
	snprintf(t2, sizeof(t2), "%s", P("d1/d2/d3/d4/d5/d6/d7/d8/a"));
	mklink(t1, "d1/d2/d3/d4/d5/d6/d7/d8/a");
	mklink(t2, "d1/d2/d3/d4/d5/d6/d7/d8/b");
	r = rs_pathchain_resolve(t2, &chain);
	cr_assert_eq(r, 0, "rs_pathchain_resolve = %d, want 0 with err ELOOP", r);
	cr_assert_not_null(chain.final);
	cr_assert_eq(chain.err, ELOOP);
}

Test(pathchain, forty_links_resolve_forty_one_do_not)
{
	char name[32], target[32];

	/* l0 -> l1 -> ... -> l40 -> file: from l1 there are 40 links, from l0
	 * 41, like the kernel's MAXSYMLINKS. */
	mkfile("file");
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		if (i == 40)
			snprintf(target, sizeof(target), "file");
		else
			snprintf(target, sizeof(target), "l%d", i + 1);
		mklink(target, name);
	}
	resolve(P("l1"));
	cr_assert_eq(chain.err, 0);
	cr_assert_eq(chain.n_links, 40);
	cr_assert_str_eq(chain.final, P("file"));
	expect_kernel_agrees(P("l1"));
	rs_pathchain_free(&chain);

	resolve(P("l0"));
	cr_assert_eq(chain.err, ELOOP);
	cr_assert_eq(open(P("l0"), O_RDONLY), -1);
	cr_assert_eq(errno, ELOOP, "the kernel agrees");
}

Test(pathchain, dangling_link_ends_with_enoent)
{
	char buf[2 * PATH_MAX], want[2 * PATH_MAX];

	mkdirs("run");
	mklink("../run/missing.conf", "run/l");
	resolve(P("run/l"));
	cr_assert_eq(chain.err, ENOENT);
	cr_assert_str_eq(chain.final, P("run/missing.conf"));
	cr_assert_eq(chain.n_links, 1);
	cr_assert_str_eq(chain.links[0].path, P("run/l"));
	cr_assert_str_eq(chain.links[0].target, "../run/missing.conf");
	cr_assert_str_eq(chain.lookups[chain.n_lookups - 1].dir, P("run"));
	cr_assert_str_eq(chain.lookups[chain.n_lookups - 1].name, "missing.conf");
	for (size_t i = 0; i < chain.n_lookups; i++)
		cr_assert_not(chain.lookups[i].final);
	rs_pathchain_describe(&chain, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s -> %s", P("run/l"), P("run/missing.conf"));
	cr_assert_str_eq(buf, want);
}

Test(pathchain, missing_directory_without_link)
{
	resolve(P("nowhere/file.conf"));
	cr_assert_eq(chain.err, ENOENT);
	cr_assert_str_eq(chain.final, P("nowhere/file.conf"));
	cr_assert_str_eq(chain.lookups[chain.n_lookups - 1].dir, base);
	cr_assert_str_eq(chain.lookups[chain.n_lookups - 1].name, "nowhere");
}

/* Regression (src/pathchain.c, rs_pathchain_resolve, fixed): when the last component is a
 * link whose target runs through a missing directory, final keeps the "/"
 * that prepend() put after the target: "BASE/nowhere/file.conf/" instead of
 * "BASE/nowhere/file.conf" (without the link the same walk gives no slash),
 * so the snapshot's target changes spelling when the directory appears. */
Test(pathchain, dangling_link_through_missing_directory)
{
	char buf[2 * PATH_MAX], want[2 * PATH_MAX];

	mklink("nowhere/file.conf", "dangling");
	resolve(P("dangling"));
	cr_assert_eq(chain.err, ENOENT);
	cr_assert_str_eq(chain.final, P("nowhere/file.conf"));
	cr_assert_eq(chain.n_links, 1);
	cr_assert_str_eq(chain.links[0].target, "nowhere/file.conf");
	/* The watcher must see "nowhere" appear. */
	cr_assert_geq(find_lookup(0, base, "nowhere"), 0);
	for (size_t i = 0; i < chain.n_lookups; i++)
		cr_assert_not(chain.lookups[i].final);
	rs_pathchain_describe(&chain, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s -> %s", P("dangling"), P("nowhere/file.conf"));
	cr_assert_str_eq(buf, want);
}

Test(pathchain, missing_file_in_existing_dir)
{
	mkdirs("run");
	resolve(P("run/resolv.conf"));
	cr_assert_eq(chain.err, ENOENT);
	cr_assert_str_eq(chain.final, P("run/resolv.conf"));
	cr_assert_eq(chain.n_links, 0);
	cr_assert_str_eq(chain.lookups[chain.n_lookups - 1].dir, P("run"));
	cr_assert_str_eq(chain.lookups[chain.n_lookups - 1].name, "resolv.conf");
	cr_assert_not(chain.lookups[chain.n_lookups - 1].final);
}

Test(pathchain, regular_file_in_the_middle_is_enotdir)
{
	mkfile("file");
	resolve(P("file/resolv.conf"));
	cr_assert_eq(chain.err, ENOTDIR);
	cr_assert_str_eq(chain.final, P("file"));
	cr_assert_eq(open(P("file/resolv.conf"), O_RDONLY), -1);
	cr_assert_eq(errno, ENOTDIR, "the kernel agrees");
}

Test(pathchain, link_to_file_in_the_middle_is_enotdir)
{
	mkfile("file");
	mklink("file", "l");
	resolve(P("l/x"));
	cr_assert_eq(chain.err, ENOTDIR);
	cr_assert_str_eq(chain.final, P("file"));
}

Test(pathchain, directory_is_eisdir)
{
	mkdirs("etc");
	resolve(P("etc"));
	cr_assert_eq(chain.err, EISDIR);
	cr_assert_str_eq(chain.final, P("etc"));
	rs_pathchain_free(&chain);

	resolve(P("etc/"));
	cr_assert_eq(chain.err, EISDIR);
	cr_assert_str_eq(chain.final, P("etc"));
	rs_pathchain_free(&chain);

	resolve(P("etc/."));
	cr_assert_eq(chain.err, EISDIR);
	cr_assert_str_eq(chain.final, P("etc"));
	rs_pathchain_free(&chain);

	resolve(P("etc/.."));
	cr_assert_eq(chain.err, EISDIR);
	cr_assert_str_eq(chain.final, base);
	rs_pathchain_free(&chain);

	resolve("/");
	cr_assert_eq(chain.err, EISDIR);
	cr_assert_str_eq(chain.final, "/");
}

Test(pathchain, link_to_directory_is_eisdir)
{
	mkdirs("real");
	mklink("real", "l");
	resolve(P("l"));
	cr_assert_eq(chain.err, EISDIR);
	cr_assert_str_eq(chain.final, P("real"));
	cr_assert_eq(chain.n_links, 1);
}

/* Regression (src/pathchain.c, rs_pathchain_resolve, fixed): a trailing slash after a
 * regular file ("resolv.conf/") is accepted as the file itself (err 0); the
 * kernel fails such a path with ENOTDIR, so the daemon would read a file the
 * path does not lead to. */
Test(pathchain, trailing_slash_after_a_file_is_enotdir)
{
	mkfile("file");
	cr_assert_eq(open(P("file/"), O_RDONLY), -1);
	cr_assert_eq(errno, ENOTDIR, "what the kernel says");
	resolve(P("file/"));
	cr_assert_eq(chain.err, ENOTDIR, "err %d (%s), final %s", chain.err, strerror(chain.err),
		     chain.final);
}

Test(pathchain, relative_or_empty_path_is_einval)
{
	cr_assert_eq(rs_pathchain_resolve("etc/resolv.conf", &chain), -EINVAL);
	rs_pathchain_free(&chain);
	cr_assert_eq(rs_pathchain_resolve("./resolv.conf", &chain), -EINVAL);
	rs_pathchain_free(&chain);
	cr_assert_eq(rs_pathchain_resolve("", &chain), -EINVAL);
	cr_assert_null(chain.final);
	cr_assert_eq(chain.n_lookups, 0);
	rs_pathchain_free(&chain);
}

Test(pathchain, describe_truncates_safely)
{
	char full[3 * PATH_MAX], small[12];

	mkfile("file");
	mklink("file", "l2");
	mklink("l2", "l1");
	resolve(P("l1"));
	rs_pathchain_describe(&chain, full, sizeof(full));
	for (size_t len = 1; len < sizeof(small) - 1; len++) {
		memset(small, 'Z', sizeof(small));
		rs_pathchain_describe(&chain, small, len);
		cr_assert_eq(strlen(small), len - 1);
		cr_assert(strncmp(small, full, len - 1) == 0);
		cr_assert_eq(small[len - 1], '\0');
		cr_assert_eq(small[len], 'Z', "wrote past len %zu", len);
	}
	/* len 0 writes nothing. */
	small[0] = 'Q';
	rs_pathchain_describe(&chain, small, 0);
	cr_assert_eq(small[0], 'Q');
}

Test(pathchain, free_is_idempotent)
{
	mkfile("file");
	resolve(P("file"));
	rs_pathchain_free(&chain);
	cr_assert_null(chain.final);
	cr_assert_eq(chain.n_lookups, 0);
	rs_pathchain_free(&chain);
	rs_pathchain_free(NULL);
}
