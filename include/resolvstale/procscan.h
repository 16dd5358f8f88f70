/* The /proc socket scan: which processes hold sockets to port 53, in every
 * network namespace, without ptrace.
 *
 * One scan walks the /proc root (getdents64 on a directory fd, numeric names
 * only), opens each /proc/PID once as a directory and reads, relative to it,
 * stat (starttime, comm up to the last ')'), ns/net (the network namespace)
 * and fd/ (getdents64 + readlinkat, keeping "socket:[INODE]"). The sockets to
 * the port of each network namespace are listed once per scan, when the
 * namespace's first process is met: a NETLINK_SOCK_DIAG dump filtered in the
 * kernel (dport == port, UDP and TCP, IPv4 and IPv6), made through a netlink
 * socket opened inside the namespace (setns there and back on the calling
 * thread) and cached by namespace inode across scans; or, when sock_diag is
 * unavailable or setns is refused, the /proc/PID/net/{udp,udp6,tcp,tcp6}
 * tables of that process. Processes of a namespace without such sockets are
 * not walked further. A process whose starttime differs at the end of its
 * walk (pid reuse) or that exited is dropped and counted, never reported.
 *
 * A cached netlink socket keeps its namespace alive: a scan closes the ones
 * of namespaces in which it found no process. Single-threaded: a handle is
 * used by one thread at a time, and rs_procscan_run switches that thread's
 * network namespace for the time of a netlink socket() call.
 *
 * Memory is bounded by the number of port-53 sockets (48 bytes each, plus a
 * hash index) and the number of namespaces: nothing is allocated per process
 * or per fd.
 */
#ifndef RESOLVSTALE_PROCSCAN_H
#define RESOLVSTALE_PROCSCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "resolvstale/sock.h"

struct rs_procscan;

struct rs_procscan_opts {
	const char *proc_root;  /* a directory laid out like /proc; NULL: "/proc" */
	uint16_t port;          /* remote port of interest (53) */
	bool use_sockdiag;      /* false: the /proc/PID/net tables only */
	const char *replay_dir; /* play back recorded sock_diag replies from this
				 * directory (rs_sockdiag_record_name) instead of
				 * asking the kernel; a namespace without
				 * recordings falls back to /proc/PID/net */
	const char *record_dir; /* write every live dump's replies here (tests,
				 * debugging); NULL: do not record */
	int32_t self_pid;       /* skip this process (the caller); 0: none */
	bool report_unowned;    /* also report port-53 sockets whose owner was not
				 * found (see struct rs_procscan_hit) */
};

/* Defaults: "/proc", port 53, sock_diag on, nothing else. */
void rs_procscan_opts_init(struct rs_procscan_opts *o);

/* One (process, socket) pair found by a scan. All pointers are valid during
 * the callback only. */
struct rs_procscan_hit {
	/* 0: a socket to the port with no known owner (the fd was passed to a
	 * process we could not read, or the owner exited during the scan);
	 * only with report_unowned */
	int32_t pid;
	/* /proc/PID/stat field 22, the same before and after the fd walk; 0
	 * when pid is 0 */
	uint64_t starttime;
	/* inode of the process's network namespace (the socket's when pid is
	 * 0) */
	uint64_t netns;
	int fd;                     /* the fd number in the process; -1 when pid is 0 */
	const char *comm;           /* from stat, untrusted: escape it; "" when pid is 0 */
	const struct rs_sock *sock; /* the socket; sock->netns is its namespace */
};

/* Return 0 to go on, a negative errno to stop the scan (rs_procscan_run
 * returns it). */
typedef int (*rs_procscan_fn)(void *ctx, const struct rs_procscan_hit *hit);

/* Counters of the last scan (rs_procscan_run resets them). */
struct rs_procscan_stats {
	uint64_t processes;  /* /proc/PID directories opened */
	uint64_t gone;       /* exited during the scan (ENOENT, ESRCH) */
	uint64_t unreadable; /* EACCES, EPERM, unparsable stat, odd entries */
	uint64_t reused;     /* starttime changed during the walk: dropped */
	uint64_t skipped;    /* in a namespace without sockets to the port: fds
			      * not walked */
	uint64_t fds;        /* fd entries read */
	uint64_t fds_gone;   /* fds closed between getdents and readlinkat */
	uint64_t sockets;    /* fds that are sockets */
	uint64_t hits;       /* (process, socket) pairs reported */
	uint64_t unowned;    /* sockets to the port without a known owner */
	uint64_t no_inode;   /* sockets to the port without an inode (TIME_WAIT,
			      * orphaned): nobody can own them */
	uint64_t namespaces; /* network namespaces met */
	uint64_t ns_sockets; /* sockets to the port listed, all namespaces */
	uint64_t dumps;      /* sock_diag dumps made or replayed (4 per namespace) */
	uint64_t retries;    /* namespaces listed again after NLM_F_DUMP_INTR */
	uint64_t fallbacks;  /* namespaces listed from /proc/PID/net */
	uint64_t ns_failed;  /* namespaces whose sockets could not be listed */
	uint64_t malformed;  /* malformed /proc/PID/net lines */
	uint64_t nl_opened;  /* netlink sockets opened in this scan */
	uint64_t nl_closed;  /* cached netlink sockets closed (namespace unused) */
	uint64_t nl_cached;  /* netlink sockets cached after the scan */
};

/* Create a scanner. Copies opts (and its strings). Returns 0 or a negative
 * errno (-ENOMEM; -EINVAL for a bad option). Free with rs_procscan_free. */
int rs_procscan_new(const struct rs_procscan_opts *opts, struct rs_procscan **out);
/* Close the cached netlink sockets and free. Accepts NULL. */
void rs_procscan_free(struct rs_procscan *ps);

/* Run one scan, calling fn for every hit: all hits of a process after its
 * walk, and with report_unowned the unowned sockets at the end. Returns 0, or
 * a negative errno: the proc root cannot be opened (-ENOENT, -EACCES ...),
 * -ENOMEM, -ENOTRECOVERABLE if the thread could not return to its network
 * namespace after a setns (the handle is then unusable), or what fn returned.
 * Vanished or unreadable processes are not errors: see the stats. */
int rs_procscan_run(struct rs_procscan *ps, rs_procscan_fn fn, void *ctx);

/* Counters of the last run; valid until the next run or free. */
const struct rs_procscan_stats *rs_procscan_stats(const struct rs_procscan *ps);

#endif
