/* The eBPF source: a tripwire on retired resolvers (src/bpf/tripwire.bpf.c).
 *
 * cgroup socket-address programs on the cgroup v2 root see every connect(2)
 * (UDP and TCP) and every unconnected UDP send (sendto, sendmsg, sendmmsg)
 * to port 53 of every process on the host, in every network namespace,
 * including processes that started before the daemon and before audit was
 * ever enabled. The kernel side filters: a send to a retired server always
 * reaches user space (the first per process and server at once, then at a
 * bounded rate, with the sends in between counted); a send to a current
 * server once per (process, server, kind) and generation; anything else
 * costs one hash lookup. Events become DNS_SEND events from source "ebpf"
 * (count = the sends they stand for); ring-buffer overflows become
 * EVENTS_LOST.
 *
 * Not seen: a send on a UDP socket connected before the programs were
 * attached (the socket's connect happened before; the /proc scan finds such
 * sockets). Connects and sends made through io_uring take the same kernel
 * paths as the syscalls and should be seen (not tested).
 *
 * Writers: tracepoints on rename, renameat and renameat2 report a rename
 * onto a file named like the watched file or its final target, with the
 * renamer's pid, comm and uid, so that "who wrote it" is known without
 * audit's write rule (which would cost every syscall of every audited
 * process its path names).
 *
 * The programs are attached with BPF links owned by this process: they go
 * away with it, also after kill -9. Nothing is pinned.
 *
 * The fence (off by default) changes what processes do: redirect sends a
 * connect or send to a retired server to the first current server of the
 * same family (and rewrites the reply's source back, recvmsg programs);
 * refuse fails it with EPERM. Loopback destinations are fenced only in
 * network namespaces confirmed to read the watched file.
 */
#ifndef RESOLVSTALE_EBPF_SRC_H
#define RESOLVSTALE_EBPF_SRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "resolvstale/addr.h"
#include "resolvstale/event.h"
#include "resolvstale/proccache.h"

enum rs_fence {
	RS_FENCE_OFF = 0,
	RS_FENCE_REDIRECT,
	RS_FENCE_REFUSE,
};

#define RS_EBPF_STALE_PER_SEC 10 /* default events per (process, retired server) a second */
#define RS_EBPF_MAX_SERVERS   64

struct rs_ebpf_src_opts {
	struct rs_proccache *cache; /* identities by pid (may be NULL) */
	struct rs_sink sink;
	void (*notice)(void *ctx, const char *level, const char *msg);
	void *notice_ctx;
	/* Whether a process's network namespace reaches the watched file's
	 * resolvers through its loopback addresses (it reads the file): 1
	 * yes, 0 no, -1 cannot tell. Asked once per namespace, for the first
	 * loopback send seen there. NULL: every namespace counts. */
	int (*netns_reads)(void *ctx, int32_t pid);
	void *netns_ctx;
	const char *cgroup_path; /* the cgroup v2 root; NULL: found in mountinfo */
	enum rs_fence fence;
	unsigned stale_per_sec; /* 0: RS_EBPF_STALE_PER_SEC */
};

struct rs_ebpf_src_stats {
	/* from the kernel (summed over CPUs) */
	uint64_t hook;         /* port-53 operations looked at */
	uint64_t retired;      /* sends to retired servers */
	uint64_t current;      /* sends to current servers */
	uint64_t emitted;      /* events written by the kernel */
	uint64_t rate_limited; /* retired sends folded into later events */
	uint64_t dropped;      /* events lost (ring buffer full) */
	uint64_t fenced;       /* sends redirected or refused */
	uint64_t replies;      /* reply sources rewritten back */
	uint64_t other_netns;  /* loopback sends dropped: namespace does not read the file */
	/* user space */
	uint64_t events; /* DNS_SEND events delivered */
	uint64_t netns_classified;
	uint64_t flushed; /* rate-limited sends reported by the tick, not by an event */
};

struct rs_ebpf_src;

