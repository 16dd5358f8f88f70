/* The tripwire: cgroup socket-address programs that see every connect(2)
 * and every unconnected UDP send to port 53 on the host, and tell user space
 * only what matters after a resolv.conf change:
 *
 *   - a send to a retired server: always (the first per process and server,
 *     then at most stale_per_sec a second with the sends in between counted);
 *   - a send to a current server: once per (process, server, kind) and
 *     generation (positive evidence of a reload), counted in the kernel after;
 *   - anything else: one hash lookup, nothing else.
 *
 * A loopback address is another server in every network namespace; user
 * space tells the netns map which namespaces read the watched file, and
 * loopback sends from the others are dropped here.
 *
 * The programs always allow the operation, unless the operator asked for the
 * fence: then a connect or send to a retired server is sent to the first
 * current one (redirect, with the reply's source rewritten back so that
 * clients that check it accept the answer) or fails with EPERM (refuse).
 *
 * struct bpf_sock_addr is UAPI: no CO-RE, no vmlinux.h.
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "tripwire.h"

#define AF_INET     2
#define AF_INET6    10
#define SOCK_STREAM 1
#define SOCK_DGRAM  2
#define PROTO_TCP   6
#define PROTO_UDP   17
#define DNS_PORT    53
#define NSEC_PER_SEC 1000000000ULL

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rs_tw_config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RS_TW_MAX_SERVERS);
	__type(key, struct rs_tw_addr);
	__type(value, __u32); /* RS_TW_SERVER_* */
} servers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RS_TW_MAX_NETNS);
	__type(key, __u64); /* netns cookie */
	__type(value, __u32); /* RS_TW_NETNS_* */
} netns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RS_TW_MAX_RATE);
	__type(key, struct rs_tw_rate_key);
	__type(value, struct rs_tw_rate);
} rate SEC(".maps");

/* The rate entries that hold folded sends no event has carried yet: marked
 * once per burst (when the first send of it is folded), so that user space
 * sweeps these few entries, not the whole rate map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RS_TW_MAX_FOLDED);
	__type(key, struct rs_tw_rate_key);
	__type(value, __u8);
} folded SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RS_TW_MAX_SEEN);
	__type(key, struct rs_tw_seen_key);
	__type(value, struct rs_tw_seen);
} seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RS_TW_MAX_FENCED);
	__type(key, __u64); /* socket cookie */
	__type(value, struct rs_tw_fenced);
} fenced SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RS_TW_RINGBUF_SIZE);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, RS_TW_ST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += 1; /* per CPU: no other writer */
}

/* The destination as the process wrote it, IPv4-mapped IPv6 made IPv4. */
/* v6 is a constant in each program: the verifier refuses a program of one
 * family that touches the other's fields, even on a path never taken. */
static __always_inline int read_dst(struct bpf_sock_addr *ctx, struct rs_tw_addr *a,
				    __u32 *flags, const int v6)
{
	if (!v6) {
		a->family = RS_TW_FAMILY_V4;
		a->addr[0] = ctx->user_ip4;
		return 0;
	}
	{
		__u32 w0 = ctx->user_ip6[0], w1 = ctx->user_ip6[1];
		__u32 w2 = ctx->user_ip6[2], w3 = ctx->user_ip6[3];

		if (w0 == 0 && w1 == 0 && w2 == bpf_htonl(0xffff)) {
			a->family = RS_TW_FAMILY_V4;
			a->addr[0] = w3;
			*flags |= RS_TW_F_MAPPED;
			return 0;
		}
		a->family = RS_TW_FAMILY_V6;
		a->addr[0] = w0;
		a->addr[1] = w1;
		a->addr[2] = w2;
		a->addr[3] = w3;
		return 0;
	}
}

static __always_inline int is_loopback(const struct rs_tw_addr *a)
{
	if (a->family == RS_TW_FAMILY_V4)
		return (bpf_ntohl(a->addr[0]) >> 24) == 127;
	return a->addr[0] == 0 && a->addr[1] == 0 && a->addr[2] == 0 &&
	       a->addr[3] == bpf_htonl(1);
}

static __always_inline __u8 proto_of(struct bpf_sock_addr *ctx)
{
	if (ctx->type == SOCK_DGRAM)
		return PROTO_UDP;
	if (ctx->type == SOCK_STREAM)
		return PROTO_TCP;
	return 0;
}

