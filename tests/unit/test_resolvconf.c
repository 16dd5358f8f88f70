/* rs_resolvconf_parse() and friends: glibc 2.36's reading of resolv.conf,
 * edge cases and hostile input. Expected values were checked against the real
 * res_init() (tests/integration/glibc_differential.sh runs the same fixtures). */
#include <arpa/inet.h>
#include <stdint.h>
#include <sys/socket.h>

#include "resolvstale/resolvconf.h"
#include "testutil.h"

/* Each Criterion test runs in its own process: one parse result per test. */
static struct rs_resolvconf rc, rc2;

static void parse_str(struct rs_resolvconf *out, const char *s)
{
	rs_resolvconf_parse(s, strlen(s), out);
}

static void parse_fixture(struct rs_resolvconf *out, const char *name)
{
	char rel[256];
	size_t len;
	char *buf;

	snprintf(rel, sizeof(rel), "resolvconf/%s", name);
	buf = rs_test_fixture(rel, &len);
	rs_resolvconf_parse(buf, len, out);
	free(buf);
}

/* Warnings of CODE among those kept. */
static unsigned count_warn(const struct rs_resolvconf *r, enum rs_rc_warn_code code)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->n_warnings && i < RS_RC_MAX_WARNINGS; i++)
		if (r->warnings[i].code == code)
			n++;
	return n;
}

static const struct rs_rc_warning *find_warn(const struct rs_resolvconf *r,
					     enum rs_rc_warn_code code, unsigned line)
{
	for (unsigned i = 0; i < r->n_warnings && i < RS_RC_MAX_WARNINGS; i++)
		if (r->warnings[i].code == code && r->warnings[i].line == line)
			return &r->warnings[i];
	return NULL;
}

#define assert_warn(r, code, line)                                                                 \
	cr_assert_not_null(find_warn((r), (code), (line)), "no %s warning on line %u",             \
			   rs_rc_warn_name(code), (unsigned)(line))

/* Text of nameserver i; rotates over 4 buffers so that a few fit in one
 * assertion. */
static const char *ns_text(const struct rs_resolvconf *r, size_t i)
{
	static char bufs[4][RS_ADDR_STRLEN];
	static unsigned next;
	char *b = bufs[next++ % 4];

	cr_assert_lt(i, r->n_ns, "no nameserver %zu (n_ns %zu)", i, r->n_ns);
	return rs_addr_format(&r->ns[i].addr, b, RS_ADDR_STRLEN);
}

static char *key_of(const struct rs_resolvconf *r)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char *s;

	rs_resolvconf_key(r, &sb);
	cr_assert(!rs_sbuf_failed(&sb));
	s = strdup(rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
	cr_assert_not_null(s);
	return s;
}

static char *options_of(const struct rs_resolvconf *r)
{
	struct rs_sbuf sb = RS_SBUF_INIT;
	char *s;

	rs_resolvconf_options(r, &sb);
	s = strdup(rs_sbuf_str(&sb));
	rs_sbuf_free(&sb);
	cr_assert_not_null(s);
	return s;
}

static void assert_options(const struct rs_resolvconf *r, const char *expected)
{
	char *s = options_of(r);

	cr_assert_str_eq(s, expected);
	free(s);
}

static void assert_keys_equal(const char *a, const char *b, bool equal)
{
	char *ka, *kb;

	parse_str(&rc, a);
	parse_str(&rc2, b);
	ka = key_of(&rc);
	kb = key_of(&rc2);
	if (equal)
		cr_assert_str_eq(ka, kb);
	else
		cr_assert_str_neq(ka, kb);
	free(ka);
	free(kb);
}

/* What must hold for any input, however hostile. */
static void check_invariants(const struct rs_resolvconf *r)
{
	struct rs_addr eff[RS_RC_MAXNS];
	size_t n = rs_resolvconf_effective(r, eff);
	unsigned kept = r->n_warnings < RS_RC_MAX_WARNINGS ? r->n_warnings : RS_RC_MAX_WARNINGS;

	cr_assert_leq(r->n_ns, RS_RC_MAX_NS_KEPT);
	cr_assert(n >= 1 && n <= RS_RC_MAXNS, "effective count %zu", n);
	cr_assert_leq(r->n_search, RS_RC_MAX_SEARCH);
	cr_assert_leq(r->n_sortlist, RS_RC_MAX_SORTLIST);
	cr_assert_leq(r->n_unknown, RS_RC_MAX_UNKNOWN);
	for (unsigned i = 0; i < kept; i++) {
		cr_assert_not_null(
			memchr(r->warnings[i].detail, '\0', sizeof(r->warnings[i].detail)));
		cr_assert_str_neq(rs_rc_warn_name(r->warnings[i].code), "unknown");
		cr_assert_leq(r->warnings[i].line, r->n_lines);
	}
	for (size_t i = 0; i < r->n_search; i++)
		cr_assert_not_null(memchr(r->search[i], '\0', sizeof(r->search[i])));
	for (size_t i = 1; i < r->n_unknown; i++)
		cr_assert_lt(strcmp(r->unknown[i - 1], r->unknown[i]), 0,
			     "unknown options unsorted");
	for (size_t i = 0; i < r->n_ns; i++)
		cr_assert(r->ns[i].addr.family == AF_INET || r->ns[i].addr.family == AF_INET6);
}

/* --- typical files --------------------------------------------------------- */

Test(resolvconf, debian_typical)
{
	parse_fixture(&rc, "debian-typical.conf");
	cr_assert_eq(rc.n_ns, 2);
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.53");
	cr_assert_str_eq(ns_text(&rc, 1), "198.51.100.53");
	cr_assert_eq(rc.ns[0].line, 4);
	cr_assert_eq(rc.ns[1].line, 5);
	cr_assert(!rc.ns[0].ignored && !rc.ns[1].ignored);
	cr_assert_eq(rc.n_search, 2, "the search line after domain wins");
	cr_assert_str_eq(rc.search[0], "corp.example.org");
	cr_assert_str_eq(rc.search[1], "example.org");
	cr_assert(!rc.search_from_domain);
	cr_assert_eq(rc.n_lines, 5);
	cr_assert_eq(rc.n_warnings, 0);
	cr_assert(!rs_resolvconf_uses_default(&rc));
}