/* Load and attach. Returns 0, or a negative errno with a one-line reason in
 * err: -EPERM without CAP_BPF/CAP_SYS_ADMIN (or CAP_NET_ADMIN), -ENOENT
 * without a cgroup v2 hierarchy, -EOPNOTSUPP when the kernel refuses the
 * programs (too old, BPF disabled). Nothing is left attached on failure. */
int rs_ebpf_src_new(const struct rs_ebpf_src_opts *o, struct rs_ebpf_src **out, char *err,
		    size_t errlen);
/* Detach, free the maps. NULL is accepted. */
void rs_ebpf_src_free(struct rs_ebpf_src *s);
/* The ring buffer's epoll fd: readable when events wait. */
int rs_ebpf_src_fd(const struct rs_ebpf_src *s);
/* Deliver what the kernel wrote. Returns 0 or a negative errno (fatal). */
int rs_ebpf_src_process(struct rs_ebpf_src *s);
/* About once a second: kernel drops become EVENTS_LOST; sends folded into
 * rate-limited counts that no later event carried (the burst ended) are
 * reported as one DNS_SEND event with their count, timed at the start of
 * their second. */
void rs_ebpf_src_tick(struct rs_ebpf_src *s);
/* The generation in force and its servers. The tripwire is armed from the
 * first call on. Returns 0 or a negative errno (-E2BIG: more than
 * RS_EBPF_MAX_SERVERS addresses; the first ones are used). */
int rs_ebpf_src_set_servers(struct rs_ebpf_src *s, int64_t generation,
			    const struct rs_addr *retired, size_t n_retired,
			    const struct rs_addr *current, size_t n_current);
/* The watched file: its path and its final target (NULL: none). Renames
 * onto a file of either name are reported as CONFIG_WRITE events with the
 * renaming process's pid, comm and uid (sed -i exits before /proc can be
 * read); an absolute destination must be one of the two paths. */
void rs_ebpf_src_set_watched(struct rs_ebpf_src *s, const char *path, const char *target);
/* Whether renames are seen (the syscall tracepoints attached). */
bool rs_ebpf_src_sees_writers(const struct rs_ebpf_src *s);
/* The cgroup the programs are attached to. */
const char *rs_ebpf_src_cgroup(const struct rs_ebpf_src *s);
const struct rs_ebpf_src_stats *rs_ebpf_src_stats(struct rs_ebpf_src *s);
const char *rs_fence_name(enum rs_fence f); /* "off", "redirect", "refuse" */
int rs_fence_parse(const char *s, enum rs_fence *out);

/* --- pure parts (ebpf_event.c), tested without a kernel --------------------- */

/* The mount point of the cgroup v2 hierarchy in a /proc/self/mountinfo text:
 * the first "cgroup2" mount (a unified hierarchy at /sys/fs/cgroup, or a
 * hybrid one at /sys/fs/cgroup/unified), octal escapes decoded. Returns 0,
 * -ENOENT if there is none, -ENAMETOOLONG if it does not fit. */
int rs_cgroup2_mount_find(const char *mountinfo, size_t len, char *out, size_t outlen);

/* An address as the tripwire's maps hold it (family 4 or 6, network byte
 * order; IPv4-mapped IPv6 becomes IPv4) and back. The scope of a link-local
 * address is lost (the hooks see the destination, not the interface). */
struct rs_tw_addr;
int rs_tw_addr_from(const struct rs_addr *a, struct rs_tw_addr *out);
void rs_tw_addr_to(const struct rs_tw_addr *a, struct rs_addr *out);

/* A tripwire event as a DNS_SEND event (a rename onto a watched name: a
 * CONFIG_WRITE event, syscall "rename", the destination as the process
 * named it). mono_now_ns and real_now_ns are the clocks now (the event's time
 * is CLOCK_MONOTONIC). The strings point into raw and comm. Returns 0, or
 * -EINVAL for a malformed record. */
struct rs_tw_event;
int rs_tw_event_convert(const struct rs_tw_event *raw, size_t len, int64_t mono_now_ns,
			int64_t real_now_ns, struct rs_event *ev, char *comm, size_t commlen);

#endif
