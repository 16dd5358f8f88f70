/* The /proc socket scan and its parsers: /proc/net tables, sock_diag replies
 * (synthetic and recorded on a real kernel: tests/fixtures/sockdiag/), fixture
 * /proc trees (tests/fixtures/proc/basic/, described in
 * tests/tools/make-proc-fixtures.sh), races made deterministic with a FIFO,
 * and, as root, the real kernel in a private network namespace. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/sockios.h>
#include <dirent.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resolvstale/addr.h"
#include "resolvstale/escape.h"
#include "resolvstale/procinfo.h"
#include "resolvstale/procscan.h"
#include "resolvstale/sbuf.h"
#include "resolvstale/sock.h"
#include "resolvstale/sockdiag.h"
#include "resolvstale/strnum.h"
#include "testutil.h"

#define NS_A "4026532001"
#define NS_B "4026532002"
#define NS_C "4026532003"
#define NS_M "4026532010"

#define FIXTURE_PROC   RS_SOURCE_DIR "/tests/fixtures/proc/basic"
#define FIXTURE_REPLAY RS_SOURCE_DIR "/tests/fixtures/sockdiag"

/* --- helpers -------------------------------------------------------------- */

static void endpoint(char *buf, size_t len, const struct rs_addr *a, uint16_t port)
{
	char tmp[RS_ADDR_STRLEN];

	rs_addr_format(a, tmp, sizeof(tmp));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", tmp, port);
	else
		snprintf(buf, len, "%s:%u", tmp, port);
}

/* "udp inet connected ino=N 127.0.0.1:1 127.53.0.1:53" */
static void fmt_sock(char *buf, size_t len, const struct rs_sock *s)
{
	char l[80], r[80];

	endpoint(l, sizeof(l), &s->local, s->lport);
	endpoint(r, sizeof(r), &s->remote, s->rport);
	snprintf(buf, len, "%s %s %s ino=%llu %s %s", rs_proto_name(s->proto),
		 s->family == AF_INET6 ? "inet6" : "inet", rs_sock_state_name(s->proto, s->state),
		 (unsigned long long)s->inode, l, r);
}

/* A socket as python3 saw it when it was recorded (manifest.txt). */
struct msock {
	char proto[8], family[8], local[80], remote[80];
	unsigned long long inode;
	int fd;
};

static struct msock manifest(const char *role)
{
	size_t len;
	char *text = rs_test_fixture("sockdiag/manifest.txt", &len);
	char key[64], *line;
	struct msock m;

	memset(&m, 0, sizeof(m));
	snprintf(key, sizeof(key), " role=%s ", role);
	line = strstr(text, key);
	cr_assert_not_null(line, "no %s in manifest.txt", role);
	cr_assert_eq(sscanf(line + strlen(key),
			    "fd=%d inode=%llu proto=%7s family=%7s local=%79s remote=%79s", &m.fd,
			    &m.inode, m.proto, m.family, m.local, m.remote),
		     6, "bad manifest line for %s", role);
	free(text);
	return m;
}

/* The fmt_sock line the recorded socket of role must produce. */
static void expect_sock(char *buf, size_t len, const char *role, const char *state)
{
	struct msock m = manifest(role);

	snprintf(buf, len, "%s %s %s ino=%llu %s %s", m.proto, m.family, state, m.inode, m.local,
		 m.remote);
}

struct socks {
	char lines[512][256];
	size_t n;
	int stop_after; /* return -ECANCELED after this many (0: never) */
};

static int on_sock(void *ctx, const struct rs_sock *s)
{
	struct socks *c = ctx;

	cr_assert_lt(c->n, 512);
	fmt_sock(c->lines[c->n++], sizeof(c->lines[0]), s);
	if (c->stop_after > 0 && c->n == (size_t)c->stop_after)
		return -ECANCELED;
	return 0;
}

static int count_sock(void *ctx, const struct rs_sock *s)
{
	uint64_t *n = ctx;

	(void)s;
	(*n)++;
	return 0;
}

static bool has_line(const struct socks *c, const char *want)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->lines[i], want) == 0)
			return true;
	return false;
}

/* Parse a whole /proc/net table in one call. */
static struct rs_procnet_parser parse_table(const char *text, int family, enum rs_proto proto,
					    struct socks *out)
{
	struct rs_procnet_parser p;
	ssize_t n;

	rs_procnet_parser_init(&p, family, proto, 77);
	n = rs_procnet_feed(&p, text, strlen(text), true, on_sock, out);
	cr_assert_eq(n, (ssize_t)strlen(text));
	return p;
}

/* --- /proc/net tables ----------------------------------------------------- */

#define UDP_HEADER                                                                                 \
	"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "     \
	"timeout inode ref pointer drops\n"
#define UDP6_HEADER                                                                                \
	"  sl  local_address                         remote_address                        st "    \
	"tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"

Test(procnet, ipv4_line)
{
	struct socks c = {0};
	struct rs_procnet_parser p = parse_table(
		UDP_HEADER "  123: 0100007F:B7C3 0100357F:0035 01 00000000:00000000 00:00000000 "
			   "00000000     0        0 313611 2 0000000000000000 0\n",
		AF_INET, RS_PROTO_UDP, &c);

	cr_assert_eq(p.sockets, 1);
	cr_assert_eq(p.malformed, 0);
	cr_assert_eq(c.n, 1);
	cr_assert_str_eq(c.lines[0], "udp inet connected ino=313611 127.0.0.1:47043 127.53.0.1:53");
}

Test(procnet, ipv6_line)
{
	struct socks c = {0};
	struct rs_procnet_parser p = parse_table(
		UDP6_HEADER "  201: 00000000000000000000000001000000:B80E "
			    "B80D0120000000000000000001000000:0035 01 00000000:00000000 "
			    "00:00000000 00000000     0        0 313616 2 0000000000000000 0\n",
		AF_INET6, RS_PROTO_UDP, &c);

	cr_assert_eq(p.sockets, 1);
	cr_assert_str_eq(c.lines[0], "udp inet6 connected ino=313616 [::1]:47118 [2001:db8::1]:53");
}

Test(procnet, ipv4_mapped_line)
{
	struct socks c = {0};
	struct rs_procnet_parser p = parse_table(
		UDP6_HEADER "  201: 0000000000000000FFFF00000100007F:C9AD "
			    "0000000000000000FFFF00000100357F:0035 01 00000000:00000000 "
			    "00:00000000 00000000     0        0 313617 2 0000000000000000 0\n",
		AF_INET6, RS_PROTO_UDP, &c);
	struct rs_addr v4;

	cr_assert_eq(p.sockets, 1);
	cr_assert_str_eq(c.lines[0], "udp inet6 connected ino=313617 [::ffff:127.0.0.1]:51629 "
				     "[::ffff:127.53.0.1]:53");
	/* The same server as the IPv4 address, for the verdicts. */
	cr_assert_eq(rs_addr_parse("127.53.0.1", &v4), 0);
	{
		struct rs_addr m;
		cr_assert_eq(rs_addr_parse("::ffff:127.53.0.1", &m), 0);
		cr_assert(rs_addr_same_server(&m, &v4));
	}
}

Test(procnet, header_is_not_malformed)
{
	struct socks c = {0};
	struct rs_procnet_parser p = parse_table(UDP_HEADER, AF_INET, RS_PROTO_UDP, &c);

	cr_assert_eq(p.lines, 1);
	cr_assert_eq(p.sockets, 0);
	cr_assert_eq(p.malformed, 0);
}

Test(procnet, malformed_lines_counted_never_fatal)
{
	static const char *bad[] = {
		"  1: 0100007F:B7C3\n",                                      /* short */
		"  1: 0100007G:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n",   /* bad hex */
		"  1: 100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n",    /* 7 digits */
		"  1: 0100007F-B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n",   /* no colon */
		"  1: 0100007F:B7C 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n",    /* port */
		"  1: 0100007F:B7C3 0100357F:0035 1 0:0 0:0 0 0 0 5 2\n",    /* state */
		"  1: 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 12x 2\n", /* inode */
		"  1: 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 99999999999999999999 2\n",
		"  x: 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n", /* slot */
		"  1 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n",  /* slot */
		"  1: 00000000000000000000000001000000:B80E 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n",
	};
	struct rs_procnet_parser p;
	uint64_t n = 0;

	rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(rs_procnet_feed(&p, bad[i], strlen(bad[i]), true, count_sock, &n),
			     (ssize_t)strlen(bad[i]), "line %zu", i);
	cr_assert_eq(p.malformed, sizeof(bad) / sizeof(bad[0]));
	cr_assert_eq(n, 0);
	/* and the parser goes on */
	const char *good = "  2: 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n";
	rs_procnet_feed(&p, good, strlen(good), true, count_sock, &n);
	cr_assert_eq(n, 1);
	cr_assert_eq(p.sockets, 1);
}

