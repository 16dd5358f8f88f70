/* A network namespace's socket tables: sock_diag dumps and /proc/net tables. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "resolvstale/sockdiag.h"
#include "resolvstale/strnum.h"

/* A kernel errno is in [-4095, -1]; anything else in a reply is garbage. */
#define MAX_ERRNO 4095
/* A dump never legitimately needs more datagrams than this (a million
 * sockets fit in about 3000): a bound on the receive loop. */
#define MAX_DATAGRAMS 1000000
#define REPLAY_MAX    (64u * 1024 * 1024)
#define RECV_TIMEOUT  5 /* seconds: the kernel answers at once; never hang */

/* The `ss 'dport = :N'` filter: "remote port N, any family, any address". A
 * D_COND op whose "yes" jumps past itself (to the end: accept) and whose "no"
 * jumps 4 bytes past the end (reject), as iproute2's ssfilter_bytecompile
 * writes it, address bytes included although an AF_UNSPEC condition has
 * none. */
struct dport_filter {
	struct inet_diag_bc_op op;
	struct {
		uint8_t family;
		uint8_t prefix_len;
		uint16_t pad;
		int32_t port;
	} cond;
	uint32_t addr;
};

struct request {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 req;
	struct nlattr attr;
	struct dport_filter bc;
};

_Static_assert(sizeof(struct request) == RS_SOCKDIAG_REQ_LEN, "request layout");
_Static_assert(sizeof(struct dport_filter) == 16, "bytecode layout");

int rs_sockdiag_build_request(void *buf, size_t len, int family, enum rs_proto proto,
			      uint16_t dport, uint32_t seq)
{
	struct request r;

	if (len < sizeof(r) || (family != AF_INET && family != AF_INET6) ||
	    (proto != RS_PROTO_UDP && proto != RS_PROTO_TCP))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	r.nlh.nlmsg_len = sizeof(r);
	r.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	r.nlh.nlmsg_seq = seq;
	r.req.sdiag_family = (uint8_t)family;
	r.req.sdiag_protocol = proto == RS_PROTO_UDP ? IPPROTO_UDP : IPPROTO_TCP;
	/* All states, as ss's "all" (TCP_ESTABLISHED .. TCP_CLOSING and bit 0;
	 * the kernel adds NEW_SYN_RECV to SYN_RECV): a connected UDP socket is
	 * "established", a TCP one may be in any state, the port alone decides. */
	r.req.idiag_states = 0xfff;
	r.attr.nla_len = sizeof(r.attr) + sizeof(r.bc);
	r.attr.nla_type = INET_DIAG_REQ_BYTECODE;
	r.bc.op.code = INET_DIAG_BC_D_COND;
	r.bc.op.yes = sizeof(r.bc);
	r.bc.op.no = sizeof(r.bc) + 4;
	r.bc.cond.family = AF_UNSPEC;
	r.bc.cond.prefix_len = 0;
	/* inet_diag compares the host-order port of the socket with this int. */
	r.bc.cond.port = dport;
	memcpy(buf, &r, sizeof(r));
	return (int)sizeof(r);
}

void rs_sockdiag_parser_init(struct rs_sockdiag_parser *p, uint32_t seq, int family,
			     enum rs_proto proto, uint64_t netns)
{
	memset(p, 0, sizeof(*p));
	p->seq = seq;
	p->family = family;
	p->proto = proto;
	p->netns = netns;
}

static int parse_diag_msg(struct rs_sockdiag_parser *p, const uint8_t *pl, rs_sock_fn fn, void *ctx)
{
	struct inet_diag_msg m;
	struct rs_sock s;

	memcpy(&m, pl, sizeof(m)); /* the buffer may be unaligned (replays, fuzzing) */
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6)
		return -EBADMSG;
	if (p->family != 0 && m.idiag_family != p->family)
		return -EBADMSG;
	memset(&s, 0, sizeof(s));
	s.inode = m.idiag_inode;
	s.proto = p->proto;
	s.family = m.idiag_family;
	s.state = m.idiag_state;
	s.lport = ntohs(m.id.idiag_sport);
	s.rport = ntohs(m.id.idiag_dport);
	s.netns = p->netns;
	s.local.family = s.remote.family = s.family;
	if (s.family == AF_INET) {
		memcpy(&s.local.u.v4, &m.id.idiag_src[0], 4);
		memcpy(&s.remote.u.v4, &m.id.idiag_dst[0], 4);
	} else {
		memcpy(&s.local.u.v6, m.id.idiag_src, 16);
		memcpy(&s.remote.u.v6, m.id.idiag_dst, 16);
	}
	p->messages++;
	return fn != NULL ? fn(ctx, &s) : 0;
}

