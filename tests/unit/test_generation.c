/* Generations: building one from a snapshot, what counts as a change of the
 * effective configuration, classification of file changes, address lists. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "resolvstale/confsnap.h"
#include "resolvstale/generation.h"
#include "resolvstale/resolvconf.h"
#include "resolvstale/sbuf.h"
#include "testutil.h"

/* --- helpers --------------------------------------------------------------- */

/* A snapshot of an OK file with the given text, as rs_conf_snapshot_read
 * would produce it. Free with rs_conf_snapshot_clear. */
static void snap_of(struct rs_conf_snapshot *snap, const char *text)
{
	size_t n = strlen(text);

	memset(snap, 0, sizeof(*snap));
	snap->time_ns = 1700000000123456789LL;
	snap->path = strdup("/etc/resolv.conf");
	snap->target = strdup("/run/systemd/resolve/stub-resolv.conf");
	snap->chain = strdup("/etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf");
	cr_assert(snap->path && snap->target && snap->chain);
	snap->id.state = n > 0 ? RS_FILE_OK : RS_FILE_EMPTY;
	snap->id.dev = 0x803;
	snap->id.ino = 4242;
	snap->id.size = (int64_t)n;
	snap->id.mtime_ns = 1700000000000000001LL;
	snap->id.ctime_ns = 1700000000000000002LL;
	snap->id.mode = 0100644;
	snap->id.uid = 0;
	snap->id.hash = rs_hash64(text, n);
	if (n > 0) {
		snap->content = malloc(n);
		cr_assert_not_null(snap->content);
		memcpy(snap->content, text, n);
		snap->content_len = n;
	}
	rs_resolvconf_parse(text, n, &snap->conf);
}

/* Build a generation straight from text, against prev (may be NULL). */
static void gen_of(struct rs_generation *g, const struct rs_generation *prev, const char *text,
		   int64_t number)
{
	struct rs_conf_snapshot snap;

	snap_of(&snap, text);
	memset(g, 0, sizeof(*g));
	cr_assert_eq(rs_generation_build(prev, &snap, number, g), 0);
	rs_conf_snapshot_clear(&snap);
}

static const char *addr_text(const struct rs_addr *a)
{
	static char bufs[8][RS_ADDR_STRLEN];
	static unsigned next;

	return rs_addr_format(a, bufs[next++ % 8], RS_ADDR_STRLEN);
}

/* The list as "a b c". */
static char *list_text(const struct rs_addr *a, size_t n)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char *s;

	rs_addrs_join(a, n, &sb);
	cr_assert(!rs_sbuf_failed(&sb));
	s = strdup(rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
	return s;
}

#define assert_list(a, n, want)                                                                    \
	do {                                                                                       \
		char *got_ = list_text((a), (n));                                                  \
		cr_assert_str_eq(got_, (want), "list \"%s\", want \"%s\"", got_, (want));          \
		free(got_);                                                                        \
	} while (0)

/* Whether text's configuration differs from the generation built from base. */
static bool differs(const char *base, const char *text)
{
	struct rs_generation g;
	struct rs_conf_snapshot snap;
	bool d;

	gen_of(&g, NULL, base, 0);
	snap_of(&snap, text);
	d = rs_generation_differs(&g, &snap);
	rs_conf_snapshot_clear(&snap);
	rs_generation_clear(&g);
	return d;
}

/* --- rs_generation_build ------------------------------------------------- */

