/* The eBPF source's pure parts: the cgroup v2 mount in mountinfo, the
 * tripwire's address form, its events as DNS_SEND events. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "../../src/bpf/tripwire.h"
#include "resolvstale/ebpf_src.h"
#include "testutil.h"

static int find(const char *text, char *out, size_t len)
{
	return rs_cgroup2_mount_find(text, strlen(text), out, len);
}

Test(ebpf_cgroup, unified_hierarchy)
{
	char out[256];
	const char *mi = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
			 "25 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - "
			 "cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n";

	cr_assert_eq(find(mi, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/sys/fs/cgroup");
}

Test(ebpf_cgroup, hybrid_hierarchy_after_v1_mounts)
{
	char out[256];
	const char *mi =
		"30 25 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
		"31 30 0:27 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n"
		"32 30 0:28 / /sys/fs/cgroup/memory rw master:11 - cgroup cgroup rw,memory\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw";

	cr_assert_eq(find(mi, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/sys/fs/cgroup/unified");
}

Test(ebpf_cgroup, octal_escapes_decoded)
{
	char out[256];

	cr_assert_eq(find("41 31 0:38 / /mnt/cg\\040two rw - cgroup2 none rw\n", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "/mnt/cg two");
}

Test(ebpf_cgroup, none_or_malformed)
{
	char out[32];

	cr_assert_eq(find("", out, sizeof(out)), -ENOENT);
	cr_assert_eq(find("25 22 0:23 / /sys/fs/cgroup rw - cgroup cgroup rw\n", out, sizeof(out)),
		     -ENOENT);
	/* No separator, cut lines, a cgroup2 word in the wrong field. */
	cr_assert_eq(find("25 22 0:23 / /x rw cgroup2 cgroup2 rw\n", out, sizeof(out)), -ENOENT);
	cr_assert_eq(find("25 22 0:23 /\n", out, sizeof(out)), -ENOENT);
	cr_assert_eq(find("25 22 0:23 / /cgroup2 rw - ext4 /dev/cgroup2 rw\n", out, sizeof(out)),
		     -ENOENT);
	/* A NUL from an escape is no path (the line is skipped); too long for
	 * the buffer. */
	cr_assert_eq(find("1 1 0:1 / /a\\000b rw - cgroup2 x rw\n", out, sizeof(out)), -ENOENT);
	cr_assert_eq(find("1 1 0:1 / /a-very-long-mount-point-name-here rw - cgroup2 x rw\n", out,
			  8),
		     -ENAMETOOLONG);
}

static struct rs_addr A(const char *s)
{
	struct rs_addr a;

	cr_assert_eq(rs_addr_parse(s, &a), 0, "%s", s);
	return a;
}

Test(ebpf_addr, mapped_ipv6_is_ipv4)
{
	struct rs_tw_addr t, u;
	struct rs_addr a = A("::ffff:192.0.2.53"), b = A("192.0.2.53"), back;
	char buf[RS_ADDR_STRLEN];

	cr_assert_eq(rs_tw_addr_from(&a, &t), 0);
	cr_assert_eq(rs_tw_addr_from(&b, &u), 0);
	cr_assert_eq(t.family, RS_TW_FAMILY_V4);
	cr_assert_eq(memcmp(&t, &u, sizeof(t)), 0, "the map key must be the same");
	cr_assert_eq(t.addr[0], htonl(0xc0000235));
	cr_assert_eq(t.addr[1] | t.addr[2] | t.addr[3], 0);
	rs_tw_addr_to(&t, &back);
	cr_assert_str_eq(rs_addr_format(&back, buf, sizeof(buf)), "192.0.2.53");
}

Test(ebpf_addr, ipv6_round_trip_and_no_family)
{
	struct rs_tw_addr t;
	struct rs_addr a = A("2001:db8::53"), back, none;
	char buf[RS_ADDR_STRLEN];

	cr_assert_eq(rs_tw_addr_from(&a, &t), 0);
	cr_assert_eq(t.family, RS_TW_FAMILY_V6);
	rs_tw_addr_to(&t, &back);
	cr_assert_str_eq(rs_addr_format(&back, buf, sizeof(buf)), "2001:db8::53");
	memset(&none, 0, sizeof(none));
	cr_assert_eq(rs_tw_addr_from(&none, &t), -EAFNOSUPPORT);
}

static struct rs_tw_event raw_event(void)
{
	struct rs_tw_event e;

	memset(&e, 0, sizeof(e));
	e.time_ns = 5000000000ULL;
	e.count = 7;
	e.generation = 3;
	e.tgid = 4242;
	e.tid = 4243;
	e.uid = 1000;
	e.dst.family = RS_TW_FAMILY_V4;
	e.dst.addr[0] = htonl(0x7f350001);
	e.port = 53;
	e.proto = 17;
	e.kind = RS_TW_SENDMSG;
	e.flags = RS_TW_F_RETIRED | RS_TW_F_LOOPBACK;
	memcpy(e.comm, "0123456789abcdef", 16); /* no NUL: the kernel's may fill it */
	return e;
}