Test(procnet, nul_byte_is_malformed)
{
	const char line[] = "  1: 0100007F:B7C3 0100\0357F:0035 01 0:0 0:0 0 0 0 5 2\n";
	struct rs_procnet_parser p;
	uint64_t n = 0;

	rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 1);
	rs_procnet_feed(&p, line, sizeof(line) - 1, true, count_sock, &n);
	cr_assert_eq(n, 0);
	cr_assert_eq(p.malformed, 1);
}

Test(procnet, tcp_states)
{
	static const char *names[] = {
		"",          "established", "syn-sent",   "syn-recv", "fin-wait-1", "fin-wait-2",
		"time-wait", "close",       "close-wait", "last-ack", "listen",     "closing",
	};
	for (int st = 1; st <= 11; st++) {
		char line[256], want[256];
		struct socks c = {0};

		snprintf(line, sizeof(line),
			 "   0: 0100007F:9C44 0900357F:0035 %02X 00000000:00000000 00:00000000 "
			 "00000000     0        0 %d 1 0000000000000000 20 4 30 10 -1\n",
			 st, 500 + st);
		parse_table(line, AF_INET, RS_PROTO_TCP, &c);
		cr_assert_eq(c.n, 1);
		snprintf(want, sizeof(want), "tcp inet %s ino=%d 127.0.0.1:40004 127.53.0.9:53",
			 names[st], 500 + st);
		cr_assert_str_eq(c.lines[0], want);
	}
	/* UDP: 1 connected, 7 unconnected */
	struct socks c = {0};
	parse_table("  1: 00000000:9C42 00000000:0000 07 0:0 0:0 0 0 0 70006 2\n", AF_INET,
		    RS_PROTO_UDP, &c);
	cr_assert_str_eq(c.lines[0], "udp inet unconnected ino=70006 0.0.0.0:40002 0.0.0.0:0");
}

Test(procnet, over_long_line_is_skipped)
{
	char buf[2048];
	struct rs_procnet_parser p;
	uint64_t n = 0;
	size_t len;

	memset(buf, 'A', 700);
	len = 700;
	len += (size_t)snprintf(buf + len, sizeof(buf) - len,
				"\n  2: 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n");
	/* whole */
	rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 1);
	cr_assert_eq(rs_procnet_feed(&p, buf, len, true, count_sock, &n), (ssize_t)len);
	cr_assert_eq(p.malformed, 1);
	cr_assert_eq(n, 1);
	/* in 100-byte pieces, as a reader keeping the unconsumed tail would */
	char carry[RS_PROCNET_LINE_MAX + 128];
	size_t have = 0;
	n = 0;
	rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 1);
	for (size_t off = 0; off < len; off += 100) {
		size_t k = len - off < 100 ? len - off : 100;
		ssize_t used;

		memcpy(carry + have, buf + off, k);
		have += k;
		used = rs_procnet_feed(&p, carry, have, off + k == len, count_sock, &n);
		cr_assert_geq(used, 0);
		have -= (size_t)used;
		memmove(carry, carry + used, have);
		cr_assert_lt(have, RS_PROCNET_LINE_MAX, "the tail stays bounded");
	}
	cr_assert_eq(p.malformed, 1);
	cr_assert_eq(n, 1);
}

Test(procnet, partial_line_waits_for_eof)
{
	const char *t = "  1: 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n"
			"  2: 0100007F:B7C4 0100357F:0035 01 0:0 0:0 0 0 0 6 2";
	struct rs_procnet_parser p;
	uint64_t n = 0;
	ssize_t used;

	rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 1);
	used = rs_procnet_feed(&p, t, strlen(t), false, count_sock, &n);
	cr_assert_eq(used, (ssize_t)(strchr(t, '\n') - t + 1));
	cr_assert_eq(n, 1);
	used = rs_procnet_feed(&p, t + used, strlen(t + used), true, count_sock, &n);
	cr_assert_eq(n, 2);
}

Test(procnet, every_split_point_gives_the_same_result)
{
	const char *t = UDP_HEADER
		"  1: 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n"
		"  junk\n"
		"\n"
		"  2: 0100007F:B7C4 0200357F:0035 01 0:0 0:0 0 0 0 6 2 0000000000000000 0\n"
		"  3: 00000000:B7C5 00000000:0000 07 0:0 0:0 0 0 0 7 2";
	size_t len = strlen(t);
	struct socks whole = {0};
	struct rs_procnet_parser pw = parse_table(t, AF_INET, RS_PROTO_UDP, &whole);

	cr_assert_eq(pw.sockets, 3);
	cr_assert_eq(pw.malformed, 1);
	for (size_t split = 0; split <= len; split++) {
		struct socks c = {0};
		struct rs_procnet_parser p;
		char buf[1024];
		ssize_t used;
		size_t rest;

		rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 77);
		used = rs_procnet_feed(&p, t, split, false, on_sock, &c);
		cr_assert_geq(used, 0);
		rest = split - (size_t)used;
		memcpy(buf, t + used, rest);
		memcpy(buf + rest, t + split, len - split);
		cr_assert_eq(rs_procnet_feed(&p, buf, rest + len - split, true, on_sock, &c),
			     (ssize_t)(rest + len - split));
		cr_assert_eq(p.sockets, pw.sockets, "split at %zu", split);
		cr_assert_eq(p.malformed, pw.malformed, "split at %zu", split);
		cr_assert_eq(p.lines, pw.lines, "split at %zu", split);
		for (size_t i = 0; i < c.n; i++)
			cr_assert_str_eq(c.lines[i], whole.lines[i]);
	}
}

Test(procnet, callback_error_stops)
{
	const char *t = "  1: 0100007F:B7C3 0100357F:0035 01 0:0 0:0 0 0 0 5 2\n"
			"  2: 0100007F:B7C4 0100357F:0035 01 0:0 0:0 0 0 0 6 2\n";
	struct socks c = {.stop_after = 1};
	struct rs_procnet_parser p;

	rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 1);
	cr_assert_eq(rs_procnet_feed(&p, t, strlen(t), true, on_sock, &c), -ECANCELED);
	cr_assert_eq(c.n, 1);
}

struct count53 {
	uint64_t all, port53;
};

static int count_53(void *ctx, const struct rs_sock *s)
{
	struct count53 *c = ctx;

	c->all++;
	c->port53 += s->rport == 53;
	return 0;
}

Test(procnet, table_of_100k_lines)
{
	const size_t lines = 100000;
	struct rs_sbuf sb = RS_SBUF_INIT;
	struct rs_procnet_parser p;
	struct count53 c = {0};
	char path[] = "/tmp/resolvstale-procnet.XXXXXX", *buf;
	int fd, dirfd;

	sb.max = 64u * 1024 * 1024;
	rs_sbuf_puts(&sb, UDP_HEADER);
	for (size_t i = 0; i < lines; i++)
		rs_sbuf_printf(&sb,
			       "%5zu: %08X:%04zX %08X:%04X %02X 00000000:00000000 00:00000000 "
			       "00000000     0        0 %zu 2 0000000000000000 0\n",
			       i % 65536, 0x3c00007fu + (unsigned)(i << 8), 1024 + i % 60000,
			       i % 3 == 0 ? 0x0100357fu : 0u, i % 3 == 0 ? 53 : 0,
			       i % 3 == 0 ? 1 : 7, 100000 + i);
	cr_assert(!rs_sbuf_failed(&sb));

	/* one buffer */
	rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 1);
	cr_assert_eq(rs_procnet_feed(&p, sb.buf, sb.len, true, count_53, &c), (ssize_t)sb.len);
	cr_assert_eq(c.all, lines);
	cr_assert_eq(c.port53, (lines + 2) / 3);
	cr_assert_eq(p.malformed, 0);

	/* through the chunked reader, from a file */
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, sb.buf, sb.len), (ssize_t)sb.len);
	close(fd);
	buf = malloc(RS_PROCNET_READ_MIN + RS_PROCNET_LINE_MAX);
	dirfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	memset(&c, 0, sizeof(c));
	rs_procnet_parser_init(&p, AF_INET, RS_PROTO_UDP, 1);
	cr_assert_eq(rs_procnet_read(dirfd, path + 5, &p, buf,
				     RS_PROCNET_READ_MIN + RS_PROCNET_LINE_MAX, count_53, &c),
		     0);
	cr_assert_eq(c.all, lines);
	cr_assert_eq(c.port53, (lines + 2) / 3);
	cr_assert_eq(p.lines, lines + 1);
	close(dirfd);
	unlink(path);
	free(buf);
	rs_sbuf_free(&sb);
}