Test(generation, build_first_copies_everything)
{
	static const char text[] = "# written by hand\n"
				   "nameserver 192.0.2.1\n"
				   "nameserver 2001:db8::53\n"
				   "search example.com corp.example\n"
				   "options ndots:2 rotate\n";
	struct rs_conf_snapshot snap;
	struct rs_generation g;
	struct rs_sbuf key = RS_SBUF_INIT;

	snap_of(&snap, text);
	memset(&g, 0, sizeof(g));
	cr_assert_eq(rs_generation_build(NULL, &snap, 5, &g), 0);

	cr_assert_eq(g.number, 5);
	cr_assert_eq(g.time_ns, snap.time_ns);
	cr_assert_str_eq(g.path, "/etc/resolv.conf");
	cr_assert_str_eq(g.target, "/run/systemd/resolve/stub-resolv.conf");
	cr_assert_neq(g.path, snap.path, "path must be a copy");
	cr_assert(memcmp(&g.id, &snap.id, sizeof(g.id)) == 0);
	cr_assert_eq(g.n_ns, 2);
	cr_assert_str_eq(addr_text(&g.ns[0]), "192.0.2.1");
	cr_assert_str_eq(addr_text(&g.ns[1]), "2001:db8::53");
	cr_assert_not(g.default_ns);
	cr_assert_eq(g.n_retired, 0, "no previous generation: nothing retired");
	cr_assert_eq(g.n_added, 0, "no previous generation: nothing added");
	cr_assert_str_eq(g.ignored, "");
	cr_assert_str_eq(g.search, "example.com corp.example");
	cr_assert_str_eq(g.sortlist, "");
	cr_assert_str_eq(g.options, "ndots:2 rotate");
	rs_resolvconf_key(&snap.conf, &key);
	cr_assert_str_eq(g.key, rs_sbuf_str(&key));
	cr_assert_str_eq(g.warnings, "");
	cr_assert_eq(g.n_warnings, 0);
	cr_assert_eq(g.content_len, sizeof(text) - 1);
	cr_assert_neq(g.content, snap.content, "content must be a copy");
	cr_assert(memcmp(g.content, text, sizeof(text) - 1) == 0);
	cr_assert_not(g.writer.known);

	rs_sbuf_free(&key);
	rs_conf_snapshot_clear(&snap);
	rs_generation_clear(&g);
}

Test(generation, build_overwrites_a_used_destination)
{
	struct rs_generation g;

	/* The second build must free the first one's strings (ASan: no leak). */
	gen_of(&g, NULL, "nameserver 192.0.2.1\nsearch a.example\n", 0);
	cr_assert_eq(rs_generation_build(NULL,
					 &(struct rs_conf_snapshot){
						 .path = "/x",
						 .target = NULL,
					 },
					 1, &g),
		     0);
	cr_assert_eq(g.number, 1);
	cr_assert_str_eq(g.path, "/x");
	cr_assert_str_eq(g.target, "");
	cr_assert_str_eq(g.search, "");
	cr_assert_null(g.content);
	cr_assert_eq(g.content_len, 0);
	rs_generation_clear(&g);
}

Test(generation, retired_and_added_keep_order)
{
	struct rs_generation a, b, c;

	gen_of(&a, NULL, "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n", 0);
	gen_of(&b, &a, "nameserver 192.0.2.3\nnameserver 192.0.2.4\nnameserver 192.0.2.1\n", 1);
	assert_list(b.retired, b.n_retired, "192.0.2.2");
	assert_list(b.added, b.n_added, "192.0.2.4");

	gen_of(&c, &b,
	       "nameserver 198.51.100.9\nnameserver 198.51.100.8\nnameserver 198.51.100.7\n", 2);
	assert_list(c.retired, c.n_retired, "192.0.2.3 192.0.2.4 192.0.2.1");
	assert_list(c.added, c.n_added, "198.51.100.9 198.51.100.8 198.51.100.7");
	assert_list(c.ns, c.n_ns, "198.51.100.9 198.51.100.8 198.51.100.7");

	rs_generation_clear(&a);
	rs_generation_clear(&b);
	rs_generation_clear(&c);
}

Test(generation, retired_and_added_list_duplicates_once)
{
	struct rs_generation a, b;

	/* glibc uses a listed-twice server twice; the sets name it once. */
	gen_of(&a, NULL, "nameserver 192.0.2.1\nnameserver 192.0.2.1\nnameserver 192.0.2.2\n", 0);
	assert_list(a.ns, a.n_ns, "192.0.2.1 192.0.2.1 192.0.2.2");
	gen_of(&b, &a, "nameserver 192.0.2.7\nnameserver 192.0.2.7\n", 1);
	assert_list(b.retired, b.n_retired, "192.0.2.1 192.0.2.2");
	assert_list(b.added, b.n_added, "192.0.2.7");
	rs_generation_clear(&a);
	rs_generation_clear(&b);
}

