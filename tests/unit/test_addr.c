/* rs_addr_*: strict parsing, canonical text, comparison of DNS server addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "resolvstale/addr.h"
#include "testutil.h"

static struct rs_addr parse_ok(const char *s)
{
	struct rs_addr a;
	int r = rs_addr_parse(s, &a);

	cr_assert_eq(r, 0, "rs_addr_parse(\"%s\") = %d, expected 0", s, r);
	return a;
}

static const char *fmt(const struct rs_addr *a)
{
	static char bufs[4][RS_ADDR_STRLEN];
	static unsigned next;

	return rs_addr_format(a, bufs[next++ % 4], RS_ADDR_STRLEN);
}

Test(addr, parse_ipv4)
{
	struct rs_addr a = parse_ok("192.0.2.1");

	cr_assert_eq(a.family, AF_INET);
	cr_assert_eq(ntohl(a.u.v4.s_addr), 0xc0000201u);
	cr_assert_str_eq(a.scope, "");
	cr_assert_str_eq(fmt(&a), "192.0.2.1");
}

Test(addr, parse_ipv6_canonical_text)
{
	struct rs_addr a = parse_ok("2001:0DB8:0000:0000:0000:0000:0000:0053");

	cr_assert_eq(a.family, AF_INET6);
	cr_assert_str_eq(fmt(&a), "2001:db8::53");
	a = parse_ok("::");
	cr_assert_str_eq(fmt(&a), "::");
	a = parse_ok("::ffff:192.0.2.1");
	cr_assert_str_eq(fmt(&a), "::ffff:192.0.2.1");
}

Test(addr, parse_ipv6_scope)
{
	struct rs_addr a = parse_ok("fe80::1%eth0");

	cr_assert_str_eq(a.scope, "eth0");
	cr_assert_str_eq(fmt(&a), "fe80::1%eth0");
	a = parse_ok("fe80::1%15");
	cr_assert_str_eq(a.scope, "15");
	/* RS_SCOPE_MAX - 1 bytes is the longest scope. */
	a = parse_ok("fe80::1%abcdefghijklmno");
	cr_assert_str_eq(a.scope, "abcdefghijklmno");
}

Test(addr, parse_rejects_table)
{
	static const char *const bad[] = {
		"",
		"127.1", /* inet_aton shorthand: not strict */
		"0x7f.0.0.1",
		"017.0.0.1", /* leading zero */
		"256.0.0.1",
		"1.2.3.4.5",
		" 192.0.2.1",
		"192.0.2.1 ",
		"192.0.2.1\r",
		"192.0.2.1%eth0", /* no scope on IPv4 */
		"1::2::3",
		"2001:db8::g",
		"[::1]",
		"fe80::1%",                 /* empty scope */
		"fe80::1%abcdefghijklmnop", /* scope too long */
		"fe80::1%a b",
		"fe80::1%a%b",
		"fe80::1%\x7f",
		"%eth0",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	};
	struct rs_addr a;

	memset(&a, 0x5a, sizeof(a));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rs_addr_parse(bad[i], &a), -EINVAL, "'%s' must be rejected", bad[i]);
	cr_assert_eq(rs_addr_parse(NULL, &a), -EINVAL);
	cr_assert_eq(a.family, 0x5a5a5a5a, "*out is untouched on failure");
}

Test(addr, format_small_buffers)
{
	struct rs_addr a = parse_ok("fe80::1%eth0");
	struct rs_addr none;
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	rs_addr_format(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "fe80::1", "truncated and NUL-terminated");
	buf[0] = 'X';
	cr_assert_eq(rs_addr_format(&a, buf, 0), buf);
	cr_assert_eq(buf[0], 'X', "a zero-length buffer is not written");
	memset(&none, 0, sizeof(none));
	cr_assert_str_eq(fmt(&none), "-");
}