static __always_inline void emit(struct bpf_sock_addr *ctx, const struct rs_tw_config *cfg,
				 const struct rs_tw_addr *dst, __u32 kind, __u32 flags,
				 __u64 count)
{
	struct rs_tw_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	__u64 pt, ug;

	if (!e) {
		stat_inc(RS_TW_ST_DROPPED);
		return;
	}
	pt = bpf_get_current_pid_tgid();
	ug = bpf_get_current_uid_gid();
	e->time_ns = bpf_ktime_get_ns();
	e->count = count;
	e->generation = cfg->generation;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->netns_cookie = bpf_get_netns_cookie(ctx);
	e->tgid = pt >> 32;
	e->tid = (__u32)pt;
	e->uid = (__u32)ug;
	e->gid = ug >> 32;
	e->dst = *dst;
	e->port = DNS_PORT;
	e->proto = proto_of(ctx);
	e->kind = kind;
	e->flags = flags;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	stat_inc(RS_TW_ST_EMITTED);
}

/* A current server: report the first send of the generation per (process,
 * server, kind), count the others. */
static __always_inline void current_send(struct bpf_sock_addr *ctx,
					 const struct rs_tw_config *cfg,
					 const struct rs_tw_addr *dst, __u32 kind, __u32 flags)
{
	struct rs_tw_seen_key k = {};
	struct rs_tw_seen *s, fresh = {};

	stat_inc(RS_TW_ST_CURRENT);
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.kind = kind;
	k.dst = *dst;
	s = bpf_map_lookup_elem(&seen, &k);
	if (s && s->generation == cfg->generation) {
		__sync_fetch_and_add(&s->count, 1);
		return;
	}
	fresh.generation = cfg->generation;
	fresh.count = 1;
	bpf_map_update_elem(&seen, &k, &fresh, BPF_ANY);
	emit(ctx, cfg, dst, kind, flags | RS_TW_F_CURRENT, 1);
}

/* A retired server: the first send per (process, server) and generation is
 * reported at once; after that at most stale_per_sec events a second, each
 * carrying the sends since the one before. The count is kept without
 * atomics: two CPUs racing on one entry may lose a count, never an event
 * that starts a process's evidence. */
static __always_inline void retired_send(struct bpf_sock_addr *ctx,
					 const struct rs_tw_config *cfg,
					 const struct rs_tw_addr *dst, __u32 kind, __u32 flags)
{
	struct rs_tw_rate_key k = {};
	struct rs_tw_rate *r, fresh = {};
	__u64 now = bpf_ktime_get_ns(), count;

	stat_inc(RS_TW_ST_RETIRED);
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	k.dst = *dst;
	r = bpf_map_lookup_elem(&rate, &k);
	if (!r || r->generation != cfg->generation) {
		fresh.generation = cfg->generation;
		fresh.window_ns = now;
		fresh.emitted = 1;
		bpf_map_update_elem(&rate, &k, &fresh, BPF_ANY);
		emit(ctx, cfg, dst, kind, flags, 1);
		return;
	}
	r->pending += 1;
	r->kind = kind;
	r->proto = proto_of(ctx);
	r->flags = flags;
	if (now - r->window_ns >= NSEC_PER_SEC) {
		r->window_ns = now;
		r->emitted = 0;
	}
	if (r->emitted >= cfg->stale_per_sec) {
		__u8 one = 1;

		stat_inc(RS_TW_ST_RATE_LIMITED);
		if (r->pending == 1)
			bpf_map_update_elem(&folded, &k, &one, BPF_ANY);
		return;
	}
	r->emitted += 1;
	count = r->pending;
	r->pending = 0;
	emit(ctx, cfg, dst, kind, flags, count);
}

static __always_inline void write_dst(struct bpf_sock_addr *ctx, const struct rs_tw_addr *to,
				      const int v6)
{
	if (!v6) {
		ctx->user_ip4 = to->addr[0];
	} else if (to->family == RS_TW_FAMILY_V4) {
		ctx->user_ip6[3] = to->addr[0]; /* ::ffff:a.b.c.d stays mapped */
	} else {
		ctx->user_ip6[0] = to->addr[0];
		ctx->user_ip6[1] = to->addr[1];
		ctx->user_ip6[2] = to->addr[2];
		ctx->user_ip6[3] = to->addr[3];
	}
}

/* The fence, when the operator asked for it. Returns the program's verdict
 * (1 allow, 0 fail with EPERM) and says what it did in *flags. */