Test(generation, unchanged_servers_retire_nothing)
{
	struct rs_generation a, b;

	gen_of(&a, NULL, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n", 0);
	gen_of(&b, &a, "nameserver 192.0.2.2\nnameserver 192.0.2.1\noptions rotate\n", 1);
	cr_assert_eq(b.n_retired, 0);
	cr_assert_eq(b.n_added, 0);
	rs_generation_clear(&a);
	rs_generation_clear(&b);
}

Test(generation, default_nameserver_when_none)
{
	struct rs_generation a, b;

	gen_of(&a, NULL, "nameserver 192.0.2.1\n", 0);
	gen_of(&b, &a, "search example.com\nnameserver not-an-address\n", 1);
	cr_assert(b.default_ns);
	assert_list(b.ns, b.n_ns, "127.0.0.1");
	assert_list(b.retired, b.n_retired, "192.0.2.1");
	assert_list(b.added, b.n_added, "127.0.0.1");
	cr_assert_geq(b.n_warnings, 1);
	rs_generation_clear(&a);
	rs_generation_clear(&b);
}

Test(generation, empty_file_uses_default)
{
	struct rs_generation g;

	gen_of(&g, NULL, "", 0);
	cr_assert(g.default_ns);
	cr_assert_eq(g.n_ns, 1);
	cr_assert_str_eq(addr_text(&g.ns[0]), "127.0.0.1");
	cr_assert_null(g.content);
	cr_assert_eq(g.content_len, 0);
	rs_generation_clear(&g);
}

Test(generation, explicit_loopback_is_not_default)
{
	struct rs_generation a, b;
	struct rs_conf_snapshot snap;

	gen_of(&a, NULL, "nameserver 127.0.0.1\n", 0);
	cr_assert_not(a.default_ns);
	/* Same server, but now by glibc's fallback: no address moves... */
	gen_of(&b, &a, "# emptied\n", 1);
	cr_assert(b.default_ns);
	cr_assert_eq(b.n_retired, 0);
	cr_assert_eq(b.n_added, 0);
	/* ...yet it is another configuration (the operator wants to know). */
	snap_of(&snap, "# emptied\n");
	cr_assert(rs_generation_differs(&a, &snap));
	rs_conf_snapshot_clear(&snap);
	rs_generation_clear(&a);
	rs_generation_clear(&b);
}

Test(generation, fourth_nameserver_is_ignored_not_effective)
{
	struct rs_generation g;

	gen_of(&g, NULL,
	       "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n"
	       "nameserver 192.0.2.4\nnameserver 2001:db8::5\n",
	       0);
	assert_list(g.ns, g.n_ns, "192.0.2.1 192.0.2.2 192.0.2.3");
	cr_assert_str_eq(g.ignored, "192.0.2.4 2001:db8::5");
	rs_generation_clear(&g);
}

Test(generation, ipv6_scope_counts)
{
	struct rs_generation a, b;

	gen_of(&a, NULL, "nameserver fe80::1%eth0\nnameserver 2001:db8::1\n", 0);
	cr_assert_str_eq(a.ns[0].scope, "eth0");
	assert_list(a.ns, a.n_ns, "fe80::1%eth0 2001:db8::1");
	gen_of(&b, &a, "nameserver fe80::1%eth1\nnameserver 2001:db8::1\n", 1);
	assert_list(b.retired, b.n_retired, "fe80::1%eth0");
	assert_list(b.added, b.n_added, "fe80::1%eth1");
	rs_generation_clear(&a);
	rs_generation_clear(&b);
}

Test(generation, warnings_text_one_per_line)
{
	struct rs_generation g;
	char want[64];

	gen_of(&g, NULL, "nameserver 192.0.2.1\nnameserver 300.1.1.1\nbogus line\n", 0);
	cr_assert_geq(g.n_warnings, 2);
	snprintf(want, sizeof(want), "2 %s ", rs_rc_warn_name(RS_RCW_BAD_ADDRESS));
	cr_assert_not_null(strstr(g.warnings, want), "no \"%s\" in \"%s\"", want, g.warnings);
	snprintf(want, sizeof(want), "\n3 %s ", rs_rc_warn_name(RS_RCW_UNKNOWN_LINE));
	cr_assert_not_null(strstr(g.warnings, want), "no \"%s\" in \"%s\"", want, g.warnings);
	/* One line per warning, each ending in a newline. */
	{
		unsigned lines = 0;
		for (const char *p = g.warnings; *p; p++)
			lines += *p == '\n';
		cr_assert_eq(lines, g.n_warnings);
		cr_assert_eq(g.warnings[strlen(g.warnings) - 1], '\n');
	}
	rs_generation_clear(&g);
}

Test(generation, warnings_beyond_the_kept_ones_are_summarised)
{
	struct rs_sbuf text = RS_SBUF_INIT;
	struct rs_generation g;
	char want[96];
	unsigned lines = 0;

	rs_sbuf_puts(&text, "nameserver 192.0.2.1\n");
	for (int i = 0; i < RS_RC_MAX_WARNINGS + 8; i++)
		rs_sbuf_puts(&text, "garbage\n");
	gen_of(&g, NULL, rs_sbuf_str(&text), 0);
	cr_assert_gt(g.n_warnings, RS_RC_MAX_WARNINGS);
	snprintf(want, sizeof(want), "0 more-warnings %u more warnings not kept\n",
		 g.n_warnings - RS_RC_MAX_WARNINGS);
	cr_assert_not_null(strstr(g.warnings, want), "no \"%s\"", want);
	for (const char *p = g.warnings; *p; p++)
		lines += *p == '\n';
	cr_assert_eq(lines, RS_RC_MAX_WARNINGS + 1);
	rs_sbuf_free(&text);
	rs_generation_clear(&g);
}

/* --- rs_generation_differs ---------------------------------------------- */

#define BASE                                                                                       \
	"nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n"                       \
	"nameserver 192.0.2.4\nsearch example.com\noptions ndots:2 rotate timeout:3\n"

Test(generation, differs_false_for_same_effective_config)
{
	cr_assert_not(differs(BASE, BASE), "identical text");
	cr_assert_not(differs(BASE, "# a new comment\n" BASE "; trailing comment\n"),
		      "comments added");
	cr_assert_not(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				    "nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
				    "search example.com\noptions timeout:3 rotate ndots:2\n"),
		      "options reordered");
	cr_assert_not(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				    "nameserver 192.0.2.3\nnameserver 198.51.100.4\n"
				    "search example.com\noptions ndots:2 rotate timeout:3\n"),
		      "ignored 4th nameserver changed");
	cr_assert_not(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				    "nameserver 192.0.2.3\n"
				    "search example.com\noptions ndots:2 rotate timeout:3\n"),
		      "ignored 4th nameserver removed");
	cr_assert_not(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				    "nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
				    "options ndots:2\noptions rotate timeout:3\n"
				    "search example.com\n"),
		      "lines moved, options split");
}

