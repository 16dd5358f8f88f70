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

#endif