Test(ebpf_event, converted_to_dns_send)
{
	struct rs_tw_event raw = raw_event();
	struct rs_event ev;
	char comm[32], buf[RS_ADDR_STRLEN];

	/* Monotonic now = 6 s, real now = 1000 s: the event was 1 s ago. */
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 6000000000LL, 1000000000000LL, &ev,
					 comm, sizeof(comm)),
		     0);
	cr_assert_eq(ev.type, RS_EV_DNS_SEND);
	cr_assert_eq(ev.source, RS_SRC_EBPF);
	cr_assert_eq(ev.time_ns, 999000000000LL);
	cr_assert_eq(ev.proc.pid, 4242, "the process (tgid), not the thread");
	cr_assert_eq(ev.proc.uid, 1000);
	cr_assert_str_eq(ev.proc.comm, "0123456789abcdef");
	cr_assert_str_eq(rs_addr_format(&ev.u.dns.dst, buf, sizeof(buf)), "127.53.0.1");
	cr_assert_eq(ev.u.dns.port, 53);
	cr_assert_eq(ev.u.dns.proto, RS_PROTO_UDP);
	cr_assert_str_eq(ev.u.dns.syscall, "sendmsg");
	cr_assert_eq(ev.u.dns.count, 7);
	cr_assert_eq(ev.u.dns.err, 0);
	cr_assert_not(ev.u.dns.fenced);
	cr_assert_eq(ev.u.dns.fd, -1);
}

Test(ebpf_event, fenced_and_refused)
{
	struct rs_tw_event raw = raw_event();
	struct rs_event ev;

	raw.kind = RS_TW_CONNECT;
	raw.proto = 6;
	raw.flags |= RS_TW_F_REDIRECT;
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 6000000000LL, 1, &ev, NULL, 0), 0);
	cr_assert_str_eq(ev.u.dns.syscall, "connect(redirected)");
	cr_assert_eq(ev.u.dns.proto, RS_PROTO_TCP);
	cr_assert(ev.u.dns.fenced);
	cr_assert_null(ev.proc.comm);
	raw.flags = RS_TW_F_RETIRED | RS_TW_F_REFUSED;
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 6000000000LL, 1, &ev, NULL, 0), 0);
	cr_assert_str_eq(ev.u.dns.syscall, "connect(refused)");
	cr_assert_eq(ev.u.dns.err, EPERM);
	cr_assert(ev.u.dns.fenced);
}

Test(ebpf_event, clock_and_count_edges)
{
	struct rs_tw_event raw = raw_event();
	struct rs_event ev;
	char comm[4];

	/* An event stamped after "now" (another CPU's clock) is now. */
	raw.time_ns = 7000000000ULL;
	raw.count = 0;
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 6000000000LL, 123, &ev, comm,
					 sizeof(comm)),
		     0);
	cr_assert_eq(ev.time_ns, 123);
	cr_assert_eq(ev.u.dns.count, 1, "an event stands for at least one send");
	cr_assert_str_eq(ev.proc.comm, "012", "comm is cut to the buffer");
	raw.count = 1ULL << 40;
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 6000000000LL, 123, &ev, NULL, 0), 0);
	cr_assert_eq(ev.u.dns.count, UINT32_MAX);
}

Test(ebpf_event, rename_and_empty_comm)
{
	struct rs_tw_event raw = raw_event();
	struct rs_event ev;
	char comm[32];

	raw.kind = RS_TW_RENAME;
	memset(&raw.dst, 0, sizeof(raw.dst));
	memset(raw.comm, 0, sizeof(raw.comm));
	snprintf(raw.path, sizeof(raw.path), "/etc/resolv.conf");
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 6000000000LL, 1, &ev, comm,
					 sizeof(comm)),
		     0);
	cr_assert_eq(ev.type, RS_EV_CONFIG_WRITE);
	cr_assert_str_eq(ev.u.config.path, "/etc/resolv.conf");
	cr_assert_str_eq(ev.u.config.syscall, "rename");
	cr_assert_null(ev.proc.comm, "an empty comm is unknown, not \"\"");
	/* A path without its NUL, or empty, is refused. */
	memset(raw.path, 'a', sizeof(raw.path));
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 1, 1, &ev, NULL, 0), -EINVAL);
	raw.path[0] = '\0';
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 1, 1, &ev, NULL, 0), -EINVAL);
}

Test(ebpf_event, malformed_records_refused)
{
	struct rs_tw_event raw = raw_event();
	struct rs_event ev;

	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw) - 1, 1, 1, &ev, NULL, 0), -EINVAL);
	raw.tgid = 0;
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 1, 1, &ev, NULL, 0), -EINVAL);
	raw = raw_event();
	raw.tgid = 0x80000000u;
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 1, 1, &ev, NULL, 0), -EINVAL);
	raw = raw_event();
	raw.dst.family = 5;
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 1, 1, &ev, NULL, 0), -EINVAL);
	raw = raw_event();
	raw.kind = 3; /* no such kind */
	cr_assert_eq(rs_tw_event_convert(&raw, sizeof(raw), 1, 1, &ev, NULL, 0), -EINVAL);
}

Test(ebpf_fence, names)
{
	enum rs_fence f;

	cr_assert_eq(rs_fence_parse("redirect", &f), 0);
	cr_assert_eq(f, RS_FENCE_REDIRECT);
	cr_assert_str_eq(rs_fence_name(f), "redirect");
	cr_assert_eq(rs_fence_parse("refuse", &f), 0);
	cr_assert_str_eq(rs_fence_name(f), "refuse");
	cr_assert_eq(rs_fence_parse("off", &f), 0);
	cr_assert_str_eq(rs_fence_name(f), "off");
	cr_assert_eq(rs_fence_parse("Redirect", &f), -EINVAL);
	cr_assert_eq(rs_fence_parse("", &f), -EINVAL);
}