Test(generation, differs_true_for_other_effective_config)
{
	cr_assert(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				"nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
				"search example.org\noptions ndots:2 rotate timeout:3\n"),
		  "search changed");
	cr_assert(differs(BASE, "nameserver 192.0.2.2\nnameserver 192.0.2.1\n"
				"nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
				"search example.com\noptions ndots:2 rotate timeout:3\n"),
		  "nameserver order changed");
	cr_assert(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				"nameserver 192.0.2.4\n"
				"search example.com\noptions ndots:2 rotate timeout:3\n"),
		  "3rd nameserver removed: the 4th becomes effective");
	cr_assert(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				"nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
				"search example.com\noptions ndots:3 rotate timeout:3\n"),
		  "option value changed");
	cr_assert(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				"nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
				"search example.com\noptions ndots:2 rotate timeout:3 edns0\n"),
		  "option added");
	cr_assert(differs(BASE, "nameserver 192.0.2.1\nnameserver 192.0.2.2\n"
				"nameserver 192.0.2.3\nnameserver 192.0.2.4\n"
				"search example.com\noptions ndots:2 rotate timeout:3\n"
				"sortlist 130.155.160.0/255.255.240.0\n"),
		  "sortlist added");
	cr_assert(differs(BASE, ""), "file emptied");
}

Test(generation, differs_true_without_key)
{
	struct rs_generation g;
	struct rs_conf_snapshot snap;

	memset(&g, 0, sizeof(g));
	snap_of(&snap, "nameserver 192.0.2.1\n");
	cr_assert(rs_generation_differs(&g, &snap));
	rs_conf_snapshot_clear(&snap);
}

/* --- rs_file_change_classify --------------------------------------------- */