Test(resolvconf, systemd_resolved_stub)
{
	parse_fixture(&rc, "systemd-resolved-stub.conf");
	cr_assert_eq(rc.n_ns, 1);
	cr_assert_str_eq(ns_text(&rc, 0), "127.0.0.53");
	cr_assert_eq(rc.ns[0].line, 21);
	cr_assert_eq(rc.flags, RS_RCO_EDNS0 | RS_RCO_TRUST_AD);
	cr_assert_eq(rc.n_search, 1);
	cr_assert_str_eq(rc.search[0], ".");
	cr_assert(!rc.ndots_set && rc.ndots == RS_RC_DEFAULT_NDOTS);
	cr_assert_eq(rc.timeout, RS_RC_DEFAULT_TIMEOUT);
	cr_assert_eq(rc.attempts, RS_RC_DEFAULT_ATTEMPTS);
	cr_assert_eq(rc.n_warnings, 0);
	assert_options(&rc, "edns0 trust-ad");
}

Test(resolvconf, kubernetes_pod)
{
	parse_fixture(&rc, "k8s-pod.conf");
	cr_assert_str_eq(ns_text(&rc, 0), "10.96.0.10");
	cr_assert(rc.ndots_set);
	cr_assert_eq(rc.ndots, 5);
	cr_assert_eq(rc.n_search, 6);
	cr_assert_str_eq(rc.search[0], "default.svc.cluster.local");
	cr_assert_str_eq(rc.search[5], "lab.example.com");
	cr_assert_eq(rc.n_warnings, 0);
	assert_options(&rc, "ndots:5");
}

Test(resolvconf, no_final_newline)
{
	parse_fixture(&rc, "no-final-newline.conf");
	cr_assert_eq(rc.n_lines, 3);
	cr_assert_eq(rc.n_ns, 2);
	cr_assert_str_eq(ns_text(&rc, 1), "192.0.2.2");
	cr_assert_eq(rc.ns[1].line, 3);
	cr_assert_eq(rc.n_warnings, 0);
}

Test(resolvconf, tabs_separate_like_spaces)
{
	parse_fixture(&rc, "tabs.conf");
	cr_assert_eq(rc.n_ns, 2);
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.1");
	cr_assert_str_eq(ns_text(&rc, 1), "192.0.2.2");
	cr_assert_eq(rc.n_search, 2);
	cr_assert_str_eq(rc.search[1], "lab.example.com");
	cr_assert_eq(rc.ndots, 2);
	cr_assert_eq(rc.flags, RS_RCO_ROTATE);
	cr_assert_eq(rc.n_warnings, 1);
	assert_warn(&rc, RS_RCW_TRAILING_TEXT, 1);
}

Test(resolvconf, comments_hash_and_semicolon)
{
	const struct rs_rc_warning *w;

	parse_fixture(&rc, "comments.conf");
	cr_assert_eq(rc.n_ns, 1, "commented-out nameservers are not read");
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.1");
	cr_assert_eq(rc.ns[0].line, 5);
	w = find_warn(&rc, RS_RCW_TRAILING_TEXT, 5);
	cr_assert_not_null(w);
	cr_assert_not_null(strstr(w->detail, "# not a comment"));
	assert_warn(&rc, RS_RCW_UNKNOWN_LINE, 6);
	/* Only a '#' or ';' in column 1 starts a comment: in a search line they
	 * are domains like any other word. */
	cr_assert_eq(rc.n_search, 11);
	cr_assert_str_eq(rc.search[0], "example.com");
	cr_assert_str_eq(rc.search[1], ";");
	cr_assert_str_eq(rc.search[3], "';'");
	cr_assert_eq(rc.n_warnings, 2);
}

Test(resolvconf, leading_whitespace_hides_keywords)
{
	parse_fixture(&rc, "leading-space.conf");
	cr_assert_eq(rc.n_ns, 1);
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.1");
	cr_assert_eq(rc.n_search, 0);
	cr_assert_eq(rc.flags, 0);
	assert_warn(&rc, RS_RCW_LEADING_SPACE, 1);
	assert_warn(&rc, RS_RCW_LEADING_SPACE, 2);
	assert_warn(&rc, RS_RCW_LEADING_SPACE, 4);
	cr_assert_eq(rc.n_warnings, 3);
}

Test(resolvconf, keyword_needs_space_or_tab)
{
	parse_str(&rc, "nameserver\n"
		       "nameserver:192.0.2.1\n"
		       "NAMESERVER 192.0.2.2\n"
		       "nameserver\v192.0.2.3\n"
		       "nameserverx 192.0.2.4\n"
		       "nameserver\t192.0.2.5\n");
	cr_assert_eq(rc.n_ns, 1);
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.5");
	assert_warn(&rc, RS_RCW_MISSING_VALUE, 1);
	for (unsigned l = 2; l <= 5; l++)
		assert_warn(&rc, RS_RCW_UNKNOWN_LINE, l);
}

Test(resolvconf, unknown_line_detail_keeps_raw_bytes)
{
	const struct rs_rc_warning *w;

	/* Details carry the file's bytes; renderers escape them once. */
	parse_str(&rc, "nameserver 192.0.2.1\nfoo\x01\\bar\n");
	w = find_warn(&rc, RS_RCW_UNKNOWN_LINE, 2);
	cr_assert_not_null(w);
	cr_assert_str_eq(w->detail, "line ignored by glibc: foo\x01\\bar");
}

/* --- nameservers ----------------------------------------------------------- */

Test(resolvconf, more_than_three_nameservers)
{
	struct rs_addr eff[RS_RC_MAXNS];

	parse_fixture(&rc, "many-nameservers.conf");
	cr_assert_eq(rc.n_ns, 5, "all valid entries are kept");
	cr_assert(!rc.ns[2].ignored);
	cr_assert(rc.ns[3].ignored && rc.ns[4].ignored);
	cr_assert_eq(rs_resolvconf_effective(&rc, eff), 3);
	cr_assert_eq(eff[2].family, AF_INET6, "the third is the IPv6 one");
	assert_warn(&rc, RS_RCW_NS_IGNORED, 4);
	assert_warn(&rc, RS_RCW_NS_IGNORED, 5);
	cr_assert_eq(rc.n_warnings, 2);
}