/* --- sock_diag: requests and synthetic replies ---------------------------- */

Test(sockdiag, request_is_iproute2s_dport_filter)
{
	/* `strace -e write=3 ss -uan 'dport = :53'` on this host (iproute2 6.1):
	 * the 92 bytes of the AF_INET UDP request, seq 123456. */
	static const uint8_t ss_req[92] = {
		0x5c, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x03, 0x40, 0xe2, 0x01, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x02, 0x11, 0x00, 0x00, 0xff, 0x0f, 0x00, 0x00,
		/* id: 48 zero bytes */
		[72] = 0x14, 0x00, 0x01, 0x00, 0x08, 0x10, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x35,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
	uint8_t req[RS_SOCKDIAG_REQ_LEN];

	cr_assert_eq(rs_sockdiag_build_request(req, sizeof(req), AF_INET, RS_PROTO_UDP, 53, 123456),
		     92);
	cr_assert_arr_eq(req, ss_req, sizeof(ss_req));
	/* TCP over IPv6: only family and protocol differ */
	cr_assert_eq(rs_sockdiag_build_request(req, sizeof(req), AF_INET6, RS_PROTO_TCP, 53, 1),
		     92);
	cr_assert_eq(req[16], AF_INET6);
	cr_assert_eq(req[17], IPPROTO_TCP);
	cr_assert_arr_eq(req + 72, ss_req + 72, 20);
}

Test(sockdiag, request_rejects_bad_arguments)
{
	uint8_t req[RS_SOCKDIAG_REQ_LEN];

	cr_assert_eq(rs_sockdiag_build_request(req, sizeof(req), AF_UNIX, RS_PROTO_UDP, 53, 1),
		     -EINVAL);
	cr_assert_eq(rs_sockdiag_build_request(req, sizeof(req), AF_INET, RS_PROTO_UNKNOWN, 53, 1),
		     -EINVAL);
	cr_assert_eq(rs_sockdiag_build_request(req, 91, AF_INET, RS_PROTO_UDP, 53, 1), -EINVAL);
}

struct msgs {
	uint8_t b[8192];
	size_t len;
};

static void add_msg(struct msgs *m, uint16_t type, uint16_t flags, uint32_t seq, const void *pl,
		    size_t plen, uint32_t len_override)
{
	struct nlmsghdr h = {
		.nlmsg_len = len_override ? len_override : (uint32_t)(NLMSG_HDRLEN + plen),
		.nlmsg_type = type,
		.nlmsg_flags = flags,
		.nlmsg_seq = seq,
		.nlmsg_pid = 4242,
	};

	cr_assert_lt(m->len + NLMSG_ALIGN(NLMSG_HDRLEN + plen), sizeof(m->b));
	memcpy(m->b + m->len, &h, sizeof(h));
	if (plen > 0)
		memcpy(m->b + m->len + NLMSG_HDRLEN, pl, plen);
	m->len += NLMSG_ALIGN(NLMSG_HDRLEN + plen);
}

static void add_diag(struct msgs *m, uint32_t seq, uint16_t flags, int family, uint8_t state,
		     const char *src, uint16_t sport, const char *dst, uint16_t dport,
		     uint32_t inode)
{
	struct inet_diag_msg d;

	memset(&d, 0, sizeof(d));
	d.idiag_family = (uint8_t)family;
	d.idiag_state = state;
	d.id.idiag_sport = htons(sport);
	d.id.idiag_dport = htons(dport);
	cr_assert_eq(inet_pton(family, src, d.id.idiag_src), 1);
	cr_assert_eq(inet_pton(family, dst, d.id.idiag_dst), 1);
	d.idiag_inode = inode;
	add_msg(m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI | flags, seq, &d, sizeof(d), 0);
}

static void add_done(struct msgs *m, uint32_t seq, int32_t status, uint16_t flags)
{
	add_msg(m, NLMSG_DONE, NLM_F_MULTI | flags, seq, &status, sizeof(status), 0);
}

static void add_error(struct msgs *m, uint32_t seq, int32_t err)
{
	struct nlmsgerr e;

	memset(&e, 0, sizeof(e));
	e.error = err;
	add_msg(m, NLMSG_ERROR, 0, seq, &e, sizeof(e), 0);
}

static int parse_msgs(const struct msgs *m, int family, enum rs_proto proto, struct socks *c,
		      struct rs_sockdiag_parser *pout)
{
	struct rs_sockdiag_parser p;
	int r;

	rs_sockdiag_parser_init(&p, 7, family, proto, 4026532099ull);
	r = rs_sockdiag_parse(&p, m->b, m->len, on_sock, c);
	if (pout != NULL)
		*pout = p;
	return r;
}

Test(sockdiag, synthetic_dump)
{
	struct msgs m = {0};
	struct socks c = {0};
	struct rs_sockdiag_parser p;

	add_diag(&m, 7, 0, AF_INET, 1, "127.0.0.1", 40000, "127.53.0.1", 53, 1111);
	add_diag(&m, 7, 0, AF_INET, 8, "10.0.0.2", 40001, "192.0.2.53", 53, 1112);
	add_done(&m, 7, 0, 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_TCP, &c, &p), RS_SOCKDIAG_DONE);
	cr_assert_eq(p.messages, 2);
	cr_assert(p.done);
	cr_assert_str_eq(c.lines[0], "tcp inet established ino=1111 127.0.0.1:40000 127.53.0.1:53");
	cr_assert_str_eq(c.lines[1], "tcp inet close-wait ino=1112 10.0.0.2:40001 192.0.2.53:53");
}

Test(sockdiag, ipv6_and_mapped)
{
	struct msgs m = {0};
	struct socks c = {0};

	add_diag(&m, 7, 0, AF_INET6, 1, "2001:db8::2", 40000, "2001:db8::53", 53, 1);
	add_diag(&m, 7, 0, AF_INET6, 1, "::ffff:127.0.0.1", 40001, "::ffff:127.53.0.1", 53, 2);
	add_done(&m, 7, 0, 0);
	cr_assert_eq(parse_msgs(&m, AF_INET6, RS_PROTO_UDP, &c, NULL), RS_SOCKDIAG_DONE);
	cr_assert_str_eq(c.lines[0],
			 "udp inet6 connected ino=1 [2001:db8::2]:40000 [2001:db8::53]:53");
	cr_assert_str_eq(c.lines[1], "udp inet6 connected ino=2 [::ffff:127.0.0.1]:40001 "
				     "[::ffff:127.53.0.1]:53");
}

Test(sockdiag, nlmsg_error_is_returned)
{
	struct msgs m = {0};
	struct socks c = {0};

	add_error(&m, 7, -EPERM);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), -EPERM);
	/* an error with a nonsense value */
	memset(&m, 0, sizeof(m));
	add_error(&m, 7, 5);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), -EBADMSG);
	memset(&m, 0, sizeof(m));
	add_error(&m, 7, -100000);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), -EBADMSG);
}

Test(sockdiag, nlmsg_error_too_short)
{
	struct msgs m = {0};
	int32_t err = -EPERM;

	/* only the errno, not the nlmsgerr with the request header */
	add_msg(&m, NLMSG_ERROR, 0, 7, &err, sizeof(err), 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, NULL, NULL), -EBADMSG);
}