int rs_sockdiag_parse(struct rs_sockdiag_parser *p, const void *buf, size_t len, rs_sock_fn fn,
		      void *ctx)
{
	const uint8_t *b = buf;
	size_t off = 0;

	if (p->done)
		return len == 0 ? RS_SOCKDIAG_DONE : -EBADMSG;
	while (len - off >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		const uint8_t *pl;
		size_t plen, step;
		int r;

		memcpy(&h, b + off, sizeof(h));
		/* NLMSG_OK */
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len - off)
			return -EBADMSG;
		pl = b + off + NLMSG_HDRLEN;
		plen = h.nlmsg_len - NLMSG_HDRLEN;
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len - off)
			step = len - off; /* the last message may lack its padding */
		off += step;
		if (h.nlmsg_seq != p->seq) {
			/* Left over from an earlier, abandoned dump on this socket. */
			p->skipped++;
			continue;
		}
		if (h.nlmsg_flags & NLM_F_DUMP_INTR)
			p->interrupted = true;
		switch (h.nlmsg_type) {
		case NLMSG_DONE: {
			int32_t status;

			if (plen < sizeof(status))
				return -EBADMSG;
			memcpy(&status, pl, sizeof(status));
			if (status < 0)
				return status >= -MAX_ERRNO ? status : -EBADMSG;
			p->done = true;
			if (p->interrupted)
				return -EAGAIN; /* retried whatever follows */
			if (off != len)
				return -EBADMSG; /* nothing may follow the end */
			return RS_SOCKDIAG_DONE;
		}
		case NLMSG_ERROR: {
			struct nlmsgerr e;

			if (plen < sizeof(e))
				return -EBADMSG;
			memcpy(&e, pl, sizeof(e));
			if (e.error == 0)
				continue; /* an acknowledgement: not asked for, harmless */
			if (e.error > 0 || e.error < -MAX_ERRNO)
				return -EBADMSG;
			return e.error;
		}
		case NLMSG_NOOP:
			continue;
		case SOCK_DIAG_BY_FAMILY:
			if (plen < sizeof(struct inet_diag_msg))
				return -EBADMSG;
			r = parse_diag_msg(p, pl, fn, ctx);
			if (r < 0)
				return r;
			continue;
		default:
			return -EBADMSG;
		}
	}
	if (off != len)
		return -EBADMSG; /* bytes too short to be a message */
	return RS_SOCKDIAG_MORE;
}