Test(addr, format_longest_fits)
{
	struct rs_addr a =
		parse_ok("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%abcdefghijklmno");
	char buf[RS_ADDR_STRLEN];

	rs_addr_format(&a, buf, sizeof(buf));
	cr_assert_str_eq(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%abcdefghijklmno");
}

Test(addr, equal)
{
	struct rs_addr a = parse_ok("192.0.2.1"), b = parse_ok("192.0.2.1");
	struct rs_addr c = parse_ok("192.0.2.2"), m = parse_ok("::ffff:192.0.2.1");
	struct rs_addr s1 = parse_ok("fe80::1%eth0"), s2 = parse_ok("fe80::1%eth1");
	struct rs_addr s0 = parse_ok("fe80::1"), z1, z2;

	cr_assert(rs_addr_equal(&a, &b));
	cr_assert(!rs_addr_equal(&a, &c));
	cr_assert(!rs_addr_equal(&a, &m), "different families");
	cr_assert(!rs_addr_equal(&s1, &s2), "the scope is part of the address");
	cr_assert(!rs_addr_equal(&s1, &s0));
	cr_assert(rs_addr_equal(&s1, &s1));
	memset(&z1, 0, sizeof(z1));
	memset(&z2, 0xff, sizeof(z2));
	z2.family = 0;
	cr_assert(rs_addr_equal(&z1, &z2), "two empty addresses are equal");
}

Test(addr, same_server_unmaps_ipv4_mapped)
{
	struct rs_addr v4 = parse_ok("127.0.0.53"), m = parse_ok("::ffff:127.0.0.53");
	struct rs_addr other = parse_ok("::ffff:127.0.0.54"), compat = parse_ok("::127.0.0.53");

	cr_assert(rs_addr_same_server(&v4, &m));
	cr_assert(rs_addr_same_server(&m, &v4));
	cr_assert(!rs_addr_same_server(&v4, &other));
	cr_assert(!rs_addr_same_server(&v4, &compat), "only ::ffff:0:0/96 is mapped");
	cr_assert(!rs_addr_equal(&v4, &m));
}

Test(addr, unmap)
{
	struct rs_addr m = parse_ok("::ffff:192.0.2.7"), v6 = parse_ok("2001:db8::1%7"), out;

	rs_addr_unmap(&m, &out);
	cr_assert_eq(out.family, AF_INET);
	cr_assert_str_eq(fmt(&out), "192.0.2.7");
	rs_addr_unmap(&v6, &out);
	cr_assert(rs_addr_equal(&out, &v6), "other addresses are copied");
}

Test(addr, is_loopback)
{
	static const struct {
		const char *s;
		bool loopback;
	} cases[] = {
		{"127.0.0.1", true},
		{"127.53.0.1", true},
		{"127.255.255.255", true},
		{"126.255.255.255", false},
		{"128.0.0.1", false},
		{"::1", true},
		{"::2", false},
		{"::ffff:127.0.0.53", true},
		{"::ffff:10.0.0.1", false},
		{"::127.0.0.1", false},
		{"0.0.0.0", false},
		{"fe80::1%lo", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rs_addr a = parse_ok(cases[i].s);
		cr_assert_eq(rs_addr_is_loopback(&a), cases[i].loopback, "%s", cases[i].s);
	}
}

Test(addr, empty_address_is_not_loopback)
{
	struct rs_addr a;

	memset(&a, 0, sizeof(a));
	cr_assert(!rs_addr_is_loopback(&a));
}

Test(addr, parse_format_roundtrip)
{
	static const char *const texts[] = {"0.0.0.0",
					    "255.255.255.255",
					    "10.0.0.1",
					    "::",
					    "::1",
					    "2001:db8::53",
					    "fe80::1%lo",
					    "ff02::1%2",
					    "64:ff9b::a00:1",
					    "::ffff:1.2.3.4"};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct rs_addr a = parse_ok(texts[i]), b;
		cr_assert_str_eq(fmt(&a), texts[i]);
		b = parse_ok(fmt(&a));
		cr_assert(rs_addr_equal(&a, &b), "%s", texts[i]);
	}
}