Test(sockdiag, dump_interrupted_means_retry)
{
	struct msgs m = {0};
	struct socks c = {0};

	add_diag(&m, 7, NLM_F_DUMP_INTR, AF_INET, 1, "127.0.0.1", 1, "127.53.0.1", 53, 1);
	add_done(&m, 7, 0, 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), -EAGAIN);
	/* the flag on NLMSG_DONE alone, as netlink_dump_done sets it */
	memset(&m, 0, sizeof(m));
	add_done(&m, 7, 0, NLM_F_DUMP_INTR);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), -EAGAIN);
}

Test(sockdiag, done_status_and_length)
{
	struct msgs m = {0};

	add_done(&m, 7, -ENOBUFS, 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, NULL, NULL), -ENOBUFS);
	memset(&m, 0, sizeof(m));
	add_msg(&m, NLMSG_DONE, NLM_F_MULTI, 7, NULL, 0, 0); /* no status */
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, NULL, NULL), -EBADMSG);
}

Test(sockdiag, other_sequence_skipped)
{
	struct msgs m = {0};
	struct socks c = {0};
	struct rs_sockdiag_parser p;

	/* the tail of an abandoned dump on a cached socket, then ours */
	add_diag(&m, 6, 0, AF_INET, 1, "127.0.0.1", 1, "127.53.0.1", 53, 1);
	add_done(&m, 6, 0, 0);
	add_diag(&m, 7, 0, AF_INET, 1, "127.0.0.1", 2, "127.53.0.1", 53, 2);
	add_done(&m, 7, 0, 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, &p), RS_SOCKDIAG_DONE);
	cr_assert_eq(c.n, 1);
	cr_assert_eq(p.skipped, 2);
	cr_assert_str_eq(c.lines[0], "udp inet connected ino=2 127.0.0.1:2 127.53.0.1:53");
}

Test(sockdiag, nothing_may_follow_done)
{
	struct msgs m = {0};
	struct rs_sockdiag_parser p;
	uint8_t zero[16] = {0};

	add_done(&m, 7, 0, 0);
	add_diag(&m, 7, 0, AF_INET, 1, "127.0.0.1", 1, "127.53.0.1", 53, 1);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, NULL, NULL), -EBADMSG);
	/* a later datagram after a completed dump */
	memset(&m, 0, sizeof(m));
	add_done(&m, 7, 0, 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, NULL, &p), RS_SOCKDIAG_DONE);
	cr_assert_eq(rs_sockdiag_parse(&p, zero, sizeof(zero), NULL, NULL), -EBADMSG);
	cr_assert_eq(rs_sockdiag_parse(&p, zero, 0, NULL, NULL), RS_SOCKDIAG_DONE);
}

Test(sockdiag, bad_lengths)
{
	struct msgs m = {0};
	struct rs_sockdiag_parser p;
	uint8_t junk[8] = {1, 2, 3, 4, 5, 6, 7, 8};

	/* nlmsg_len below the header */
	add_msg(&m, SOCK_DIAG_BY_FAMILY, 0, 7, NULL, 0, 8);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, NULL, NULL), -EBADMSG);
	/* nlmsg_len past the end of the datagram (truncated) */
	memset(&m, 0, sizeof(m));
	add_diag(&m, 7, 0, AF_INET, 1, "127.0.0.1", 1, "127.53.0.1", 53, 1);
	m.len -= 4;
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, NULL, NULL), -EBADMSG);
	/* leftover bytes shorter than a header */
	rs_sockdiag_parser_init(&p, 7, AF_INET, RS_PROTO_UDP, 1);
	cr_assert_eq(rs_sockdiag_parse(&p, junk, sizeof(junk), NULL, NULL), -EBADMSG);
	/* an inet_diag_msg cut short */
	memset(&m, 0, sizeof(m));
	add_msg(&m, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 7, junk, sizeof(junk), 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, NULL, NULL), -EBADMSG);
}

Test(sockdiag, unexpected_messages)
{
	struct msgs m = {0};
	struct socks c = {0};
	uint8_t zero[4] = {0};

	/* an unknown type */
	add_msg(&m, 0x42, 0, 7, zero, sizeof(zero), 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), -EBADMSG);
	/* an IPv6 socket in an IPv4 dump */
	memset(&m, 0, sizeof(m));
	add_diag(&m, 7, 0, AF_INET6, 1, "::1", 1, "::1", 53, 1);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), -EBADMSG);
	/* an acknowledgement and a NOOP are harmless */
	memset(&m, 0, sizeof(m));
	add_error(&m, 7, 0);
	add_msg(&m, NLMSG_NOOP, 0, 7, NULL, 0, 0);
	add_done(&m, 7, 0, 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), RS_SOCKDIAG_DONE);
	cr_assert_eq(c.n, 0);
}

Test(sockdiag, callback_error_stops)
{
	struct msgs m = {0};
	struct socks c = {.stop_after = 1};

	add_diag(&m, 7, 0, AF_INET, 1, "127.0.0.1", 1, "127.53.0.1", 53, 1);
	add_diag(&m, 7, 0, AF_INET, 1, "127.0.0.1", 2, "127.53.0.1", 53, 2);
	add_done(&m, 7, 0, 0);
	cr_assert_eq(parse_msgs(&m, AF_INET, RS_PROTO_UDP, &c, NULL), -ECANCELED);
	cr_assert_eq(c.n, 1);
}

/* --- sock_diag: replies recorded on a real kernel ------------------------- */

static int replay(const char *name, int family, enum rs_proto proto, struct socks *c)
{
	int dirfd = open(FIXTURE_REPLAY, O_RDONLY | O_DIRECTORY);
	int r;

	cr_assert_geq(dirfd, 0);
	r = rs_sockdiag_replay(dirfd, name, family, proto, 1, on_sock, c);
	close(dirfd);
	return r;
}

Test(recorded, ns_a_udp4)
{
	struct socks c = {0};
	char w1[256], w2[256];

	cr_assert_eq(replay(NS_A "-udp4.nl", AF_INET, RS_PROTO_UDP, &c), RS_SOCKDIAG_DONE);
	/* the unconnected socket and the one to port 5353 were filtered out
	 * by the kernel */
	cr_assert_eq(c.n, 2);
	expect_sock(w1, sizeof(w1), "udp4-conn", "connected");
	expect_sock(w2, sizeof(w2), "udp4-conn-2", "connected");
	cr_assert(has_line(&c, w1), "missing %s", w1);
	cr_assert(has_line(&c, w2), "missing %s", w2);
}

Test(recorded, ns_a_udp6_with_mapped_peer)
{
	struct socks c = {0};
	char w1[256], w2[256];

	cr_assert_eq(replay(NS_A "-udp6.nl", AF_INET6, RS_PROTO_UDP, &c), RS_SOCKDIAG_DONE);
	cr_assert_eq(c.n, 2);
	expect_sock(w1, sizeof(w1), "udp6-conn", "connected");
	expect_sock(w2, sizeof(w2), "udp6-mapped", "connected");
	cr_assert(has_line(&c, w1), "missing %s", w1);
	cr_assert(has_line(&c, w2), "missing %s", w2);
}

Test(recorded, ns_a_tcp4_states)
{
	struct socks c = {0};
	struct msock tw = manifest("tcp4-timewait");
	char w1[256], w2[256], w3[256];

	cr_assert_eq(replay(NS_A "-tcp4.nl", AF_INET, RS_PROTO_TCP, &c), RS_SOCKDIAG_DONE);
	/* the listener (remote port 0) and the accepted sockets (local port
	 * 53) are not there */
	cr_assert_eq(c.n, 3);
	expect_sock(w1, sizeof(w1), "tcp4-conn", "established");
	expect_sock(w2, sizeof(w2), "tcp4-closewait", "close-wait");
	snprintf(w3, sizeof(w3), "tcp inet time-wait ino=0 %s %s", tw.local, tw.remote);
	cr_assert(has_line(&c, w1), "missing %s", w1);
	cr_assert(has_line(&c, w2), "missing %s", w2);
	cr_assert(has_line(&c, w3), "missing %s", w3);
}