int rs_sockdiag_open(int nsfd, int orig_nsfd)
{
	struct timeval tv = {.tv_sec = RECV_TIMEOUT};
	int fd, err = 0;

	if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		err = -errno;
	if (nsfd >= 0 && setns(orig_nsfd, CLONE_NEWNET) < 0) {
		if (fd >= 0)
			close(fd);
		return -ENOTRECOVERABLE;
	}
	if (fd < 0)
		return err;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rs_sockdiag_dump(int fd, int family, enum rs_proto proto, uint16_t dport, uint32_t seq,
		     uint64_t netns, void *buf, size_t buflen, int record_fd, rs_sock_fn fn,
		     void *ctx)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	struct rs_sockdiag_parser p;
	char req[RS_SOCKDIAG_REQ_LEN];
	ssize_t n;
	int len;

	len = rs_sockdiag_build_request(req, sizeof(req), family, proto, dport, seq);
	if (len < 0)
		return len;
	do
		n = sendto(fd, req, (size_t)len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != len)
		return -EIO;
	rs_sockdiag_parser_init(&p, seq, family, proto, netns);
	for (int i = 0; i < MAX_DATAGRAMS; i++) {
		struct sockaddr_nl from;
		struct iovec iov = {.iov_base = buf, .iov_len = buflen};
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		int r;

		n = recvmsg(fd, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return -ETIMEDOUT;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG;
		if (mh.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		/* Only the kernel (port 0) answers a dump; drop anything else. */
		if (mh.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK ||
		    from.nl_pid != 0)
			continue;
		if (record_fd >= 0) {
			r = write_all(record_fd, buf, (size_t)n);
			if (r < 0)
				return r;
		}
		r = rs_sockdiag_parse(&p, buf, (size_t)n, fn, ctx);
		if (r != RS_SOCKDIAG_MORE)
			return r;
	}
	return -EFBIG;
}

/* Read a whole file (a FIFO works too) into a malloc'd buffer. */
static int read_whole(int fd, uint8_t **out, size_t *outlen)
{
	size_t cap = 64 * 1024, len = 0;
	uint8_t *buf = malloc(cap), *nb;

	if (buf == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap >= REPLAY_MAX) {
				free(buf);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			free(buf);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int rs_sockdiag_replay(int dirfd, const char *name, int family, enum rs_proto proto, uint64_t netns,
		       rs_sock_fn fn, void *ctx)
{
	struct rs_sockdiag_parser p;
	struct nlmsghdr h;
	uint8_t *buf = NULL;
	size_t len = 0;
	int fd, r;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = read_whole(fd, &buf, &len);
	close(fd);
	if (r < 0)
		return r;
	if (len < sizeof(h)) {
		r = -EBADMSG;
		goto cleanup;
	}
	memcpy(&h, buf, sizeof(h));
	rs_sockdiag_parser_init(&p, h.nlmsg_seq, family, proto, netns);
	r = rs_sockdiag_parse(&p, buf, len, fn, ctx);
	if (r == RS_SOCKDIAG_MORE)
		r = -EBADMSG; /* the recording stops before NLMSG_DONE */
cleanup:
	free(buf);
	return r;
}

void rs_sockdiag_record_name(char *buf, size_t len, uint64_t netns, int family, enum rs_proto proto)
{
	snprintf(buf, len, "%llu-%s%c.nl", (unsigned long long)netns,
		 proto == RS_PROTO_TCP ? "tcp" : "udp", family == AF_INET6 ? '6' : '4');
}

/* --- /proc/net tables ----------------------------------------------------- */

void rs_procnet_parser_init(struct rs_procnet_parser *p, int family, enum rs_proto proto,
			    uint64_t netns)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->proto = proto;
	p->netns = netns;
}

struct token {
	const char *s;
	size_t n;
};

/* Exactly n hex digits (1..16) into *out. */
static bool hex_exact(const char *s, size_t n, uint64_t *out)
{
	char tmp[17];

	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return rs_strtox64(tmp, out) == 0;
}

/* "0100007F:0035" (IPv4) or 32 hex digits ":" 4 (IPv6), each 32-bit word of
 * the address in host byte order. */
static bool parse_endpoint(const struct token *t, int family, struct rs_addr *a, uint16_t *port)
{
	size_t alen = family == AF_INET ? 8 : 32;
	uint64_t v;

	if (t->n != alen + 5 || t->s[alen] != ':')
		return false;
	memset(a, 0, sizeof(*a));
	a->family = family;
	for (size_t w = 0; w < alen / 8; w++) {
		uint32_t word;

		if (!hex_exact(t->s + w * 8, 8, &v))
			return false;
		word = (uint32_t)v;
		if (family == AF_INET)
			memcpy(&a->u.v4, &word, 4);
		else
			memcpy(&a->u.v6.s6_addr[w * 4], &word, 4);
	}
	if (!hex_exact(t->s + alen + 1, 4, &v))
		return false;
	*port = (uint16_t)v;
	return true;
}

#define PROCNET_TOKENS 10 /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */

static int parse_procnet_line(struct rs_procnet_parser *p, const char *s, size_t n, rs_sock_fn fn,
			      void *ctx)
{
	struct token tok[PROCNET_TOKENS];
	size_t nt = 0, i = 0;
	struct rs_sock sk;
	char num[24];
	uint64_t v;

	p->lines++;
	while (i < n && nt < PROCNET_TOKENS) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		tok[nt].s = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
		tok[nt].n = (size_t)(s + i - tok[nt].s);
		nt++;
	}
	if (nt == 0)
		return 0; /* a blank line */
	if (tok[0].n == 2 && memcmp(tok[0].s, "sl", 2) == 0)
		return 0; /* the header */
	if (nt < PROCNET_TOKENS)
		goto malformed;
	/* "12:" the slot: digits and a colon */
	if (tok[0].n < 2 || tok[0].n >= sizeof(num) || tok[0].s[tok[0].n - 1] != ':')
		goto malformed;
	memcpy(num, tok[0].s, tok[0].n - 1);
	num[tok[0].n - 1] = '\0';
	if (rs_strtou64(num, 0, UINT64_MAX, &v) < 0)
		goto malformed;
	memset(&sk, 0, sizeof(sk));
	if (!parse_endpoint(&tok[1], p->family, &sk.local, &sk.lport) ||
	    !parse_endpoint(&tok[2], p->family, &sk.remote, &sk.rport))
		goto malformed;
	if (!hex_exact(tok[3].s, tok[3].n, &v) || tok[3].n != 2)
		goto malformed;
	sk.state = (uint8_t)v;
	if (tok[9].n >= sizeof(num))
		goto malformed;
	memcpy(num, tok[9].s, tok[9].n);
	num[tok[9].n] = '\0';
	if (rs_strtou64(num, 0, UINT64_MAX, &sk.inode) < 0)
		goto malformed;
	sk.proto = p->proto;
	sk.family = p->family;
	sk.netns = p->netns;
	p->sockets++;
	return fn != NULL ? fn(ctx, &sk) : 0;
malformed:
	p->malformed++;
	return 0;
}

ssize_t rs_procnet_feed(struct rs_procnet_parser *p, const char *buf, size_t len, bool eof,
			rs_sock_fn fn, void *ctx)
{
	size_t off = 0;

	while (off < len) {
		const char *line = buf + off;
		size_t rem = len - off, n, next;
		const char *nl = memchr(line, '\n', rem);
		int r;

		if (p->skipping) {
			if (nl == NULL)
				return (ssize_t)len;
			p->skipping = false;
			off += (size_t)(nl - line) + 1;
			continue;
		}
		if (nl == NULL) {
			if (rem >= RS_PROCNET_LINE_MAX) {
				/* Too long to be a socket: drop it up to its newline. */
				p->lines++;
				p->malformed++;
				p->skipping = true;
				return (ssize_t)len;
			}
			if (!eof)
				return (ssize_t)off;
			n = rem;
			next = len;
		} else {
			n = (size_t)(nl - line);
			next = off + n + 1;
		}
		if (n >= RS_PROCNET_LINE_MAX) {
			p->lines++;
			p->malformed++;
		} else {
			r = parse_procnet_line(p, line, n, fn, ctx);
			if (r < 0)
				return r;
		}
		off = next;
	}
	return (ssize_t)off;
}

int rs_procnet_read(int dirfd, const char *name, struct rs_procnet_parser *p, char *buf,
		    size_t buflen, rs_sock_fn fn, void *ctx)
{
	size_t have = 0;
	int fd, r = 0;

	if (buflen < RS_PROCNET_READ_MIN + RS_PROCNET_LINE_MAX)
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return errno == ESRCH ? -ENOENT : -errno;
	for (;;) {
		ssize_t n, used;

		/* have < RS_PROCNET_LINE_MAX: every read asks for >= 64 KiB. */
		n = read(fd, buf + have, buflen - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = errno == ESRCH ? -ENOENT : -errno;
			break;
		}
		have += (size_t)n;
		used = rs_procnet_feed(p, buf, have, n == 0, fn, ctx);
		if (used < 0) {
			r = (int)used;
			break;
		}
		have -= (size_t)used;
		if (have > 0)
			memmove(buf, buf + used, have);
		if (n == 0)
			break;
	}
	close(fd);
	return r;
}