Test(resolvconf, invalid_addresses_are_skipped)
{
	parse_fixture(&rc, "invalid-addresses.conf");
	cr_assert_eq(rc.n_ns, 2);
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.7");
	cr_assert_eq(rc.ns[0].line, 9);
	cr_assert_str_eq(ns_text(&rc, 1), "192.0.2.9");
	for (unsigned l = 1; l <= 6; l++)
		assert_warn(&rc, RS_RCW_BAD_ADDRESS, l);
	assert_warn(&rc, RS_RCW_MISSING_VALUE, 7);
	assert_warn(&rc, RS_RCW_MISSING_VALUE, 8);
	assert_warn(&rc, RS_RCW_TRAILING_TEXT, 9);
	assert_warn(&rc, RS_RCW_BAD_ADDRESS, 10);
	cr_assert_eq(rc.n_warnings, 10);
	cr_assert_str_eq(find_warn(&rc, RS_RCW_BAD_ADDRESS, 3)->detail,
			 "not an address glibc accepts: ns1.example.com");
}

Test(resolvconf, inet_aton_shorthand)
{
	parse_fixture(&rc, "inet-aton-shorthand.conf");
	cr_assert_eq(rc.n_ns, 4);
	cr_assert_str_eq(ns_text(&rc, 0), "127.0.0.1", "127.1");
	cr_assert_str_eq(ns_text(&rc, 1), "127.0.0.1", "0x7f.0.0.1");
	cr_assert_str_eq(ns_text(&rc, 2), "127.0.0.1", "octal 017700000001");
	cr_assert_str_eq(ns_text(&rc, 3), "10.0.1.2", "10.258");
	cr_assert(rc.ns[3].ignored);
}