Test(recorded, ns_a_tcp6)
{
	struct socks c = {0};
	char w[400];

	cr_assert_eq(replay(NS_A "-tcp6.nl", AF_INET6, RS_PROTO_TCP, &c), RS_SOCKDIAG_DONE);
	cr_assert_eq(c.n, 1);
	expect_sock(w, sizeof(w), "tcp6-conn", "established");
	cr_assert_str_eq(c.lines[0], w);
}

Test(recorded, ns_b_several_datagrams)
{
	size_t len;
	char *dump = rs_test_fixture("sockdiag/" NS_B "-udp4.nl", &len);
	struct rs_sockdiag_parser p;
	uint64_t n = 0;

	/* More than the kernel puts in one datagram (32 KiB at most). */
	cr_assert_gt(len, 32768);
	rs_sockdiag_parser_init(&p, ((struct nlmsghdr *)dump)->nlmsg_seq, AF_INET, RS_PROTO_UDP, 1);
	cr_assert_eq(rs_sockdiag_parse(&p, dump, len, count_sock, &n), RS_SOCKDIAG_DONE);
	cr_assert_eq(n, 400);
	free(dump);
	{
		struct socks c = {0};
		char w[256];
		cr_assert_eq(replay(NS_B "-udp4.nl", AF_INET, RS_PROTO_UDP, &c), RS_SOCKDIAG_DONE);
		cr_assert_eq(c.n, 400);
		expect_sock(w, sizeof(w), "bulk-399", "connected");
		cr_assert(has_line(&c, w), "missing %s", w);
	}
}

Test(recorded, ns_c_empty)
{
	struct socks c = {0};
	const char *t[] = {NS_C "-udp4.nl", NS_C "-udp6.nl", NS_C "-tcp4.nl", NS_C "-tcp6.nl"};

	for (size_t i = 0; i < 4; i++) {
		cr_assert_eq(replay(t[i], i % 2 ? AF_INET6 : AF_INET,
				    i < 2 ? RS_PROTO_UDP : RS_PROTO_TCP, &c),
			     RS_SOCKDIAG_DONE);
		cr_assert_eq(c.n, 0);
	}
}

Test(recorded, split_at_a_message_boundary)
{
	size_t len, first;
	char *dump = rs_test_fixture("sockdiag/" NS_A "-udp4.nl", &len);
	struct nlmsghdr h;
	struct rs_sockdiag_parser p;
	uint64_t n = 0;

	memcpy(&h, dump, sizeof(h));
	first = NLMSG_ALIGN(h.nlmsg_len);
	rs_sockdiag_parser_init(&p, h.nlmsg_seq, AF_INET, RS_PROTO_UDP, 1);
	cr_assert_eq(rs_sockdiag_parse(&p, dump, first, count_sock, &n), RS_SOCKDIAG_MORE);
	cr_assert_eq(n, 1);
	cr_assert_eq(rs_sockdiag_parse(&p, dump + first, len - first, count_sock, &n),
		     RS_SOCKDIAG_DONE);
	cr_assert_eq(n, 2);
	free(dump);
}

Test(recorded, truncated_recordings)
{
	size_t len;
	char *dump = rs_test_fixture("sockdiag/" NS_A "-udp4.nl", &len);
	char dir[] = "/tmp/resolvstale-trunc.XXXXXX", path[256];
	struct nlmsghdr h;
	struct rs_sockdiag_parser p;
	int fd, dirfd;

	memcpy(&h, dump, sizeof(h));
	/* cut inside the first message */
	rs_sockdiag_parser_init(&p, h.nlmsg_seq, AF_INET, RS_PROTO_UDP, 1);
	cr_assert_eq(rs_sockdiag_parse(&p, dump, h.nlmsg_len - 10, NULL, NULL), -EBADMSG);
	/* a recording that stops before NLMSG_DONE: replay refuses it */
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.nl", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	cr_assert_eq(write(fd, dump, len - 20), (ssize_t)(len - 20)); /* DONE is 20 bytes */
	close(fd);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	cr_assert_eq(rs_sockdiag_replay(dirfd, "x.nl", AF_INET, RS_PROTO_UDP, 1, NULL, NULL),
		     -EBADMSG);
	cr_assert_eq(rs_sockdiag_replay(dirfd, "missing.nl", AF_INET, RS_PROTO_UDP, 1, NULL, NULL),
		     -ENOENT);
	close(dirfd);
	unlink(path);
	rmdir(dir);
	free(dump);
}

/* --- the scan over fixture trees ------------------------------------------ */

struct hits {
	char lines[1024][400];
	size_t n;
	char comm[16][RS_COMM_MAX];
	int32_t comm_pid[16];
	size_t n_comm;
	int stop_after;
};