static __always_inline int fence(struct bpf_sock_addr *ctx, const struct rs_tw_config *cfg,
				 const struct rs_tw_addr *dst, __u32 *flags, const int v6)
{
	const struct rs_tw_addr *to;
	struct rs_tw_fenced f = {};
	__u64 cookie;

	if (cfg->fence == RS_TW_FENCE_REFUSE) {
		*flags |= RS_TW_F_REFUSED;
		stat_inc(RS_TW_ST_FENCED);
		return 0;
	}
	if (cfg->fence != RS_TW_FENCE_REDIRECT)
		return 1;
	to = dst->family == RS_TW_FAMILY_V4 ? &cfg->to4 : &cfg->to6;
	if (to->family != dst->family)
		return 1; /* no current server of that family: leave it */
	write_dst(ctx, to, v6);
	*flags |= RS_TW_F_REDIRECT;
	stat_inc(RS_TW_ST_FENCED);
	cookie = bpf_get_socket_cookie(ctx);
	f.orig = *dst;
	f.to = *to;
	bpf_map_update_elem(&fenced, &cookie, &f, BPF_ANY);
	return 1;
}

static __always_inline int tripwire(struct bpf_sock_addr *ctx, __u32 kind, const int v6)
{
	struct rs_tw_addr dst = {};
	struct rs_tw_config *cfg;
	__u32 zero = 0, flags = 0, *server;
	int verdict;

	if (ctx->user_port != bpf_htons(DNS_PORT))
		return 1;
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg || !cfg->armed)
		return 1;
	if (read_dst(ctx, &dst, &flags, v6) < 0)
		return 1;
	stat_inc(RS_TW_ST_HOOK);
	server = bpf_map_lookup_elem(&servers, &dst);
	if (!server)
		return 1;
	if (is_loopback(&dst)) {
		__u64 cookie = bpf_get_netns_cookie(ctx);
		__u32 *v = bpf_map_lookup_elem(&netns, &cookie);

		if (v && *v == RS_TW_NETNS_OTHER) {
			stat_inc(RS_TW_ST_OTHER_NETNS);
			return 1;
		}
		flags |= RS_TW_F_LOOPBACK;
		/* The fence acts only where user space has confirmed that
		 * the loopback address is the watched file's server. */
		if (*server == RS_TW_SERVER_RETIRED && (!v || *v != RS_TW_NETNS_READS)) {
			retired_send(ctx, cfg, &dst, kind, flags | RS_TW_F_RETIRED);
			return 1;
		}
	}
	if (*server == RS_TW_SERVER_CURRENT) {
		current_send(ctx, cfg, &dst, kind, flags);
		return 1;
	}
	flags |= RS_TW_F_RETIRED;
	verdict = fence(ctx, cfg, &dst, &flags, v6);
	retired_send(ctx, cfg, &dst, kind, flags);
	return verdict;
}

/* --- writers: rename(2) onto the watched file ------------------------------- */

/* The raw tracepoint record of a syscall's entry (trace_event_raw_sys_enter:
 * the common fields, the syscall number, its six arguments). Its layout is
 * the same on every kernel since the syscall tracepoints exist. */
struct sys_enter {
	__u64 common;
	__s64 nr;
	__u64 args[6];
};

/* Does the path (n bytes with its NUL, as bpf_probe_read_user_str said) end
 * in "/name", or is it name? Compared from the end: no loop carries state
 * that depends on the bytes, which keeps the verifier's work linear. */
static __always_inline int last_is(const char *path, long n, const char *name, __u32 len)
{
	long start = n - 1 - (long)len;

	if (len == 0 || len >= RS_TW_NAME_MAX || start < 0)
		return 0;
	if (start > 0 && path[(start - 1) & (RS_TW_PATH_MAX - 1)] != '/')
		return 0;
	for (__u32 i = 0; i < RS_TW_NAME_MAX; i++) {
		if (i >= len)
			return 1;
		if (path[(start + i) & (RS_TW_PATH_MAX - 1)] != name[i])
			return 0;
	}
	return 1;
}

static __always_inline int renamed_onto(const char *path, const int kernel)
{
	struct rs_tw_config *cfg;
	struct rs_tw_event *e;
	__u32 zero = 0;
	__u64 pt, ug;
	long n;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg || !cfg->armed || !path)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(RS_TW_ST_DROPPED);
		return 0;
	}
	n = kernel ? bpf_probe_read_kernel_str(e->path, sizeof(e->path), path)
		   : bpf_probe_read_user_str(e->path, sizeof(e->path), path);
	if (n <= 0 || !(last_is(e->path, n, cfg->names[0], cfg->name_len[0]) ||
			last_is(e->path, n, cfg->names[1], cfg->name_len[1]))) {
		bpf_ringbuf_discard(e, 0);
		return 0;
	}
	pt = bpf_get_current_pid_tgid();
	ug = bpf_get_current_uid_gid();
	e->time_ns = bpf_ktime_get_ns();
	e->count = 1;
	e->generation = cfg->generation;
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->netns_cookie = 0;
	e->tgid = pt >> 32;
	e->tid = (__u32)pt;
	e->uid = (__u32)ug;
	e->gid = ug >> 32;
	__builtin_memset(&e->dst, 0, sizeof(e->dst));
	e->port = 0;
	e->proto = 0;
	e->kind = RS_TW_RENAME;
	e->flags = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	stat_inc(RS_TW_ST_EMITTED);
	return 0;
}

