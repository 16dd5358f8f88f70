/* Facts about a process, read from /proc without ptrace.
 *
 * /proc is hostile input: comm is chosen by the process (it may contain ")",
 * spaces, newlines, terminal escapes), files change or vanish between two
 * reads, a pid can be reused. The parsers are pure functions over buffers;
 * the readers open /proc/PID once as a directory and read relative to it.
 * A process that vanished is not an error worth printing: readers return
 * -ENOENT (or -ESRCH) and callers count it.
 */
#ifndef RESOLVSTALE_PROCINFO_H
#define RESOLVSTALE_PROCINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RS_COMM_MAX 64 /* the kernel's is 16 (TASK_COMM_LEN); room for more */

/* The fields of /proc/PID/stat that resolvstale uses. */
struct rs_proc_stat {
	char comm[RS_COMM_MAX]; /* between the first '(' and the LAST ')' */
	char state;
	int32_t ppid;
	uint64_t starttime; /* field 22, clock ticks after boot */
};

/* Parse the contents of /proc/PID/stat. Returns 0 or -EINVAL. */
int rs_proc_parse_stat(const char *buf, size_t len, struct rs_proc_stat *out);
/* The real uid from the "Uid:" line of /proc/PID/status. Returns 0 or -EINVAL. */
int rs_proc_parse_status_uid(const char *buf, size_t len, int64_t *uid);

/* Identity and the basic facts of a running process. */
struct rs_proc_ident {
	int32_t pid;
	uint64_t starttime;
	int32_t ppid;
	int64_t uid;
	int64_t auid; /* /proc/PID/loginuid; -1 if unreadable */
	char comm[RS_COMM_MAX];
	char *exe; /* owned; NULL if unreadable (kernel threads, permission) */
	bool exe_deleted; /* the link ends in " (deleted)" */
};

/* Read pid's identity below proc_dirfd (a directory fd of /proc, or of a
 * fixture tree laid out like it). Returns 0, -ENOENT when the process is gone
 * (or never existed), -EACCES, -EINVAL for unparsable content, -ENOMEM. On
 * success free with rs_proc_ident_clear(). */
int rs_proc_read_ident(int proc_dirfd, int32_t pid, struct rs_proc_ident *out);
void rs_proc_ident_clear(struct rs_proc_ident *id);

/* Read a small /proc file relative to dirfd into buf (NUL-terminated, at most
 * len - 1 bytes). Returns the byte count or a negative errno. */
ssize_t rs_proc_read_file(int dirfd, const char *name, char *buf, size_t len);
/* The first line of a small file (e.g. /proc/sys/kernel/random/boot_id, which
 * tells whether stored pids belong to this boot): "" when it cannot be read. */
void rs_read_line(const char *path, char *buf, size_t len);
#define RS_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* --- cgroups: systemd units and containers ------------------------------- */

#define RS_UNIT_MAX      256
#define RS_CONTAINER_MAX 80

enum rs_container_kind {
	RS_CONTAINER_NONE = 0,
	RS_CONTAINER_DOCKER,
	RS_CONTAINER_CONTAINERD, /* cri-containerd, also under kubepods */
	RS_CONTAINER_CRIO,
	RS_CONTAINER_PODMAN,     /* libpod */
	RS_CONTAINER_LXC,
};

struct rs_cgroup_info {
	char path[512];            /* the unified (or name=systemd) cgroup path */
	char unit[RS_UNIT_MAX];    /* "nginx.service", "session-3.scope", "" */
	bool user_unit;            /* the unit belongs to a user manager (user@UID.service) */
	int64_t unit_uid;          /* that user's uid, -1 otherwise */
	enum rs_container_kind container;
	char container_id[RS_CONTAINER_MAX]; /* 64 hex digits usually */
	char pod_uid[48];          /* kubepods: the pod's uid, dashes restored */
	bool in_kubepods;          /* parsing state: the path is under kubepods */
};

/* Parse the contents of /proc/PID/cgroup (pure). Prefers the unified "0::"
 * line, then "name=systemd". Returns 0, or -EINVAL when no line is usable. */
int rs_cgroup_parse(const char *buf, size_t len, struct rs_cgroup_info *out);
const char *rs_container_kind_name(enum rs_container_kind k); /* "docker" ... */

/* --- all the facts about a process the reports need ----------------------- */

/* Which resolv.conf a process sees, compared with the watched file. */
enum rs_config_domain {
	RS_DOMAIN_UNKNOWN = 0, /* could not tell (no permission, no openat2) */
	RS_DOMAIN_HOST,        /* the same inode as the watched file */
	RS_DOMAIN_OTHER,       /* another file: a container's or chroot's copy */
	RS_DOMAIN_NONE,        /* it has no etc/resolv.conf at all */
};

struct rs_proc_facts {
	struct rs_proc_ident id;  /* pid, starttime, ppid, uid, auid, comm, exe */
	int64_t start_ns;         /* wall-clock start (boot time + starttime) */
	char *cmdline;            /* owned; NUL-separated args joined by spaces, bounded */
	struct rs_cgroup_info cg;
	uint64_t netns, mntns;    /* namespace inodes, 0 if unreadable */
	enum rs_config_domain domain;
	uint64_t config_dev, config_ino; /* what its etc/resolv.conf resolves to */
	char *config_ns;          /* owned; for DOMAIN_OTHER: the nameservers its own
				   * file lists (space-separated), else NULL */
};

/* What rs_proc_read_facts compares with and computes from. */
struct rs_facts_ctx {
	uint64_t watched_dev, watched_ino; /* the watched file as the daemon sees it */
	int64_t boot_ns;                   /* rs_proc_boot_ns() */
	long clk_tck;                      /* sysconf(_SC_CLK_TCK) */
	bool read_config;                  /* parse a foreign resolv.conf's nameservers */
};

/* Read everything about pid below proc_dirfd. Returns 0, -ENOENT if the
 * process is gone, other negative errnos; partial facts (a field it could
 * not read) are normal and left empty. Free with rs_proc_facts_clear(). */
int rs_proc_read_facts(int proc_dirfd, int32_t pid, const struct rs_facts_ctx *ctx,
		       struct rs_proc_facts *out);
/* The same for the process whose /proc/PID directory is open as pid_dirfd. */
int rs_proc_read_facts_at(int pid_dirfd, int32_t pid, const struct rs_facts_ctx *ctx,
			  struct rs_proc_facts *out);
void rs_proc_facts_clear(struct rs_proc_facts *f);
/* Boot time (btime of <proc>/stat) in ns since the epoch, or 0. */
int64_t rs_proc_boot_ns(int proc_dirfd);
/* "nginx.service", "docker 3f2a1b9c4d5e" (12 hex digits), "-": for reports. */
void rs_proc_facts_where(const struct rs_proc_facts *f, char *buf, size_t len);
const char *rs_config_domain_name(enum rs_config_domain d); /* "host", "other", ... */
/* Does a process in pid's network namespace see the watched file (dev, ino)
 * as its etc/resolv.conf? Then a loopback resolver address in that namespace
 * is the watched file's server. 1 yes, 0 no, -1 cannot tell (pid gone).
 * pid itself is asked first; else /proc is walked (bounded). */
int rs_netns_reads_file(int proc_dirfd, int32_t pid, uint64_t dev, uint64_t ino);
/* The namespace inode in a "net:[4026531840]" link text, or 0. */
uint64_t rs_parse_ns_link(const char *link);

#endif
