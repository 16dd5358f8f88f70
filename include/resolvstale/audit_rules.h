/* The audit rules the daemon loads, as data: one table is both what
 * `resolvstale rules --print` shows (auditctl syntax) and what is sent to the
 * kernel, so the two cannot disagree.
 *
 * Every rule carries a key starting RS_AUDIT_KEY_PREFIX. The daemon removes
 * rules by that prefix only (its own, also a crashed run's leftovers) and
 * never touches other rules, including the ones shipped in audit-rules/ for
 * auditd, which use another prefix.
 *
 * What is covered:
 *   - writes to the watched file (a path watch, perm=wa, all architectures):
 *     in-place writes, truncation, rename over it, unlink, chmod;
 *   - stat/lstat/newfstatat/statx/open/openat/openat2 of it, b64; and
 *     stat64/lstat64/fstatat64/statx/open/openat/openat2, b32 (-F path= names
 *     the final target of the symlink chain: a watch does not follow links,
 *     and must be moved when the link is re-pointed);
 *   - connect/sendto/sendmsg/sendmmsg with an AF_INET or AF_INET6 address
 *     (-F saddr_fam=2 / 10), b64 and b32, and i386's socketcall with
 *     a0 = connect(3), sendto(11), sendmsg(16), sendmmsg(20).
 * What is not: a send on an already connected socket (send, write, writev,
 * sendmmsg without addresses) has no address, so it produces no SOCKADDR
 * record: the connect before it is the signal, and sockets connected before
 * the rules existed are found by the /proc scanner. io_uring sends are not
 * audited by syscall rules. The rule for our own reads excludes the daemon's
 * pid.
 */
#ifndef RESOLVSTALE_AUDIT_RULES_H
#define RESOLVSTALE_AUDIT_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "resolvstale/sbuf.h"

#define RS_AUDIT_KEY_PREFIX "resolvstale-live-"
#define RS_AUDIT_KEY_WRITE  RS_AUDIT_KEY_PREFIX "write"
#define RS_AUDIT_KEY_CONF   RS_AUDIT_KEY_PREFIX "conf"
#define RS_AUDIT_KEY_DNS    RS_AUDIT_KEY_PREFIX "dns"

#define RS_AUDIT_MAX_SYSCALLS 8
#define RS_AUDIT_MAX_FIELDS   6
#define RS_AUDIT_MAX_RULES    24

enum rs_audit_arch {
	RS_ARCH_ANY = 0, /* no arch field: a path watch for every ABI */
	RS_ARCH_B64,
	RS_ARCH_B32,
};

/* One rule, as auditctl would write it. Field strings are "name=value" or
 * "name!=value" (the form auditctl takes after -F), for numeric fields. */
struct rs_audit_rule {
	enum rs_audit_arch arch;
	const char *syscalls[RS_AUDIT_MAX_SYSCALLS]; /* NULL-terminated; none = all */
	const char *path;                            /* -F path= (not owned) or NULL */
	char fields[RS_AUDIT_MAX_FIELDS][32];        /* in order, "" ends the list */
	const char *key;
};

/* Build the daemon's rules for the final target path (NULL: no path rules;
 * the rules point to the string, which must outlive them) and the daemon's
 * own pid (excluded from the config rules). Returns the count. */
size_t rs_audit_rules_build(const char *target, pid_t self, struct rs_audit_rule *out,
			    size_t max);
/* "-a always,exit -F arch=b64 -S connect,sendto -F saddr_fam=2 -F key=..." */
void rs_audit_rule_format(const struct rs_audit_rule *r, struct rs_sbuf *out);

/* Kernel side (needs CAP_AUDIT_CONTROL). fd is from audit_open(). Each
 * returns 0 or a negative errno and writes a one-line reason into err. */
int rs_audit_rules_add(int fd, const struct rs_audit_rule *rules, size_t n, char *err,
		       size_t errlen);
/* Delete every rule whose key starts with prefix; *deleted counts them. */
int rs_audit_rules_delete_prefix(int fd, const char *prefix, unsigned *deleted, char *err,
				 size_t errlen);
/* Count the loaded rules whose key starts with prefix. */
int rs_audit_rules_count_prefix(int fd, const char *prefix, unsigned *count);

/* The key of a rule as the kernel lists it (struct audit_rule_data of len
 * bytes): copied into key (NUL-terminated). Returns 0, -ENOENT if the rule has
 * no key, -EINVAL if the data is malformed. Pure. */
int rs_audit_rule_data_key(const void *data, size_t len, char *key, size_t keylen);

/* The kernel's audit status fields resolvstale saves, changes and restores. */
struct rs_audit_state {
	uint32_t enabled, failure, pid, rate_limit, backlog_limit, lost, backlog;
	uint32_t backlog_wait_time;
};
int rs_audit_get_state(int fd, struct rs_audit_state *st);

#endif