/* The kernel's copy of a path argument; only its first field is read, at
 * the offset the running kernel's BTF gives (CO-RE). */
struct filename {
	const char *name;
} __attribute__((preserve_access_index));

/* Every rename(2), renameat(2) and renameat2(2) goes through
 * do_renameat2(olddfd, from, newdfd, to, flags) (kernel 5.12 and later):
 * an fentry program there needs BTF but no tracefs. */
SEC("fentry/do_renameat2")
int tw_do_renameat2(unsigned long long *ctx)
{
	struct filename *to = (struct filename *)ctx[3];
	const char *name = 0;

	if (!to || bpf_probe_read_kernel(&name, sizeof(name), &to->name) < 0)
		return 0;
	return renamed_onto(name, 1);
}

/* Without BTF (or before 5.12): the syscall tracepoints, which need tracefs
 * mounted. */
SEC("tracepoint/syscalls/sys_enter_rename")
int tw_rename(struct sys_enter *ctx)
{
	return renamed_onto((const char *)ctx->args[1], 0);
}

SEC("tracepoint/syscalls/sys_enter_renameat")
int tw_renameat(struct sys_enter *ctx)
{
	return renamed_onto((const char *)ctx->args[3], 0);
}

SEC("tracepoint/syscalls/sys_enter_renameat2")
int tw_renameat2(struct sys_enter *ctx)
{
	return renamed_onto((const char *)ctx->args[3], 0);
}

/* --- DNS sends ------------------------------------------------------------- */

SEC("cgroup/connect4")
int tw_connect4(struct bpf_sock_addr *ctx)
{
	return tripwire(ctx, RS_TW_CONNECT, 0);
}

SEC("cgroup/connect6")
int tw_connect6(struct bpf_sock_addr *ctx)
{
	return tripwire(ctx, RS_TW_CONNECT, 1);
}

SEC("cgroup/sendmsg4")
int tw_sendmsg4(struct bpf_sock_addr *ctx)
{
	return tripwire(ctx, RS_TW_SENDMSG, 0);
}

SEC("cgroup/sendmsg6")
int tw_sendmsg6(struct bpf_sock_addr *ctx)
{
	return tripwire(ctx, RS_TW_SENDMSG, 1);
}

/* The reply to a redirected query comes from the current server; clients
 * that check the source (glibc, musl, dnspython, dnsmasq) expect the
 * server they asked. Attached only with the redirect fence. */
static __always_inline int unfence_reply(struct bpf_sock_addr *ctx, const int v6)
{
	struct rs_tw_fenced *f;
	__u64 cookie;

	if (ctx->user_port != bpf_htons(DNS_PORT))
		return 1;
	cookie = bpf_get_socket_cookie(ctx);
	f = bpf_map_lookup_elem(&fenced, &cookie);
	if (!f)
		return 1;
	if (!v6) {
		if (f->to.family == RS_TW_FAMILY_V4 && ctx->user_ip4 == f->to.addr[0]) {
			ctx->user_ip4 = f->orig.addr[0];
			stat_inc(RS_TW_ST_REPLIES);
		}
		return 1;
	}
	if (f->to.family == RS_TW_FAMILY_V4) {
		if (ctx->user_ip6[0] == 0 && ctx->user_ip6[1] == 0 &&
		    ctx->user_ip6[2] == bpf_htonl(0xffff) && ctx->user_ip6[3] == f->to.addr[0]) {
			ctx->user_ip6[3] = f->orig.addr[0];
			stat_inc(RS_TW_ST_REPLIES);
		}
		return 1;
	}
	if (ctx->user_ip6[0] == f->to.addr[0] && ctx->user_ip6[1] == f->to.addr[1] &&
	    ctx->user_ip6[2] == f->to.addr[2] && ctx->user_ip6[3] == f->to.addr[3]) {
		ctx->user_ip6[0] = f->orig.addr[0];
		ctx->user_ip6[1] = f->orig.addr[1];
		ctx->user_ip6[2] = f->orig.addr[2];
		ctx->user_ip6[3] = f->orig.addr[3];
		stat_inc(RS_TW_ST_REPLIES);
	}
	return 1;
}

SEC("cgroup/recvmsg4")
int tw_recvmsg4(struct bpf_sock_addr *ctx)
{
	return unfence_reply(ctx, 0);
}

SEC("cgroup/recvmsg6")
int tw_recvmsg6(struct bpf_sock_addr *ctx)
{
	return unfence_reply(ctx, 1);
}