static struct rs_file_identity ident(void)
{
	struct rs_file_identity id = {
		.state = RS_FILE_OK,
		.dev = 0x803,
		.ino = 100,
		.size = 42,
		.mtime_ns = 1000,
		.ctime_ns = 2000,
		.mode = 0100644,
		.uid = 0,
		.hash = 0x1234,
	};
	return id;
}

#define T1 "/run/a/resolv.conf"
#define T2 "/run/b/resolv.conf"

Test(classify, none)
{
	struct rs_file_identity a = ident(), b = ident();

	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_NONE);
	cr_assert_eq(rs_file_change_classify(&a, NULL, &b, NULL), RS_CHANGE_NONE);
	a.state = b.state = RS_FILE_MISSING;
	a.err = b.err = ENOENT;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_NONE,
		     "missing before and after");
}

Test(classify, touched)
{
	struct rs_file_identity a = ident(), b;

	b = a;
	b.mtime_ns++;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_TOUCHED, "mtime");
	b = a;
	b.ctime_ns++;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_TOUCHED, "ctime");
	b = a;
	b.mode = 0100600;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_TOUCHED, "mode");
	b = a;
	b.uid = 1000;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_TOUCHED, "owner");
}

Test(classify, modified)
{
	struct rs_file_identity a = ident(), b;

	b = a;
	b.hash ^= 1;
	b.mtime_ns++;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_MODIFIED, "hash");
	b = a;
	b.size = 43;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_MODIFIED, "size");
	b = a;
	a.state = RS_FILE_EMPTY;
	a.size = 0;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_MODIFIED,
		     "empty file written");
}

Test(classify, replaced)
{
	struct rs_file_identity a = ident(), b;

	b = a;
	b.ino = 101;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_REPLACED, "inode");
	b = a;
	b.dev = 0x804;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_REPLACED, "device");
	b = a;
	b.ino = 101;
	b.hash ^= 1;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T1), RS_CHANGE_REPLACED,
		     "replaced with other bytes is still a replacement");
}

Test(classify, relinked)
{
	struct rs_file_identity a = ident(), b = ident();

	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T2), RS_CHANGE_RELINKED);
	b.ino = 555;
	cr_assert_eq(rs_file_change_classify(&a, T1, &b, T2), RS_CHANGE_RELINKED,
		     "another target wins over another inode");
}

Test(classify, appeared_and_vanished)
{
	struct rs_file_identity ok = ident(), missing = ident(), unreadable = ident();
	struct rs_file_identity empty = ident();

	missing.state = RS_FILE_MISSING;
	missing.err = ENOENT;
	unreadable.state = RS_FILE_UNREADABLE;
	unreadable.err = EACCES;
	empty.state = RS_FILE_EMPTY;
	cr_assert_eq(rs_file_change_classify(&missing, T1, &ok, T1), RS_CHANGE_APPEARED);
	cr_assert_eq(rs_file_change_classify(&unreadable, T1, &ok, T1), RS_CHANGE_APPEARED);
	cr_assert_eq(rs_file_change_classify(&missing, T1, &empty, T1), RS_CHANGE_APPEARED);
	cr_assert_eq(rs_file_change_classify(&missing, T1, &ok, T2), RS_CHANGE_APPEARED,
		     "appearing at another target is still appearing");
	cr_assert_eq(rs_file_change_classify(&ok, T1, &missing, T1), RS_CHANGE_VANISHED);
	cr_assert_eq(rs_file_change_classify(&ok, T1, &unreadable, T1), RS_CHANGE_VANISHED);
	cr_assert_eq(rs_file_change_classify(&empty, T1, &missing, T2), RS_CHANGE_VANISHED);
}

