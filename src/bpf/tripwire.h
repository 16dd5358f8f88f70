/* What the tripwire's BPF programs (tripwire.bpf.c) and user space
 * (ebpf_src.c) share: map keys and values, the event record, flags.
 *
 * Plain fixed-size types only: the same header is compiled for the BPF
 * target and for the host. Addresses are in network byte order; an IPv4
 * address (also one reached through an IPv4-mapped IPv6 destination) is
 * family 4 with the address in addr[0] and the rest zero.
 */
#ifndef RESOLVSTALE_BPF_TRIPWIRE_H
#define RESOLVSTALE_BPF_TRIPWIRE_H

#include <linux/types.h>

#define RS_TW_FAMILY_V4 4
#define RS_TW_FAMILY_V6 6

#define RS_TW_MAX_SERVERS  64    /* retired + current addresses */
#define RS_TW_MAX_RATE     16384 /* (process, destination) pairs tracked */
#define RS_TW_MAX_SEEN     16384 /* (process, destination, kind) for current servers */
#define RS_TW_MAX_NETNS    1024
#define RS_TW_MAX_FENCED   8192  /* sockets whose destination was rewritten */
#define RS_TW_MAX_FOLDED   4096  /* (process, server) pairs with sends folded into a count */
#define RS_TW_RINGBUF_SIZE (256 * 1024)
#define RS_TW_PATH_MAX     128 /* a rename's destination as the process wrote it */
#define RS_TW_NAME_MAX     64  /* a watched file name (last component) */

/* Where the send was seen. */
enum rs_tw_kind {
	RS_TW_CONNECT = 1, /* connect(2) on a UDP or TCP socket */
	RS_TW_SENDMSG = 2, /* an unconnected UDP send: sendto/sendmsg/sendmmsg */
	RS_TW_RENAME = 4,  /* rename(2) onto a file of a watched name */
};

/* Event flags. */
#define RS_TW_F_RETIRED   (1u << 0) /* the destination is a retired server */
#define RS_TW_F_CURRENT   (1u << 1) /* ... a current one (first send only) */
#define RS_TW_F_LOOPBACK  (1u << 2) /* a loopback address: depends on the netns */
#define RS_TW_F_MAPPED    (1u << 3) /* written as ::ffff:a.b.c.d */
#define RS_TW_F_REDIRECT  (1u << 4) /* the fence rewrote the destination */
#define RS_TW_F_REFUSED   (1u << 5) /* the fence failed the call (EPERM) */

enum rs_tw_fence {
	RS_TW_FENCE_OFF = 0,
	RS_TW_FENCE_REDIRECT = 1,
	RS_TW_FENCE_REFUSE = 2,
};

/* Values of the servers map. */
#define RS_TW_SERVER_RETIRED 1
#define RS_TW_SERVER_CURRENT 2

/* Values of the netns map: does this network namespace's loopback address
 * reach the resolver the watched file names? */
#define RS_TW_NETNS_READS 1 /* yes: a retired loopback address counts */
#define RS_TW_NETNS_OTHER 2 /* no: drop its loopback sends in the kernel */

struct rs_tw_addr {
	__u32 family; /* RS_TW_FAMILY_V4 or _V6 */
	__u32 addr[4];
};

struct rs_tw_config {
	__u64 generation;     /* the generation in force */
	__u32 fence;          /* enum rs_tw_fence */
	__u32 stale_per_sec;  /* events per (process, retired server) and second */
	struct rs_tw_addr to4; /* redirect target for IPv4 (family 0: none) */
	struct rs_tw_addr to6; /* redirect target for IPv6 (family 0: none) */
	__u32 armed;          /* 0 until user space has filled the maps */
	__u32 pad;
	/* The last component of the watched path and of its final target:
	 * renames onto a file of one of these names are reported (writers
	 * such as sed -i exit before anyone can read /proc). "" for none. */
	char names[2][RS_TW_NAME_MAX];
	__u32 name_len[2]; /* strlen of each, < RS_TW_NAME_MAX; 0: unused */
};

struct rs_tw_rate_key {
	__u32 tgid;
	struct rs_tw_addr dst;
};

struct rs_tw_rate {
	__u64 generation;
	__u64 window_ns;   /* start of the current second */
	__u64 pending;     /* sends not reported yet */
	__u32 emitted;     /* events in the current second */
	__u8 kind;         /* of the last send: for the count user space reports */
	__u8 proto;
	__u16 pad;
	__u32 flags;
	__u32 pad2;
};

struct rs_tw_seen_key {
	__u32 tgid;
	__u32 kind;
	struct rs_tw_addr dst;
};

struct rs_tw_seen {
	__u64 generation;
	__u64 count;
};

/* What the fence did to a socket, for the reply (recvmsg) programs. */
struct rs_tw_fenced {
	struct rs_tw_addr orig; /* the retired server the process named */
	struct rs_tw_addr to;   /* where the fence sent it */
};

struct rs_tw_event {
	__u64 time_ns;      /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u64 count;        /* sends this event stands for (>= 1) */
	__u64 generation;
	__u64 cgroup_id;
	__u64 netns_cookie;
	__u32 tgid, tid;
	__u32 uid, gid;
	struct rs_tw_addr dst; /* the destination the process named */
	__u16 port;            /* host byte order */
	__u8 proto;            /* IPPROTO_UDP or IPPROTO_TCP (0: other) */
	__u8 kind;             /* enum rs_tw_kind */
	__u32 flags;           /* RS_TW_F_* */
	char comm[16];
	char path[RS_TW_PATH_MAX]; /* RS_TW_RENAME: the destination, NUL-terminated */
};

/* Counters (a per-CPU array, summed by user space). */
enum rs_tw_stat {
	RS_TW_ST_HOOK = 0,     /* port-53 operations looked at */
	RS_TW_ST_RETIRED,      /* sends to retired servers */
	RS_TW_ST_CURRENT,      /* sends to current servers */
	RS_TW_ST_EMITTED,      /* events written to the ring buffer */
	RS_TW_ST_RATE_LIMITED, /* retired sends folded into a later event */
	RS_TW_ST_DROPPED,      /* events lost: the ring buffer was full */
	RS_TW_ST_FENCED,       /* sends redirected or refused */
	RS_TW_ST_REPLIES,      /* reply sources rewritten back */
	RS_TW_ST_OTHER_NETNS,  /* loopback sends in namespaces that do not read the file */
	RS_TW_ST_MAX
};

#endif