Test(resolvconf, address_forms_edge_table)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: glibc skips it */
	} cases[] = {
		{"0", "0.0.0.0"},
		{"4294967295", "255.255.255.255"},
		{"0xffffffff", "255.255.255.255"},
		{"1.2.3.04", "1.2.3.4"},
		{"1.2.3.08", NULL},
		{"1.2.3.4.", NULL},
		{"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
		{"::", "::"},
		{"1::2::3", NULL},
		{"[::1]", NULL},
		{"192.0.2.1\r", NULL},
		{"192.0.2.1\v", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[128];
		snprintf(line, sizeof(line), "nameserver %s\n", cases[i].in);
		parse_str(&rc, line);
		if (cases[i].out == NULL) {
			cr_assert_eq(rc.n_ns, 0, "'%s' must be skipped", cases[i].in);
		} else {
			cr_assert_eq(rc.n_ns, 1, "'%s' must be read", cases[i].in);
			cr_assert_str_eq(ns_text(&rc, 0), cases[i].out, "'%s'", cases[i].in);
		}
	}
}

Test(resolvconf, ipv6_with_scope)
{
	parse_fixture(&rc, "ipv6-scope.conf");
	cr_assert_eq(rc.n_ns, 3);
	cr_assert_str_eq(ns_text(&rc, 0), "2001:db8::53");
	cr_assert_str_eq(ns_text(&rc, 1), "fe80::1%lo");
	cr_assert_str_eq(rc.ns[1].addr.scope, "lo");
	cr_assert_str_eq(ns_text(&rc, 2), "fe80::2%2");
	cr_assert_eq(rc.n_warnings, 0);
}

Test(resolvconf, scope_name_on_global_address_is_dropped)
{
	parse_fixture(&rc, "ipv6-global-scope.conf");
	cr_assert_eq(rc.n_ns, 3);
	cr_assert_str_eq(ns_text(&rc, 0), "2001:db8::1",
			 "glibc ignores a name on a global address");
	assert_warn(&rc, RS_RCW_BAD_SCOPE, 2);
	cr_assert_str_eq(ns_text(&rc, 1), "2001:db8::2%7", "a number counts on any address");
	cr_assert_str_eq(ns_text(&rc, 2), "fe80::3", "an empty scope is no scope");
	assert_warn(&rc, RS_RCW_BAD_SCOPE, 6);
}

Test(resolvconf, long_numeric_scope_is_canonical)
{
	parse_str(&rc, "nameserver fe80::1%0000000000000000001\n"
		       "nameserver ff02::1%99999999999999999999\n"
		       "nameserver 2001:db8::1%4294967296\n");
	cr_assert_eq(rc.n_ns, 3);
	cr_assert_str_eq(ns_text(&rc, 0), "fe80::1%1", "glibc reads the number, leading zeros too");
	cr_assert_str_eq(ns_text(&rc, 1), "ff02::1", "too long for a name, too big for a number");
	cr_assert_str_eq(ns_text(&rc, 2), "2001:db8::1", "beyond UINT32_MAX: scope id 0");
	assert_warn(&rc, RS_RCW_BAD_SCOPE, 2);
	assert_warn(&rc, RS_RCW_BAD_SCOPE, 3);
}

Test(resolvconf, ipv4_with_scope_is_invalid)
{
	parse_str(&rc, "nameserver 192.0.2.1%eth0\n");
	cr_assert_eq(rc.n_ns, 0);
	assert_warn(&rc, RS_RCW_BAD_ADDRESS, 1);
}

Test(resolvconf, default_nameserver_when_none)
{
	struct rs_addr eff[RS_RC_MAXNS];
	char text[RS_ADDR_STRLEN];
	char *key;

	parse_fixture(&rc, "empty.conf");
	cr_assert_eq(rc.n_lines, 0);
	cr_assert(rs_resolvconf_uses_default(&rc));
	cr_assert_eq(rs_resolvconf_effective(&rc, eff), 1);
	cr_assert_str_eq(rs_addr_format(&eff[0], text, sizeof(text)), "127.0.0.1");
	cr_assert_eq(rc.n_warnings, 1);
	assert_warn(&rc, RS_RCW_NO_NAMESERVER, 0);
	key = key_of(&rc);
	cr_assert_str_eq(key, "nameservers (default) 127.0.0.1\nsearch\nsortlist\noptions \n");
	free(key);

	parse_fixture(&rc, "comments-only.conf");
	cr_assert_eq(rc.n_lines, 4);
	cr_assert(rs_resolvconf_uses_default(&rc));
	cr_assert_eq(rc.n_warnings, 1);
}

Test(resolvconf, null_buffer_is_an_empty_file)
{
	rs_resolvconf_parse(NULL, 12345, &rc);
	cr_assert_eq(rc.n_lines, 0);
	cr_assert(rs_resolvconf_uses_default(&rc));
	assert_warn(&rc, RS_RCW_NO_NAMESERVER, 0);
}

/* --- CRLF, NUL, sizes ------------------------------------------------------- */

Test(resolvconf, crlf_file_has_no_nameserver)
{
	parse_fixture(&rc, "crlf.conf");
	/* glibc: "192.0.2.1\r" is neither an inet_aton nor an IPv6 address. */
	cr_assert_eq(rc.n_ns, 0);
	cr_assert(rs_resolvconf_uses_default(&rc));
	assert_warn(&rc, RS_RCW_CARRIAGE_RETURN, 2);
	assert_warn(&rc, RS_RCW_CARRIAGE_RETURN, 3);
	/* ... but the search domain keeps its CR, and "rotate\r" is rotate. */
	cr_assert_eq(rc.n_search, 1);
	cr_assert_str_eq(rc.search[0], "example.com\r");
	assert_warn(&rc, RS_RCW_CARRIAGE_RETURN, 1);
	cr_assert_eq(rc.flags, RS_RCO_ROTATE);
	assert_warn(&rc, RS_RCW_OPTION_PREFIX, 4);
	assert_warn(&rc, RS_RCW_NO_NAMESERVER, 0);
	cr_assert_eq(rc.n_warnings, 5);
}

Test(resolvconf, crlf_domain_and_lone_cr)
{
	parse_str(&rc, "nameserver 192.0.2.1\ndomain example.com\r\n");
	cr_assert_str_eq(rc.search[0], "example.com\r");
	cr_assert(rc.search_from_domain);
	parse_str(&rc, "nameserver 192.0.2.1\r\n\r\n");
	cr_assert_eq(rc.n_ns, 0, "nameserver with CR");
	cr_assert_eq(count_warn(&rc, RS_RCW_UNKNOWN_LINE), 0, "a lone CR is a blank line");
}

Test(resolvconf, nul_bytes_end_lines)
{
	parse_fixture(&rc, "nul-bytes.conf");
	cr_assert_eq(rc.n_ns, 2);
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.1");
	cr_assert_str_eq(ns_text(&rc, 1), "192.0.2.2");
	cr_assert_eq(rc.n_search, 1);
	cr_assert_str_eq(rc.search[0], "a.example");
	assert_warn(&rc, RS_RCW_NUL_BYTE, 1);
	assert_warn(&rc, RS_RCW_NUL_BYTE, 3);
	assert_warn(&rc, RS_RCW_NUL_BYTE, 4);
	assert_warn(&rc, RS_RCW_NUL_BYTE, 5);
	assert_warn(&rc, RS_RCW_MISSING_VALUE, 5);
	cr_assert_str_eq(find_warn(&rc, RS_RCW_NUL_BYTE, 1)->detail,
			 "NUL byte at column 21: the rest of the line is ignored");
	cr_assert_eq(rc.n_lines, 5);
}

Test(resolvconf, buffer_need_not_be_terminated)
{
	static const char text[] = "nameserver 192.0.2.1";
	/* Exactly sized heap copy: ASan reports any read past the end. */
	char *buf = malloc(sizeof(text) - 1);

	cr_assert_not_null(buf);
	memcpy(buf, text, sizeof(text) - 1);
	rs_resolvconf_parse(buf, sizeof(text) - 1, &rc);
	cr_assert_eq(rc.n_ns, 1);
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.1");
	rs_resolvconf_parse(buf, 0, &rc);
	cr_assert_eq(rc.n_ns, 0);
	free(buf);
}

Test(resolvconf, very_long_line_is_ignored)
{
	parse_fixture(&rc, "long-line.conf");
	cr_assert_eq(rc.n_ns, 1);
	cr_assert_str_eq(ns_text(&rc, 0), "192.0.2.1");
	assert_warn(&rc, RS_RCW_LINE_TOO_LONG, 2);
	assert_warn(&rc, RS_RCW_LINE_TOO_LONG, 4);
	cr_assert_eq(rc.n_search, 1, "lines after a long one are read");
	cr_assert_eq(rc.n_lines, 4);
}

Test(resolvconf, line_length_limit_is_exact)
{
	char buf[RS_RC_MAX_LINE + 32];
	size_t head = strlen("nameserver 192.0.2.1 ");

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "nameserver 192.0.2.1 ", head);
	buf[RS_RC_MAX_LINE] = '\n';
	rs_resolvconf_parse(buf, RS_RC_MAX_LINE + 1, &rc);
	cr_assert_eq(rc.n_ns, 1, "a line of exactly RS_RC_MAX_LINE bytes is read");
	cr_assert_eq(count_warn(&rc, RS_RCW_LINE_TOO_LONG), 0);

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "nameserver 192.0.2.1 ", head);
	buf[RS_RC_MAX_LINE + 1] = '\n';
	rs_resolvconf_parse(buf, RS_RC_MAX_LINE + 2, &rc);
	cr_assert_eq(rc.n_ns, 0, "one byte more and it is ignored");
	assert_warn(&rc, RS_RCW_LINE_TOO_LONG, 1);
}

Test(resolvconf, one_mebibyte_file_reads_first_64k)
{
	size_t size = 1024 * 1024, pos = 0, lines = 0;
	bool late_done = false;
	char *buf = malloc(size);
	static const char first[] = "nameserver 192.0.2.1\n";
	static const char late[] = "nameserver 192.0.2.2\n";

	cr_assert_not_null(buf);
	memcpy(buf, first, sizeof(first) - 1);
	pos = sizeof(first) - 1;
	lines = 1;
	/* 100-byte comment lines, a nameserver beyond the cap, more comments. */
	while (pos + 100 <= size) {
		if (pos > 70000 && !late_done) {
			memcpy(buf + pos, late, sizeof(late) - 1);
			pos += sizeof(late) - 1;
			late_done = true;
			continue;
		}
		buf[pos] = '#';
		memset(buf + pos + 1, 'c', 98);
		buf[pos + 99] = '\n';
		pos += 100;
		if (pos <= RS_RC_MAX_FILE)
			lines++;
	}
	memset(buf + pos, 'z', size - pos);
	rs_resolvconf_parse(buf, size, &rc);
	cr_assert(rc.truncated);
	assert_warn(&rc, RS_RCW_FILE_TOO_LARGE, 0);
	cr_assert_eq(rc.warnings[0].code, RS_RCW_FILE_TOO_LARGE);
	cr_assert_eq(rc.n_ns, 1, "the nameserver after 64 KiB is not read");
	cr_assert_eq(rc.n_lines, lines, "the line cut by the cap is not counted");
	cr_assert_eq(rc.n_warnings, 1);
	free(buf);
}