static int on_hit(void *ctx, const struct rs_procscan_hit *h)
{
	struct hits *c = ctx;
	char s[256];

	cr_assert_lt(c->n, 1024);
	fmt_sock(s, sizeof(s), h->sock);
	cr_assert_eq(h->sock->netns, h->netns);
	snprintf(c->lines[c->n++], sizeof(c->lines[0]), "pid=%d start=%llu ns=%llu fd=%d %s",
		 h->pid, (unsigned long long)h->starttime, (unsigned long long)h->netns, h->fd, s);
	if (h->pid != 0 && c->n_comm < 16) {
		snprintf(c->comm[c->n_comm], RS_COMM_MAX, "%s", h->comm);
		c->comm_pid[c->n_comm++] = h->pid;
	}
	if (c->stop_after > 0 && c->n == (size_t)c->stop_after)
		return -ECANCELED;
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void sort_hits(struct hits *c)
{
	qsort(c->lines, c->n, sizeof(c->lines[0]), cmp_line);
}

/* "pid=P start=S ns=N fd=F <socket of role>" */
static void expect_hit(char *buf, size_t len, int pid, int start, const char *ns, int fd,
		       const char *role, const char *state)
{
	char s[256];

	expect_sock(s, sizeof(s), role, state);
	snprintf(buf, len, "pid=%d start=%d ns=%s fd=%d %s", pid, start, ns, fd, s);
}

static struct rs_procscan *scanner(const char *root, const char *replay_dir, bool sockdiag)
{
	struct rs_procscan_opts o;
	struct rs_procscan *ps;

	rs_procscan_opts_init(&o);
	o.proc_root = root;
	o.replay_dir = replay_dir;
	o.use_sockdiag = sockdiag;
	cr_assert_eq(rs_procscan_new(&o, &ps), 0);
	return ps;
}

static const char *fallback_hits[] = {
	"pid=600 start=6000 ns=" NS_M " fd=3 udp inet connected ino=70001 127.0.0.1:40000 "
	"127.53.0.9:53",
	"pid=600 start=6000 ns=" NS_M " fd=4 udp inet6 connected ino=70002 "
	"[::ffff:127.0.0.1]:40003 [::ffff:127.53.0.9]:53",
	"pid=600 start=6000 ns=" NS_M " fd=5 tcp inet established ino=70003 127.0.0.1:40004 "
	"127.53.0.9:53",
	"pid=600 start=6000 ns=" NS_M " fd=6 tcp inet6 close-wait ino=70004 [::1]:40005 [::1]:53",
};

Test(procscan, fixture_tree_exact_hits)
{
	struct rs_procscan *ps = scanner(FIXTURE_PROC, FIXTURE_REPLAY, true);
	struct hits c = {0};
	char want[13][400];
	size_t k = 0;

	cr_assert_eq(rs_procscan_run(ps, on_hit, &c), 0);
	expect_hit(want[k++], 400, 100, 1000, NS_A, 3, "udp4-conn", "connected");
	expect_hit(want[k++], 400, 100, 1000, NS_A, 4, "tcp4-conn", "established");
	expect_hit(want[k++], 400, 200, 2000, NS_A, 3, "udp6-conn", "connected");
	expect_hit(want[k++], 400, 200, 2000, NS_A, 4, "tcp6-conn", "established");
	expect_hit(want[k++], 400, 300, 3000, NS_A, 5, "udp6-mapped", "connected");
	expect_hit(want[k++], 400, 300, 3000, NS_A, 6, "tcp4-closewait", "close-wait");
	expect_hit(want[k++], 400, 301, 3010, NS_A, 3, "udp4-conn", "connected");
	for (size_t i = 0; i < 4; i++)
		snprintf(want[k++], 400, "%s", fallback_hits[i]);
	expect_hit(want[k++], 400, 800, 8000, NS_B, 10, "bulk-0", "connected");
	expect_hit(want[k++], 400, 800, 8000, NS_B, 409, "bulk-399", "connected");
	qsort(want, k, sizeof(want[0]), cmp_line);
	sort_hits(&c);
	cr_assert_eq(c.n, k);
	for (size_t i = 0; i < k; i++)
		cr_assert_str_eq(c.lines[i], want[i]);
	rs_procscan_free(ps);
}

Test(procscan, fixture_tree_stats)
{
	struct rs_procscan *ps = scanner(FIXTURE_PROC, FIXTURE_REPLAY, true);
	const struct rs_procscan_stats *st;

	cr_assert_eq(rs_procscan_run(ps, NULL, NULL), 0);
	st = rs_procscan_stats(ps);
	cr_assert_eq(st->processes, 12); /* 100-902; not 0, 007, 12ab, 1000, self, net */
	cr_assert_eq(st->gone, 2);       /* 400 (no fd/), 500 (no stat) */
	cr_assert_eq(st->unreadable, 3); /* 900, 901, 902 */
	cr_assert_eq(st->reused, 0);
	cr_assert_eq(st->skipped, 1); /* 700: nothing to port 53 in C */
	cr_assert_eq(st->hits, 13);
	cr_assert_eq(st->unowned, 1 + 398);
	cr_assert_eq(st->no_inode, 1); /* the TIME_WAIT socket */
	cr_assert_eq(st->namespaces, 4);
	cr_assert_eq(st->dumps, 12); /* A, B, C replayed; M from its tables */
	cr_assert_eq(st->fallbacks, 1);
	cr_assert_eq(st->ns_failed, 0);
	cr_assert_eq(st->malformed, 1);
	cr_assert_eq(st->nl_opened, 0);
	/* fds of the walked processes: 100 (8), 200 (3), 300 (2), 301 (1),
	 * 600 (5), 800 (2) */
	cr_assert_eq(st->fds, 21);
	cr_assert_eq(st->sockets, 17);
	rs_procscan_free(ps);
}

Test(procscan, hostile_comm_kept_verbatim)
{
	struct rs_procscan *ps = scanner(FIXTURE_PROC, FIXTURE_REPLAY, true);
	struct hits c = {0};
	bool seen200 = false, seen300 = false;

	cr_assert_eq(rs_procscan_run(ps, on_hit, &c), 0);
	for (size_t i = 0; i < c.n_comm; i++) {
		if (c.comm_pid[i] == 200) {
			cr_assert_str_eq(c.comm[i], "x) R 1 (");
			seen200 = true;
		}
		if (c.comm_pid[i] == 300) {
			struct rs_sbuf sb = RS_SBUF_INIT;

			cr_assert_str_eq(c.comm[i], "evil\n\x1b[31mred");
			rs_escape_text(&sb, c.comm[i], strlen(c.comm[i]));
			cr_assert_str_eq(rs_sbuf_str(&sb), "evil\\n\\x1b[31mred");
			rs_sbuf_free(&sb);
			seen300 = true;
		}
	}
	cr_assert(seen200 && seen300);
	rs_procscan_free(ps);
}

Test(procscan, unowned_sockets_reported_with_pid_0)
{
	struct rs_procscan_opts o;
	struct rs_procscan *ps;
	struct hits c = {0};
	char w[400];
	size_t unowned = 0, bulk = 0;

	rs_procscan_opts_init(&o);
	o.proc_root = FIXTURE_PROC;
	o.replay_dir = FIXTURE_REPLAY;
	o.report_unowned = true;
	cr_assert_eq(rs_procscan_new(&o, &ps), 0);
	cr_assert_eq(rs_procscan_run(ps, on_hit, &c), 0);
	expect_hit(w, sizeof(w), 0, 0, NS_A, -1, "udp4-conn-2", "connected");
	for (size_t i = 0; i < c.n; i++) {
		if (strncmp(c.lines[i], "pid=0 ", 6) != 0)
			continue;
		unowned++;
		if (strstr(c.lines[i], "ns=" NS_B " ") != NULL)
			bulk++;
		else
			cr_assert_str_eq(c.lines[i], w);
	}
	cr_assert_eq(unowned, 399);
	cr_assert_eq(bulk, 398);
	cr_assert_eq(c.n, 13 + 399);
	rs_procscan_free(ps);
}

Test(procscan, self_pid_is_skipped)
{
	struct rs_procscan_opts o;
	struct rs_procscan *ps;
	struct hits c = {0};

	rs_procscan_opts_init(&o);
	o.proc_root = FIXTURE_PROC;
	o.replay_dir = FIXTURE_REPLAY;
	o.self_pid = 100;
	cr_assert_eq(rs_procscan_new(&o, &ps), 0);
	cr_assert_eq(rs_procscan_run(ps, on_hit, &c), 0);
	cr_assert_eq(c.n, 11);
	for (size_t i = 0; i < c.n; i++)
		cr_assert(strncmp(c.lines[i], "pid=100 ", 8) != 0);
	cr_assert_eq(rs_procscan_stats(ps)->processes, 11);
	rs_procscan_free(ps);
}

Test(procscan, other_port)
{
	struct rs_procscan_opts o;
	struct rs_procscan *ps;
	struct hits c = {0};

	rs_procscan_opts_init(&o);
	o.proc_root = FIXTURE_PROC;
	o.replay_dir = FIXTURE_REPLAY;
	o.port = 5353;
	cr_assert_eq(rs_procscan_new(&o, &ps), 0);
	cr_assert_eq(rs_procscan_run(ps, on_hit, &c), 0);
	/* The recordings were filtered on port 53 by the kernel: only the
	 * /proc/net table of M has a socket to 5353. */
	cr_assert_eq(c.n, 1);
	cr_assert_str_eq(c.lines[0], "pid=600 start=6000 ns=" NS_M " fd=7 udp inet connected "
				     "ino=70005 127.0.0.1:40001 127.53.0.9:5353");
	rs_procscan_free(ps);
}

Test(procscan, fixture_without_sockdiag_uses_tables_only)
{
	/* Without recordings, and with sock_diag "on" but no real namespace
	 * files in the tree: the same, and no netlink socket is ever made. */
	for (int mode = 0; mode < 2; mode++) {
		struct rs_procscan *ps = scanner(FIXTURE_PROC, NULL, mode == 1);
		struct hits c = {0};
		const struct rs_procscan_stats *st;

		cr_assert_eq(rs_procscan_run(ps, on_hit, &c), 0);
		sort_hits(&c);
		cr_assert_eq(c.n, 4, "mode %d", mode);
		for (size_t i = 0; i < 4; i++)
			cr_assert_str_eq(c.lines[i], fallback_hits[i]);
		st = rs_procscan_stats(ps);
		cr_assert_eq(st->fallbacks, 1);
		cr_assert_eq(st->nl_opened, 0);
		cr_assert_eq(st->dumps, 0);
		cr_assert_eq(st->ns_failed, 1); /* A: three processes tried, no tables */
		rs_procscan_free(ps);
	}
}

Test(procscan, missing_root_or_replay_dir)
{
	struct rs_procscan *ps = scanner("/nonexistent/proc", NULL, false);

	cr_assert_eq(rs_procscan_run(ps, on_hit, NULL), -ENOENT);
	rs_procscan_free(ps);
	ps = scanner(FIXTURE_PROC, "/nonexistent/replay", true);
	cr_assert_eq(rs_procscan_run(ps, on_hit, NULL), -ENOENT);
	rs_procscan_free(ps);
	rs_procscan_free(NULL);
}

Test(procscan, callback_error_stops_the_scan)
{
	struct rs_procscan *ps = scanner(FIXTURE_PROC, FIXTURE_REPLAY, true);
	struct hits c = {.stop_after = 2};

	cr_assert_eq(rs_procscan_run(ps, on_hit, &c), -ECANCELED);
	cr_assert_eq(c.n, 2);
	/* and the handle still works */
	memset(&c, 0, sizeof(c));
	cr_assert_eq(rs_procscan_run(ps, on_hit, &c), 0);
	cr_assert_eq(c.n, 13);
	rs_procscan_free(ps);
}

Test(procscan, repeated_scans_agree)
{
	struct rs_procscan *ps = scanner(FIXTURE_PROC, FIXTURE_REPLAY, true);
	static struct hits a, b;

	cr_assert_eq(rs_procscan_run(ps, on_hit, &a), 0);
	for (int i = 0; i < 3; i++) {
		memset(&b, 0, sizeof(b));
		cr_assert_eq(rs_procscan_run(ps, on_hit, &b), 0);
		cr_assert_eq(a.n, b.n);
		sort_hits(&a);
		sort_hits(&b);
		for (size_t k = 0; k < a.n; k++)
			cr_assert_str_eq(a.lines[k], b.lines[k]);
	}
	rs_procscan_free(ps);
}

/* --- races, made deterministic ---------------------------------------------
 *
 * A one-process tree in namespace A whose udp4 recording is a FIFO: the scan
 * reads stat, then blocks in the namespace's replay until the writer thread
 * has changed the tree (the race window between the first stat read and the
 * fd walk), then goes on. */

struct race {
	char dir[64], fifo[128];
	char *dump;
	size_t len;
	void (*change)(struct race *r);
};

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static void stat_text(char *buf, size_t len, int pid, const char *comm, unsigned long long start)
{
	snprintf(buf, len,
		 "%d (%s) S 1 %d %d 0 -1 4194304 120 0 0 0 5 3 0 0 20 0 1 0 %llu 12345678 250 "
		 "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		 pid, comm, pid, pid, start);
}

static void race_setup(struct race *r)
{
	char p[256], link[64], st[512];
	struct msock m = manifest("udp4-conn");
	static const char *copies[] = {NS_A "-udp6.nl", NS_A "-tcp4.nl", NS_A "-tcp6.nl"};

	snprintf(r->dir, sizeof(r->dir), "/tmp/resolvstale-race.XXXXXX");
	cr_assert_not_null(mkdtemp(r->dir));
	snprintf(p, sizeof(p), "%s/proc", r->dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/proc/4242", r->dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/proc/4242/ns", r->dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/proc/4242/fd", r->dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/proc/4242/ns/net", r->dir);
	cr_assert_eq(symlink("net:[" NS_A "]", p), 0);
	snprintf(p, sizeof(p), "%s/proc/4242/fd/3", r->dir);
	snprintf(link, sizeof(link), "socket:[%llu]", m.inode);
	cr_assert_eq(symlink(link, p), 0);
	snprintf(p, sizeof(p), "%s/proc/4242/stat", r->dir);
	stat_text(st, sizeof(st), 4242, "client", 1000);
	write_file(p, st);
	snprintf(p, sizeof(p), "%s/replay", r->dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	for (size_t i = 0; i < 3; i++) {
		char target[512];

		snprintf(p, sizeof(p), "%s/replay/%s", r->dir, copies[i]);
		snprintf(target, sizeof(target), "%s/%s", FIXTURE_REPLAY, copies[i]);
		cr_assert_eq(symlink(target, p), 0);
	}
	snprintf(r->fifo, sizeof(r->fifo), "%s/replay/" NS_A "-udp4.nl", r->dir);
	cr_assert_eq(mkfifo(r->fifo, 0600), 0);
	r->dump = rs_test_fixture("sockdiag/" NS_A "-udp4.nl", &r->len);
}

static void *race_writer(void *arg)
{
	struct race *r = arg;
	int fd = open(r->fifo, O_WRONLY); /* until the scan opens the recording */

	if (fd < 0)
		return NULL;
	r->change(r);
	if (write(fd, r->dump, r->len) != (ssize_t)r->len)
		fprintf(stderr, "race_writer: short write\n");
	close(fd);
	return NULL;
}

static const struct rs_procscan_stats *race_run(struct race *r, struct hits *c,
						struct rs_procscan **ps)
{
	char root[128], replay_dir[128];
	pthread_t t;

	snprintf(root, sizeof(root), "%s/proc", r->dir);
	snprintf(replay_dir, sizeof(replay_dir), "%s/replay", r->dir);
	*ps = scanner(root, replay_dir, true);
	cr_assert_eq(pthread_create(&t, NULL, race_writer, r), 0);
	cr_assert_eq(rs_procscan_run(*ps, on_hit, c), 0);
	pthread_join(t, NULL);
	return rs_procscan_stats(*ps);
}

static void race_cleanup(struct race *r)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	cr_assert_eq(system(cmd), 0);
	free(r->dump);
}

static void change_nothing(struct race *r)
{
	(void)r;
}

static void change_starttime(struct race *r)
{
	char p[256], tmp[256], st[512];

	/* pid 4242 exited and a new process got the pid: another starttime */
	snprintf(p, sizeof(p), "%s/proc/4242/stat", r->dir);
	snprintf(tmp, sizeof(tmp), "%s/proc/4242/stat.new", r->dir);
	stat_text(st, sizeof(st), 4242, "client", 1001);
	write_file(tmp, st);
	cr_assert_eq(rename(tmp, p), 0);
}

static void remove_stat(struct race *r)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/proc/4242/stat", r->dir);
	cr_assert_eq(unlink(p), 0);
}

static void remove_fd_dir(struct race *r)
{
	char p[256], q[256];

	snprintf(p, sizeof(p), "%s/proc/4242/fd", r->dir);
	snprintf(q, sizeof(q), "%s/fd.gone", r->dir);
	cr_assert_eq(rename(p, q), 0);
}

Test(race, unchanged_process_is_reported, .timeout = 20)
{
	struct race r = {.change = change_nothing};
	struct rs_procscan *ps;
	struct hits c = {0};
	char w[400];

	race_setup(&r);
	race_run(&r, &c, &ps);
	cr_assert_eq(c.n, 1);
	expect_hit(w, sizeof(w), 4242, 1000, NS_A, 3, "udp4-conn", "connected");
	cr_assert_str_eq(c.lines[0], w);
	cr_assert_eq(rs_procscan_stats(ps)->unowned, 6);
	rs_procscan_free(ps);
	race_cleanup(&r);
}

Test(race, pid_reused_during_walk_is_dropped, .timeout = 20)
{
	struct race r = {.change = change_starttime};
	struct rs_procscan *ps;
	struct hits c = {0};
	const struct rs_procscan_stats *st;

	race_setup(&r);
	st = race_run(&r, &c, &ps);
	cr_assert_eq(c.n, 0);
	cr_assert_eq(st->reused, 1);
	cr_assert_eq(st->gone, 0);
	rs_procscan_free(ps);
	race_cleanup(&r);
}

Test(race, process_exits_during_walk, .timeout = 20)
{
	struct race r = {.change = remove_stat};
	struct rs_procscan *ps;
	struct hits c = {0};
	const struct rs_procscan_stats *st;

	race_setup(&r);
	st = race_run(&r, &c, &ps);
	cr_assert_eq(c.n, 0);
	cr_assert_eq(st->gone, 1);
	cr_assert_eq(st->reused, 0);
	/* every socket to port 53 of A (7 with an inode): udp4-conn lost its owner */
	cr_assert_eq(st->unowned, 7);
	rs_procscan_free(ps);
	race_cleanup(&r);
}

Test(race, fd_dir_vanishes_between_open_and_walk, .timeout = 20)
{
	struct race r = {.change = remove_fd_dir};
	struct rs_procscan *ps;
	struct hits c = {0};
	const struct rs_procscan_stats *st;

	race_setup(&r);
	st = race_run(&r, &c, &ps);
	cr_assert_eq(c.n, 0);
	cr_assert_eq(st->gone, 1);
	rs_procscan_free(ps);
	race_cleanup(&r);
}

/* The fallback reads a process's /proc/PID/net tables, which are those of the
 * namespace the process is in when they are read: if it moved meanwhile
 * (setns), they belong to another namespace and must not be taken for the
 * one its ns/net named. The udp table is a FIFO; the writer moves the
 * process before handing it over. */
struct moved {
	char dir[64], fifo[128];
};

static void *moved_writer(void *arg)
{
	struct moved *mv = arg;
	char p[256];
	int fd = open(mv->fifo, O_WRONLY);
	const char *table = "  1: 0100007F:9C40 0900357F:0035 01 0:0 0:0 0 0 0 70001 2\n";

	if (fd < 0)
		return NULL;
	snprintf(p, sizeof(p), "%s/4243/ns/net", mv->dir);
	unlink(p);
	if (symlink("net:[4026532011]", p) < 0)
		fprintf(stderr, "moved_writer: symlink failed\n");
	if (write(fd, table, strlen(table)) != (ssize_t)strlen(table))
		fprintf(stderr, "moved_writer: short write\n");
	close(fd);
	return NULL;
}

Test(race, process_moves_to_another_namespace_during_fallback, .timeout = 20)
{
	struct moved mv;
	struct rs_procscan *ps;
	const struct rs_procscan_stats *st;
	struct hits c = {0};
	char p[256], text[512];
	pthread_t t;

	snprintf(mv.dir, sizeof(mv.dir), "/tmp/resolvstale-moved.XXXXXX");
	cr_assert_not_null(mkdtemp(mv.dir));
	snprintf(p, sizeof(p), "%s/4243", mv.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/4243/ns", mv.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/4243/fd", mv.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/4243/net", mv.dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/4243/ns/net", mv.dir);
	cr_assert_eq(symlink("net:[" NS_M "]", p), 0);
	snprintf(p, sizeof(p), "%s/4243/fd/3", mv.dir);
	cr_assert_eq(symlink("socket:[70001]", p), 0);
	snprintf(p, sizeof(p), "%s/4243/stat", mv.dir);
	stat_text(text, sizeof(text), 4243, "mover", 4243);
	write_file(p, text);
	snprintf(p, sizeof(p), "%s/4243/net/tcp", mv.dir);
	write_file(p, "");
	snprintf(mv.fifo, sizeof(mv.fifo), "%s/4243/net/udp", mv.dir);
	cr_assert_eq(mkfifo(mv.fifo, 0600), 0);

	ps = scanner(mv.dir, NULL, false);
	cr_assert_eq(pthread_create(&t, NULL, moved_writer, &mv), 0);
	cr_assert_eq(rs_procscan_run(ps, on_hit, &c), 0);
	pthread_join(t, NULL);
	st = rs_procscan_stats(ps);
	cr_assert_eq(c.n, 0);
	cr_assert_eq(st->fallbacks, 0);
	cr_assert_eq(st->ns_sockets, 0);
	cr_assert_eq(st->gone, 1);
	rs_procscan_free(ps);
	snprintf(p, sizeof(p), "rm -rf '%s'", mv.dir);
	cr_assert_eq(system(p), 0);
}

/* --- the real kernel (root) ----------------------------------------------- */

static void private_netns_or_skip(void)
{
	struct ifreq ifr;
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root (private network namespace)");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	cr_assert_eq(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	cr_assert_eq(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	close(fd);
}

static int connected_udp(const char *addr, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, addr, &a.sin_addr);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static unsigned long long my_netns(void)
{
	struct stat sb;

	cr_assert_eq(stat("/proc/self/ns/net", &sb), 0);
	return (unsigned long long)sb.st_ino;
}

struct mine {
	int32_t pid;
	size_t n;
	struct rs_procscan_hit h;
	struct rs_sock s;
};

static int on_mine(void *ctx, const struct rs_procscan_hit *h)
{
	struct mine *m = ctx;

	if (h->pid != m->pid)
		return 0;
	m->n++;
	m->h = *h;
	m->s = *h->sock;
	m->h.sock = NULL;
	return 0;
}

Test(live, own_socket_found_with_sockdiag_and_tables, .timeout = 60)
{
	struct stat sb;
	int fd, other;

	private_netns_or_skip();
	fd = connected_udp("127.53.0.1", 53);
	other = connected_udp("127.53.0.1", 5353); /* another port: never reported */
	cr_assert_eq(fstat(fd, &sb), 0);
	for (int mode = 0; mode < 2; mode++) {
		struct rs_procscan *ps = scanner("/proc", NULL, mode == 0);
		struct mine m = {.pid = getpid()};
		char got[256], want[256];

		cr_assert_eq(rs_procscan_run(ps, on_mine, &m), 0);
		cr_assert_eq(m.n, 1, "mode %d", mode);
		cr_assert_eq(m.h.fd, fd);
		cr_assert_eq(m.h.netns, my_netns());
		cr_assert_eq(m.s.netns, my_netns());
		cr_assert_eq(m.s.inode, (uint64_t)sb.st_ino);
		fmt_sock(got, sizeof(got), &m.s);
		snprintf(want, sizeof(want),
			 "udp inet connected ino=%llu 127.0.0.1:%u 127.53.0.1:53",
			 (unsigned long long)sb.st_ino, m.s.lport);
		cr_assert_str_eq(got, want);
		if (mode == 0)
			cr_assert_geq(rs_procscan_stats(ps)->nl_opened, 1);
		else
			cr_assert_eq(rs_procscan_stats(ps)->nl_opened, 0);
		rs_procscan_free(ps);
	}
	close(fd);
	close(other);
}

/* Does one of our own sockets live in network namespace ino? (SIOCGSKNS
 * gives a socket's namespace.) */
static bool holds_netns(unsigned long long ino)
{
	bool found = false;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	cr_assert_not_null(d);
	while ((e = readdir(d)) != NULL && !found) {
		struct stat sb;
		uint64_t v;
		int fd, nsfd;

		if (rs_strtou64(e->d_name, 0, INT32_MAX, &v) < 0)
			continue;
		fd = (int)v;
		if (fd == dirfd(d) || fstat(fd, &sb) < 0 || !S_ISSOCK(sb.st_mode))
			continue;
		nsfd = ioctl(fd, SIOCGSKNS);
		if (nsfd < 0)
			continue;
		found = fstat(nsfd, &sb) == 0 && (unsigned long long)sb.st_ino == ino;
		close(nsfd);
	}
	closedir(d);
	return found;
}

Test(live, netlink_socket_cached_then_closed_with_its_namespace, .timeout = 60)
{
	struct rs_procscan *ps;
	const struct rs_procscan_stats *st;
	unsigned long long kidns;
	struct mine m;
	int pfd[2];
	pid_t kid;
	char c, path[64];
	struct stat sb;

	private_netns_or_skip();
	cr_assert_eq(pipe(pfd), 0);
	kid = fork();
	cr_assert_geq(kid, 0);
	if (kid == 0) {
		/* A process in a namespace of its own, with a socket to port
		 * 53 (set up without Criterion's asserts: this is a child). */
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(53)};
		struct ifreq ifr;
		int fd;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
		ifr.ifr_flags = IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			_exit(1);
		inet_pton(AF_INET, "127.53.0.2", &a.sin_addr);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || write(pfd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], &c, 1), 1);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)kid);
	cr_assert_eq(stat(path, &sb), 0);
	kidns = (unsigned long long)sb.st_ino;
	cr_assert_neq(kidns, my_netns());
	cr_assert(!holds_netns(kidns));

	ps = scanner("/proc", NULL, true);
	st = rs_procscan_stats(ps);
	m = (struct mine){.pid = kid};
	cr_assert_eq(rs_procscan_run(ps, on_mine, &m), 0);
	cr_assert_eq(m.n, 1);
	cr_assert_eq(m.h.netns, kidns);
	cr_assert_geq(st->nl_opened, 2); /* ours and the child's, at least */
	cr_assert(holds_netns(kidns), "the sock_diag socket is cached");
	/* again: still found, still cached */
	m = (struct mine){.pid = kid};
	cr_assert_eq(rs_procscan_run(ps, on_mine, &m), 0);
	cr_assert_eq(m.n, 1);
	cr_assert(holds_netns(kidns));
	/* The child exits. Until the next scan our socket keeps its namespace
	 * alive; the next scan, which finds no process there, closes it. */
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	cr_assert(holds_netns(kidns));
	m = (struct mine){.pid = kid};
	cr_assert_eq(rs_procscan_run(ps, on_mine, &m), 0);
	cr_assert_eq(m.n, 0);
	cr_assert_geq(st->nl_closed, 1);
	cr_assert(!holds_netns(kidns), "a dead namespace is not kept alive");
	rs_procscan_free(ps);
}
