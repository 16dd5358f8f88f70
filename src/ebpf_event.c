/* The eBPF source's pure parts: finding the cgroup v2 mount, converting
 * addresses and events. No libbpf, no kernel: unit-tested and fuzzed. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "../src/bpf/tripwire.h"
#include "resolvstale/ebpf_src.h"

/* One space-separated field of a mountinfo line: [*p, end). */
static const char *next_field(const char **p, const char *end, size_t *flen)
{
	const char *s = *p, *e;

	while (s < end && *s == ' ')
		s++;
	e = s;
	while (e < end && *e != ' ')
		e++;
	*flen = (size_t)(e - s);
	*p = e;
	return s;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static int unescape(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		}
		if (c == '\0')
			return -EINVAL;
		if (o + 1 >= outlen)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* A line: id parent major:minor root mountpoint options [optional...] - fstype source super */
static int line_cgroup2(const char *s, const char *end, char *out, size_t outlen)
{
	const char *mp = NULL, *f;
	size_t mplen = 0, flen;
	const char *p = s;

	for (int i = 0; i < 5; i++) {
		f = next_field(&p, end, &flen);
		if (flen == 0)
			return -ENOENT;
		if (i == 4) {
			mp = f;
			mplen = flen;
		}
	}
	/* Optional fields up to the lone "-". */
	for (int i = 0; i < 64; i++) {
		f = next_field(&p, end, &flen);
		if (flen == 0)
			return -ENOENT;
		if (flen == 1 && f[0] == '-')
			break;
	}
	f = next_field(&p, end, &flen);
	if (flen != 7 || memcmp(f, "cgroup2", 7) != 0)
		return -ENOENT;
	return unescape(mp, mplen, out, outlen);
}

int rs_cgroup2_mount_find(const char *mountinfo, size_t len, char *out, size_t outlen)
{
	const char *p = mountinfo, *end = mountinfo + len;

	if (outlen == 0)
		return -ENAMETOOLONG;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		int r = line_cgroup2(p, le, out, outlen);

		if (r == 0 || r == -ENAMETOOLONG)
			return r;
		p = nl ? nl + 1 : end;
	}
	out[0] = '\0';
	return -ENOENT;
}

int rs_tw_addr_from(const struct rs_addr *a, struct rs_tw_addr *out)
{
	struct rs_addr u;

	memset(out, 0, sizeof(*out));
	rs_addr_unmap(a, &u);
	if (u.family == AF_INET) {
		out->family = RS_TW_FAMILY_V4;
		memcpy(&out->addr[0], &u.u.v4, 4);
		return 0;
	}
	if (u.family == AF_INET6) {
		out->family = RS_TW_FAMILY_V6;
		memcpy(out->addr, &u.u.v6, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

void rs_tw_addr_to(const struct rs_tw_addr *a, struct rs_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (a->family == RS_TW_FAMILY_V4) {
		out->family = AF_INET;
		memcpy(&out->u.v4, &a->addr[0], 4);
	} else if (a->family == RS_TW_FAMILY_V6) {
		out->family = AF_INET6;
		memcpy(&out->u.v6, a->addr, 16);
	}
}

/* The evidence says what the fence did: a report lists "connect(redirected)"
 * apart from plain connects. */
static const char *kind_syscall(unsigned kind, unsigned flags)
{
	bool redirected = flags & RS_TW_F_REDIRECT, refused = flags & RS_TW_F_REFUSED;

	switch (kind) {
	case RS_TW_CONNECT:
		return redirected ? "connect(redirected)" : refused ? "connect(refused)" : "connect";
	case RS_TW_SENDMSG:
		return redirected ? "sendmsg(redirected)" : refused ? "sendmsg(refused)" : "sendmsg";
	default:
		return NULL;
	}
}

int rs_tw_event_convert(const struct rs_tw_event *raw, size_t len, int64_t mono_now_ns,
			int64_t real_now_ns, struct rs_event *ev, char *comm, size_t commlen)
{
	const char *sc;
	size_t n;

	if (len < sizeof(*raw) || raw->tgid == 0 || raw->tgid > INT32_MAX)
		return -EINVAL;
	if (raw->kind == RS_TW_RENAME) {
		if (memchr(raw->path, '\0', sizeof(raw->path)) == NULL || raw->path[0] == '\0')
			return -EINVAL;
	} else if (raw->dst.family != RS_TW_FAMILY_V4 && raw->dst.family != RS_TW_FAMILY_V6) {
		return -EINVAL;
	}
	sc = raw->kind == RS_TW_RENAME ? "rename" : kind_syscall(raw->kind, raw->flags);
	if (sc == NULL)
		return -EINVAL;
	memset(ev, 0, sizeof(*ev));
	ev->type = RS_EV_DNS_SEND;
	ev->source = RS_SRC_EBPF;
	/* The kernel's clock is CLOCK_MONOTONIC; an event from the future
	 * (clock skew between CPUs) is "now". */
	ev->time_ns = real_now_ns;
	if (raw->time_ns <= (uint64_t)mono_now_ns)
		ev->time_ns = real_now_ns - (mono_now_ns - (int64_t)raw->time_ns);
	ev->proc.pid = (int32_t)raw->tgid;
	ev->proc.ppid = -1;
	ev->proc.uid = raw->uid;
	ev->proc.auid = -1;
	if (comm != NULL && commlen > 0) {
		n = strnlen(raw->comm, sizeof(raw->comm));
		if (n >= commlen)
			n = commlen - 1;
		memcpy(comm, raw->comm, n);
		comm[n] = '\0';
		ev->proc.comm = n > 0 ? comm : NULL;
	}
	if (raw->kind == RS_TW_RENAME) {
		ev->type = RS_EV_CONFIG_WRITE;
		ev->u.config.path = raw->path;
		ev->u.config.syscall = sc;
		return 0;
	}
	rs_tw_addr_to(&raw->dst, &ev->u.dns.dst);
	ev->u.dns.port = raw->port;
	ev->u.dns.proto = raw->proto == 17 ? RS_PROTO_UDP : raw->proto == 6 ? RS_PROTO_TCP
									  : RS_PROTO_UNKNOWN;
	ev->u.dns.syscall = sc;
	ev->u.dns.err = (raw->flags & RS_TW_F_REFUSED) ? EPERM : 0;
	ev->u.dns.fd = -1;
	ev->u.dns.count = raw->count > UINT32_MAX ? UINT32_MAX : (uint32_t)raw->count;
	if (ev->u.dns.count == 0)
		ev->u.dns.count = 1;
	ev->u.dns.fenced = (raw->flags & (RS_TW_F_REDIRECT | RS_TW_F_REFUSED)) != 0;
	return 0;
}