Test(resolvconf, ten_thousand_nameservers)
{
	size_t cap = 10000 * 24, len = 0, in_cap = 0;
	char *buf = malloc(cap);

	cr_assert_not_null(buf);
	for (unsigned i = 0; i < 10000; i++) {
		int n = snprintf(buf + len, cap - len, "nameserver 10.%u.%u.%u\n", i / 65536,
				 (i / 256) % 256, i % 256);
		len += (size_t)n;
		if (len <= RS_RC_MAX_FILE)
			in_cap++; /* complete lines inside the parsed part */
	}
	cr_assert_gt(len, RS_RC_MAX_FILE, "10k lines do not fit in the 64 KiB cap");
	rs_resolvconf_parse(buf, len, &rc);
	cr_assert_eq(rc.n_lines, in_cap);
	cr_assert_eq(rc.n_ns, RS_RC_MAX_NS_KEPT);
	cr_assert_eq(rc.n_ns_dropped, in_cap - RS_RC_MAX_NS_KEPT);
	cr_assert_str_eq(ns_text(&rc, 0), "10.0.0.0");
	cr_assert_str_eq(ns_text(&rc, 15), "10.0.0.15");
	cr_assert(!rc.ns[2].ignored && rc.ns[3].ignored && rc.ns[15].ignored);
	{
		struct rs_addr eff[RS_RC_MAXNS];
		cr_assert_eq(rs_resolvconf_effective(&rc, eff), 3);
	}
	/* file-too-large, one nameserver-ignored per valid entry after the
	 * third, one too-many-nameservers. */
	cr_assert_eq(rc.n_warnings, 1 + (in_cap - 3) + 1);
	assert_warn(&rc, RS_RCW_TOO_MANY_NS, 17);
	cr_assert_eq(count_warn(&rc, RS_RCW_TOO_MANY_NS), 1);
	cr_assert_eq(count_warn(&rc, RS_RCW_NS_IGNORED), RS_RC_MAX_WARNINGS - 2);
	check_invariants(&rc);
	free(buf);
}

Test(resolvconf, seventeen_nameservers_warn_once)
{
	char buf[2048];
	size_t len = 0;

	for (unsigned i = 1; i <= 20; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "nameserver 192.0.2.%u\n", i);
	rs_resolvconf_parse(buf, len, &rc);
	cr_assert_eq(rc.n_ns, 16);
	cr_assert_eq(rc.n_ns_dropped, 4);
	cr_assert_eq(count_warn(&rc, RS_RCW_TOO_MANY_NS), 1);
	assert_warn(&rc, RS_RCW_TOO_MANY_NS, 17);
	cr_assert_eq(count_warn(&rc, RS_RCW_NS_IGNORED), 17);
	cr_assert(!rs_resolvconf_uses_default(&rc));
}