Test(classify, names)
{
	static const struct {
		enum rs_file_change c;
		const char *name;
	} names[] = {
		{RS_CHANGE_NONE, "none"},         {RS_CHANGE_TOUCHED, "touched"},
		{RS_CHANGE_MODIFIED, "modified"}, {RS_CHANGE_REPLACED, "replaced"},
		{RS_CHANGE_RELINKED, "relinked"}, {RS_CHANGE_APPEARED, "appeared"},
		{RS_CHANGE_VANISHED, "vanished"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_expect_str_eq(rs_file_change_name(names[i].c), names[i].name);
	cr_expect_str_eq(rs_file_change_name((enum rs_file_change)99), "unknown");
}

/* --- rs_addrs_join / rs_addrs_split ------------------------------------- */

Test(addrs, join_split_round_trip)
{
	const char *texts[] = {"192.0.2.1", "2001:db8::53", "fe80::1%eth0", "::ffff:192.0.2.1",
			       "::1"};
	struct rs_addr in[5], out[8];
	char *joined;
	int n;

	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(rs_addr_parse(texts[i], &in[i]), 0, "%s", texts[i]);
	joined = list_text(in, 5);
	cr_assert_str_eq(joined, "192.0.2.1 2001:db8::53 fe80::1%eth0 ::ffff:192.0.2.1 ::1");
	n = rs_addrs_split(joined, out, 8);
	cr_assert_eq(n, 5);
	for (int i = 0; i < n; i++)
		cr_assert(rs_addr_equal(&in[i], &out[i]), "entry %d: %s != %s", i,
			  addr_text(&in[i]), addr_text(&out[i]));
	free(joined);
}

Test(addrs, join_and_split_empty)
{
	struct rs_addr out[3];

	memset(out, 0, sizeof(out));
	assert_list(out, 0, "");
	cr_assert_eq(rs_addrs_split("", out, 3), 0);
	cr_assert_eq(rs_addrs_split("   ", out, 3), 0);
}

Test(addrs, split_tolerates_extra_spaces)
{
	struct rs_addr out[3];

	cr_assert_eq(rs_addrs_split("  192.0.2.1   2001:db8::1 ", out, 3), 2);
	cr_assert_str_eq(addr_text(&out[0]), "192.0.2.1");
	cr_assert_str_eq(addr_text(&out[1]), "2001:db8::1");
}

Test(addrs, split_rejects_garbage)
{
	struct rs_addr out[3];
	char longtok[200];

	cr_expect_eq(rs_addrs_split("192.0.2.1 bogus", out, 3), -EINVAL);
	cr_expect_eq(rs_addrs_split("192.0.2.300", out, 3), -EINVAL);
	cr_expect_eq(rs_addrs_split("127.1", out, 3), -EINVAL, "no inet_aton shorthand");
	cr_expect_eq(rs_addrs_split("192.0.2.1,192.0.2.2", out, 3), -EINVAL);
	cr_expect_eq(rs_addrs_split("192.0.2.1\t192.0.2.2", out, 3), -EINVAL);
	cr_expect_eq(rs_addrs_split("192.0.2.1\n", out, 3), -EINVAL);
	cr_expect_eq(rs_addrs_split("192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4", out, 3), -EINVAL,
		     "more than max");
	memset(longtok, '1', sizeof(longtok) - 1);
	longtok[sizeof(longtok) - 1] = '\0';
	cr_expect_eq(rs_addrs_split(longtok, out, 3), -EINVAL, "token longer than an address");
	cr_expect_eq(rs_addrs_split("fe80::1%", out, 3), -EINVAL);
}

/* --- rs_generation_copy / clear ----------------------------------------- */

static void fill_full(struct rs_generation *g)
{
	static const char content[] = "nameserver 192.0.2.1\n\0\x01 binary";

	gen_of(g, NULL,
	       "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n"
	       "nameserver 192.0.2.4\nsearch a.example b.example\n"
	       "sortlist 130.155.160.0/255.255.240.0\noptions ndots:3 edns0\nbad\n",
	       9);
	cr_assert_eq(rs_addr_parse("198.51.100.1", &g->retired[0]), 0);
	g->n_retired = 1;
	cr_assert_eq(rs_addr_parse("fe80::2%wlan0", &g->added[0]), 0);
	g->n_added = 1;
	g->at_start = true;
	free(g->content);
	g->content = malloc(sizeof(content) - 1);
	cr_assert_not_null(g->content);
	memcpy(g->content, content, sizeof(content) - 1);
	g->content_len = sizeof(content) - 1;
	g->writer.known = true;
	g->writer.pid = 1234;
	g->writer.starttime = 99;
	g->writer.uid = 0;
	g->writer.auid = 1000;
	g->writer.comm = strdup("NetworkManager");
	g->writer.exe = strdup("/usr/sbin/NetworkManager");
}

Test(generation, copy_is_deep)
{
	struct rs_generation src, dst;
	struct rs_generation snapshot;

	fill_full(&src);
	memset(&dst, 0, sizeof(dst));
	/* A destination that already holds a generation is overwritten. */
	gen_of(&dst, NULL, "nameserver 203.0.113.1\n", 77);
	cr_assert_eq(rs_generation_copy(&dst, &src), 0);

	/* Keep the scalar parts for comparison, then destroy the source. */
	snapshot = src;
	cr_assert_eq(dst.number, 9);
	cr_assert(dst.at_start);
	cr_assert_neq(dst.path, src.path);
	cr_assert_neq(dst.key, src.key);
	cr_assert_neq(dst.content, src.content);
	cr_assert_neq(dst.writer.comm, src.writer.comm);
	memset(src.path, 'X', strlen(src.path));
	memset(src.target, 'X', strlen(src.target));
	memset(src.ignored, 'X', strlen(src.ignored));
	memset(src.search, 'X', strlen(src.search));
	memset(src.sortlist, 'X', strlen(src.sortlist));
	memset(src.options, 'X', strlen(src.options));
	memset(src.key, 'X', strlen(src.key));
	memset(src.warnings, 'X', strlen(src.warnings));
	memset(src.content, 'X', src.content_len);
	memset(src.writer.comm, 'X', strlen(src.writer.comm));
	memset(src.writer.exe, 'X', strlen(src.writer.exe));
	src.ns[0].family = 0;
	src.n_ns = 0;
	rs_generation_clear(&src);

	cr_assert_str_eq(dst.path, "/etc/resolv.conf");
	cr_assert_str_eq(dst.target, "/run/systemd/resolve/stub-resolv.conf");
	cr_assert_str_eq(dst.ignored, "192.0.2.4");
	cr_assert_str_eq(dst.search, "a.example b.example");
	cr_assert_str_eq(dst.sortlist, "130.155.160.0/255.255.240.0");
	cr_assert_str_eq(dst.options, "ndots:3 edns0");
	cr_assert_not_null(strstr(dst.key, "192.0.2.3"));
	cr_assert_not_null(strstr(dst.warnings, rs_rc_warn_name(RS_RCW_UNKNOWN_LINE)));
	cr_assert_eq(dst.n_warnings, snapshot.n_warnings);
	cr_assert_eq(dst.content_len, snapshot.content_len);
	cr_assert(memcmp(dst.content, "nameserver 192.0.2.1\n\0\x01 binary", dst.content_len) == 0);
	assert_list(dst.ns, dst.n_ns, "192.0.2.1 192.0.2.2 192.0.2.3");
	assert_list(dst.retired, dst.n_retired, "198.51.100.1");
	assert_list(dst.added, dst.n_added, "fe80::2%wlan0");
	cr_assert(dst.writer.known);
	cr_assert_eq(dst.writer.pid, 1234);
	cr_assert_eq(dst.writer.starttime, 99);
	cr_assert_eq(dst.writer.uid, 0);
	cr_assert_eq(dst.writer.auid, 1000);
	cr_assert_str_eq(dst.writer.comm, "NetworkManager");
	cr_assert_str_eq(dst.writer.exe, "/usr/sbin/NetworkManager");
	cr_assert(memcmp(&dst.id, &snapshot.id, sizeof(dst.id)) == 0);
	rs_generation_clear(&dst);
}

Test(generation, copy_keeps_null_strings_null)
{
	struct rs_generation src, dst;

	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.number = 3;
	src.path = strdup("/etc/resolv.conf");
	cr_assert_eq(rs_generation_copy(&dst, &src), 0);
	cr_assert_str_eq(dst.path, "/etc/resolv.conf");
	cr_assert_null(dst.target);
	cr_assert_null(dst.content);
	cr_assert_null(dst.writer.comm);
	cr_assert_eq(dst.number, 3);
	rs_generation_clear(&src);
	rs_generation_clear(&dst);
}

Test(generation, clear_resets_and_accepts_null)
{
	struct rs_generation g;

	fill_full(&g);
	rs_generation_clear(&g);
	cr_assert_null(g.path);
	cr_assert_null(g.content);
	cr_assert_eq(g.n_ns, 0);
	cr_assert_not(g.writer.known);
	cr_assert_eq(g.writer.uid, -1);
	cr_assert_eq(g.writer.auid, -1);
	rs_generation_clear(&g);
	rs_generation_clear(NULL);
	rs_writer_clear(NULL);
}