Test(resolvconf, warning_cap_counts_all)
{
	char buf[4096];
	size_t len = 0;

	for (unsigned i = 0; i < 100; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "bogus line %u\n", i);
	rs_resolvconf_parse(buf, len, &rc);
	cr_assert_eq(rc.n_warnings, 101, "100 unknown lines and no-nameserver");
	cr_assert_eq(count_warn(&rc, RS_RCW_UNKNOWN_LINE), RS_RC_MAX_WARNINGS);
	cr_assert_eq(rc.warnings[RS_RC_MAX_WARNINGS - 1].line, RS_RC_MAX_WARNINGS);
	cr_assert_eq(count_warn(&rc, RS_RCW_NO_NAMESERVER), 0, "the 101st is only counted");
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

Test(resolvconf, binary_garbage_from_fixed_seed)
{
	static const char *const pieces[] = {"nameserver ", "search ", "domain ", "options ",
					     "sortlist ",   "ndots:",  "\r",      "\n",
					     "%",           "/"};
	uint64_t seed = 0x5eed5eed12345678ull;
	unsigned long total_warnings = 0;
	char *buf = malloc(8192);

	cr_assert_not_null(buf);
	for (unsigned iter = 0; iter < 500; iter++) {
		size_t len = xorshift(&seed) % 8192;
		for (size_t i = 0; i < len; i++) {
			uint64_t r = xorshift(&seed);
			if (r % 16 == 0) {
				/* Sprinkle keywords so that every branch sees garbage. */
				const char *p =
					pieces[(r >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
				size_t pl = strlen(p);
				if (i + pl <= len) {
					memcpy(buf + i, p, pl);
					i += pl - 1;
					continue;
				}
			}
			buf[i] = (char)(r >> 24);
		}
		rs_resolvconf_parse(buf, len, &rc);
		check_invariants(&rc);
		free(key_of(&rc));
		total_warnings += rc.n_warnings;
	}
	cr_assert_gt(total_warnings, 500, "garbage must be reported");
	free(buf);
}

Test(resolvconf, binary_garbage_fixture)
{
	parse_fixture(&rc, "binary-garbage.conf");
	check_invariants(&rc);
	cr_assert_eq(rc.n_ns, 0);
	cr_assert_eq(rc.n_lines, 15);
	cr_assert_eq(rc.n_warnings, 18);
	cr_assert_eq(count_warn(&rc, RS_RCW_UNKNOWN_LINE), 15);
	cr_assert_eq(count_warn(&rc, RS_RCW_NUL_BYTE), 2);
	assert_warn(&rc, RS_RCW_NO_NAMESERVER, 0);
}

/* --- search and domain ------------------------------------------------------- */

Test(resolvconf, search_after_domain_wins)
{
	parse_fixture(&rc, "search-last.conf");
	cr_assert_eq(rc.n_search, 2);
	cr_assert_str_eq(rc.search[0], "second.example");
	cr_assert_str_eq(rc.search[1], "third.example");
	cr_assert(!rc.search_from_domain);
}

Test(resolvconf, domain_after_search_wins)
{
	parse_fixture(&rc, "domain-last.conf");
	cr_assert_eq(rc.n_search, 1, "domain takes one name; the rest of its line is ignored");
	cr_assert_str_eq(rc.search[0], "third.example");
	cr_assert(rc.search_from_domain);
}

Test(resolvconf, empty_search_keeps_previous)
{
	parse_fixture(&rc, "search-empty-keeps.conf");
	cr_assert_eq(rc.n_search, 1);
	cr_assert_str_eq(rc.search[0], "kept.example");
	assert_warn(&rc, RS_RCW_MISSING_VALUE, 3);
	assert_warn(&rc, RS_RCW_MISSING_VALUE, 4);
}

Test(resolvconf, search_caps)
{
	char buf[4096];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "nameserver 192.0.2.1\nsearch");

	for (unsigned i = 0; i < 40; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " d%u.example", i);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\n");
	rs_resolvconf_parse(buf, len, &rc);
	cr_assert_eq(rc.n_search, RS_RC_MAX_SEARCH);
	cr_assert_str_eq(rc.search[31], "d31.example");
	cr_assert_eq(count_warn(&rc, RS_RCW_TOO_MANY_SEARCH), 8);
	assert_warn(&rc, RS_RCW_TOO_MANY_SEARCH, 2);
}

Test(resolvconf, search_domain_too_long_is_skipped)
{
	char buf[1024];
	char longname[RS_RC_MAX_DOMAIN + 1];

	memset(longname, 'l', RS_RC_MAX_DOMAIN);
	longname[RS_RC_MAX_DOMAIN] = '\0';
	/* 70 bytes before the long one: glibc truncates its _res copy there
	 * but does not abort. */
	snprintf(buf, sizeof(buf),
		 "search aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa %s "
		 "b\n",
		 longname);
	parse_str(&rc, buf);
	cr_assert_eq(rc.n_search, 2);
	cr_assert_str_eq(rc.search[1], "b");
	assert_warn(&rc, RS_RCW_DOMAIN_TOO_LONG, 1);
	cr_assert_eq(rc.search_abort_line, 0);
	cr_assert_eq(count_warn(&rc, RS_RCW_SEARCH_ABORT), 0);
}

/* glibc 2.36 fails an assertion in update_from_conf() and aborts: checked
 * against the real res_init() by glibc_differential.sh. */
Test(resolvconf, search_list_that_aborts_glibc)
{
	char name255[256], name256[257], buf[1024];
	const struct rs_rc_warning *w;

	memset(name255, 'd', 255);
	name255[255] = '\0';
	memset(name256, 'd', 256);
	name256[256] = '\0';

	snprintf(buf, sizeof(buf), "nameserver 192.0.2.1\ndomain %s\n", name256);
	parse_str(&rc, buf);
	cr_assert_eq(rc.search_abort_line, 2);
	w = find_warn(&rc, RS_RCW_SEARCH_ABORT, 2);
	cr_assert_not_null(w);
	cr_assert_not_null(strstr(w->detail, "aborts"));
	assert_warn(&rc, RS_RCW_DOMAIN_TOO_LONG, 2);

	snprintf(buf, sizeof(buf), "nameserver 192.0.2.1\nsearch a %s\n", name255);
	parse_str(&rc, buf);
	assert_warn(&rc, RS_RCW_SEARCH_ABORT, 2);

	/* 55 + 1 bytes before the long one: still within sizeof(_res.dnsrch). */
	snprintf(buf, sizeof(buf), "search %.55s %s\n", name255, name255);
	parse_str(&rc, buf);
	assert_warn(&rc, RS_RCW_SEARCH_ABORT, 1);

	/* 56 + 1 bytes: glibc truncates and goes on. */
	snprintf(buf, sizeof(buf), "search %.56s %s\n", name255, name255);
	parse_str(&rc, buf);
	cr_assert_eq(rc.search_abort_line, 0);

	snprintf(buf, sizeof(buf), "domain %s\n", name255);
	parse_str(&rc, buf);
	cr_assert_eq(rc.search_abort_line, 0, "255 bytes and the NUL fit");

	/* Only the search list in effect counts. */
	snprintf(buf, sizeof(buf), "domain %s\nsearch ok.example\n", name256);
	parse_str(&rc, buf);
	cr_assert_eq(rc.search_abort_line, 0);
	cr_assert_eq(count_warn(&rc, RS_RCW_SEARCH_ABORT), 0);
}

/* --- sortlist ---------------------------------------------------------------- */

Test(resolvconf, sortlist_as_glibc_reads_it)
{
	parse_fixture(&rc, "sortlist.conf");
	cr_assert_eq(rc.n_sortlist, 5, "sortlist lines add up; ';' ends a line's list");
	cr_assert_str_eq(rc.sortlist[0], "130.155.160.0/255.255.240.0");
	cr_assert_str_eq(rc.sortlist[1], "130.155.0.0/255.255.0.0", "class B default mask");
	cr_assert_str_eq(rc.sortlist[2], "10.0.0.0/0.0.0.8", "'/8' is an address, not a length");
	cr_assert_str_eq(rc.sortlist[3], "192.168.1.1/255.255.255.0", "'&' separates a mask too");
	cr_assert_str_eq(rc.sortlist[4], "172.16.0.1/255.255.0.0");
	assert_warn(&rc, RS_RCW_BAD_SORTLIST, 3);
	cr_assert_eq(rc.n_warnings, 1);
}

Test(resolvconf, sortlist_lines_that_hang_glibc)
{
	static const struct {
		const char *text;
		size_t entries;
	} cases[] = {
		{"sortlist 10.0.0.0\r\n", 1},             /* CRLF file */
		{"sortlist bogus/255.0.0.0\n", 0},        /* '/' after a bad address */
		{"sortlist 10.0.0.0/255.0.0.0\x80\n", 1}, /* byte >= 0x80 */
		{"sortlist /8\n", 0},                     /* '/' first */
		{"sortlist 1.2.3.4 \v5.6.7.8\n", 1},      /* VT */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse_str(&rc, cases[i].text);
		cr_assert_not_null(find_warn(&rc, RS_RCW_SORTLIST_HANG, 1), "case %zu", i);
		cr_assert_eq(rc.n_sortlist, cases[i].entries, "case %zu", i);
		check_invariants(&rc);
	}
	parse_str(&rc, "sortlist 10.0.0.0/8 bogus 1.2.3.4&255.255.0.0;x/y\n");
	cr_assert_eq(count_warn(&rc, RS_RCW_SORTLIST_HANG), 0, "control: same forms, no trigger");
	cr_assert_eq(rc.n_sortlist, 2);
}

Test(resolvconf, sortlist_keeps_ten)
{
	parse_str(&rc, "sortlist 1.0.0.1 1.0.0.2 1.0.0.3 1.0.0.4 1.0.0.5 1.0.0.6\n"
		       "sortlist 1.0.0.7 1.0.0.8 1.0.0.9 1.0.0.10 1.0.0.11 1.0.0.12\n");
	cr_assert_eq(rc.n_sortlist, RS_RC_MAX_SORTLIST);
	cr_assert_str_eq(rc.sortlist[9], "1.0.0.10/255.0.0.0");
	cr_assert_eq(count_warn(&rc, RS_RCW_BAD_SORTLIST), 2);
}

/* --- options ----------------------------------------------------------------- */

Test(resolvconf, option_prefix_matching)
{
	const struct rs_rc_warning *w;

	parse_fixture(&rc, "options-prefix.conf");
	cr_assert_eq(rc.flags, RS_RCO_ROTATE | RS_RCO_EDNS0 | RS_RCO_SINGLE_REQUEST_REOPEN |
				       RS_RCO_SINGLE_REQUEST | RS_RCO_NO_TLD_QUERY |
				       RS_RCO_NO_RELOAD | RS_RCO_USE_VC | RS_RCO_TRUST_AD |
				       RS_RCO_NO_AAAA);
	w = find_warn(&rc, RS_RCW_OPTION_PREFIX, 1);
	cr_assert_not_null(w);
	cr_assert_str_eq(w->detail, "option 'rotatex' is read by glibc as rotate");
	assert_warn(&rc, RS_RCW_OPTION_PREFIX, 3);
	cr_assert_eq(rc.n_unknown, 1, "'rotat' is no prefix of an option name");
	cr_assert_str_eq(rc.unknown[0], "rotat");
}

Test(resolvconf, single_request_reopen_is_not_single_request)
{
	parse_str(&rc, "options single-request-reopen\n");
	cr_assert_eq(rc.flags, RS_RCO_SINGLE_REQUEST_REOPEN);
	parse_str(&rc, "options single-request\n");
	cr_assert_eq(rc.flags, RS_RCO_SINGLE_REQUEST);
	parse_str(&rc, "options single-request-reopenx single-requestx\n");
	cr_assert_eq(rc.flags, RS_RCO_SINGLE_REQUEST_REOPEN | RS_RCO_SINGLE_REQUEST);
	cr_assert_eq(count_warn(&rc, RS_RCW_OPTION_PREFIX), 2);
	parse_str(&rc, "options single-request-reope\n");
	cr_assert_eq(rc.flags, RS_RCO_SINGLE_REQUEST, "a cut-short reopen is single-request");
}

Test(resolvconf, no_negation_in_glibc_2_36)
{
	parse_str(&rc, "options rotate -rotate\n");
	cr_assert_eq(rc.flags, RS_RCO_ROTATE);
	cr_assert_eq(rc.n_unknown, 1);
	cr_assert_str_eq(rc.unknown[0], "-rotate");
}

Test(resolvconf, numbers_out_of_range)
{
	parse_str(&rc, "options ndots:-3 timeout:99 attempts:-1\n");
	cr_assert_eq(rc.ndots, 13, "glibc keeps ndots in 4 bits");
	cr_assert_eq(rc.timeout, 30);
	cr_assert_eq(rc.attempts, -1, "negative values are not clamped");
	cr_assert(rc.ndots_set && rc.timeout_set && rc.attempts_set);
	cr_assert_eq(count_warn(&rc, RS_RCW_OUT_OF_RANGE), 3);
	cr_assert_eq(count_warn(&rc, RS_RCW_BAD_NUMBER), 0, "a sign is part of a number");
	cr_assert_str_eq(find_warn(&rc, RS_RCW_OUT_OF_RANGE, 1)->detail,
			 "ndots:-3 is read by glibc as 13");
	assert_options(&rc, "ndots:13 timeout:30 attempts:-1");

	parse_str(&rc, "options ndots:15 ndots:16 attempts:5 attempts:6 timeout:30\n");
	cr_assert_eq(rc.ndots, 15);
	cr_assert_eq(rc.attempts, 5);
	cr_assert_eq(rc.timeout, 30);
	cr_assert_eq(count_warn(&rc, RS_RCW_OUT_OF_RANGE), 2);
}

Test(resolvconf, numbers_overflow_like_atoi)
{
	parse_fixture(&rc, "options-overflow.conf");
	/* atoi("99999999999") is 1215752191 (the low 32 bits): clamped to 15. */
	cr_assert_eq(rc.ndots, 15);
	cr_assert_eq(rc.timeout, 2);
	cr_assert_eq(rc.attempts, 5);
	cr_assert_not_null(strstr(find_warn(&rc, RS_RCW_OUT_OF_RANGE, 2)->detail, "1215752191"));

	/* Beyond long: strtol gives LONG_MAX, which is -1 as an int. */
	parse_str(&rc, "options ndots:99999999999999999999 timeout:4294967297\n");
	cr_assert_eq(rc.ndots, 15);
	cr_assert_eq(rc.timeout, 1, "wraps silently in glibc; we warn");
	cr_assert_eq(count_warn(&rc, RS_RCW_OUT_OF_RANGE), 3);
}

Test(resolvconf, numbers_read_like_atoi)
{
	parse_fixture(&rc, "options-numbers.conf");
	/* The last line wins: "7x" is 7, "" is 0. */
	cr_assert_eq(rc.ndots, 7);
	cr_assert_eq(rc.timeout, 0);
	cr_assert_eq(rc.attempts, 3);
	assert_warn(&rc, RS_RCW_BAD_NUMBER, 3);
	cr_assert_eq(count_warn(&rc, RS_RCW_BAD_NUMBER), 2);

	/* atoi skips white space, even into the next option. */
	parse_str(&rc, "options ndots: 4 timeout:+2 attempts:0x3\n");
	cr_assert_eq(rc.ndots, 4);
	cr_assert_eq(rc.timeout, 2);
	cr_assert_eq(rc.attempts, 0);
	cr_assert_eq(rc.n_unknown, 1);
	cr_assert_str_eq(rc.unknown[0], "4");
}

Test(resolvconf, unknown_options_sorted_unique)
{
	parse_fixture(&rc, "options-unknown.conf");
	cr_assert_eq(rc.n_unknown, 5);
	cr_assert_str_eq(rc.unknown[0], "alpha");
	cr_assert_str_eq(rc.unknown[1], "beta");
	cr_assert_str_eq(rc.unknown[2], "debug");
	cr_assert_str_eq(rc.unknown[3], "inet6");
	cr_assert_str_eq(rc.unknown[4], "zeta");
	cr_assert_eq(count_warn(&rc, RS_RCW_UNKNOWN_OPTION), 7);
	cr_assert_not_null(strstr(find_warn(&rc, RS_RCW_UNKNOWN_OPTION, 2)->detail, "zeta"));
	assert_options(&rc, "ndots:2 alpha beta debug inet6 zeta");
}

Test(resolvconf, unknown_options_cap)
{
	char buf[1024];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "options");

	for (unsigned i = 0; i < 20; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, " u%02u", 19 - i);
	parse_str(&rc, buf);
	cr_assert_eq(rc.n_unknown, RS_RC_MAX_UNKNOWN);
	cr_assert_str_eq(rc.unknown[0], "u04", "the first 16 seen are kept, sorted");
	cr_assert_str_eq(rc.unknown[15], "u19");
	cr_assert_eq(count_warn(&rc, RS_RCW_TOO_MANY_OPTIONS), 4);
}

Test(resolvconf, options_canonical_order)
{
	parse_str(&rc, "options use-vc zz rotate aa\noptions attempts:1 timeout:3 ndots:2\n");
	assert_options(&rc, "ndots:2 timeout:3 attempts:1 rotate use-vc aa zz");
	parse_str(&rc, "nameserver 192.0.2.1\n");
	assert_options(&rc, "");
}

/* --- the key ---------------------------------------------------------------- */

Test(resolvconf, key_shape)
{
	char *key;

	parse_str(&rc, "nameserver 192.0.2.1\nnameserver fe80::1%lo\nsearch a.example b.example\n"
		       "sortlist 10.0.0.0\noptions edns0 ndots:3\n");
	key = key_of(&rc);
	cr_assert_str_eq(key, "nameservers 192.0.2.1 fe80::1%lo\n"
			      "search a.example b.example\n"
			      "sortlist 10.0.0.0/255.0.0.0\n"
			      "options ndots:3 edns0\n");
	free(key);
}

Test(resolvconf, key_ignores_option_order_and_comments)
{
	assert_keys_equal("nameserver 192.0.2.1\noptions rotate ndots:2 edns0\n",
			  "# managed by hand\n"
			  "options edns0\n"
			  "nameserver 192.0.2.1   # primary\n"
			  "; old: nameserver 192.0.2.9\n"
			  "\n"
			  "options ndots:2 rotate\n",
			  true);
	/* A CR is not cosmetic: glibc loses the nameserver. */
	assert_keys_equal("nameserver 192.0.2.1\n", "nameserver 192.0.2.1\r\n", false);
}

Test(resolvconf, key_follows_nameserver_order)
{
	assert_keys_equal("nameserver 192.0.2.1\nnameserver 192.0.2.2\n",
			  "nameserver 192.0.2.2\nnameserver 192.0.2.1\n", false);
	/* The unused 4th nameserver does not change what glibc does. */
	assert_keys_equal("nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n"
			  "nameserver 192.0.2.4\n",
			  "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n"
			  "nameserver 192.0.2.99\n",
			  true);
	/* Same address, different spelling. */
	assert_keys_equal("nameserver 127.1\n", "nameserver 127.0.0.1\n", true);
}

Test(resolvconf, key_changes_with_search_and_options)
{
	assert_keys_equal("nameserver 192.0.2.1\nsearch a.example b.example\n",
			  "nameserver 192.0.2.1\nsearch b.example a.example\n", false);
	assert_keys_equal("nameserver 192.0.2.1\noptions timeout:2\n",
			  "nameserver 192.0.2.1\noptions timeout:3\n", false);
	assert_keys_equal("nameserver 192.0.2.1\noptions foo\n", "nameserver 192.0.2.1\n", false);
	/* Default 127.0.0.1 and an explicit 127.0.0.1 are told apart. */
	assert_keys_equal("", "nameserver 127.0.0.1\n", false);
}

Test(resolvconf, parse_is_deterministic)
{
	size_t len;
	char *buf = rs_test_fixture("resolvconf/binary-garbage.conf", &len);
	char *k1, *k2;

	rs_resolvconf_parse(buf, len, &rc);
	rs_resolvconf_parse(buf, len, &rc2);
	cr_assert_eq(memcmp(&rc, &rc2, sizeof(rc)), 0);
	k1 = key_of(&rc);
	k2 = key_of(&rc2);
	cr_assert_str_eq(k1, k2);
	free(k1);
	free(k2);
	free(buf);
}

/* --- names ------------------------------------------------------------------ */

Test(resolvconf, warning_and_flag_names)
{
	for (int c = RS_RCW_FILE_TOO_LARGE; c <= RS_RCW_SEARCH_ABORT; c++) {
		const char *name = rs_rc_warn_name((enum rs_rc_warn_code)c);
		cr_assert_str_neq(name, "unknown", "code %d has no name", c);
		for (int d = RS_RCW_FILE_TOO_LARGE; d < c; d++)
			cr_assert_str_neq(name, rs_rc_warn_name((enum rs_rc_warn_code)d));
	}
	cr_assert_str_eq(rs_rc_warn_name(RS_RCW_BAD_ADDRESS), "bad-address");
	cr_assert_str_eq(rs_rc_warn_name((enum rs_rc_warn_code)0), "unknown");
	cr_assert_str_eq(rs_rc_warn_name((enum rs_rc_warn_code)999), "unknown");
	cr_assert_str_eq(rs_rc_flag_name(0), "rotate");
	cr_assert_str_eq(rs_rc_flag_name(8), "no-aaaa");
	cr_assert_null(rs_rc_flag_name(9));
}
