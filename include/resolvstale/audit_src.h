/* The audit source: the kernel's audit records, live.
 *
 * Loads the daemon's rules (audit_rules.h) under the RS_AUDIT_KEY_PREFIX key
 * prefix, removes a crashed run's leftovers first and its own rules at the
 * end, restores the enabled flag and backlog_limit it changed, and notices
 * when someone else deletes its rules (CONFIG_CHANGE records; also checked
 * every few seconds): it adds them again and reports the gap as lost events.
 *
 * The rules come in groups (RS_AUDIT_GROUP_*, audit_rules.h), loaded and
 * removed as a whole by their key, because their costs differ: WRITE (the
 * path watch; a record per change of the file, but any loaded rule makes
 * the kernel collect every syscall's path names, about 15% of a lookup
 * loop's throughput), CONF (stat and open of the file; a record per name
 * lookup of every glibc process) and DNS (connect and addressed sends; a
 * record per connect or send of every process) are switched on and off with
 * rs_audit_src_set_groups (the daemon's policy: auditwin.h). A group is loaded when all of its rules for the
 * current target are in the kernel (WRITE and CONF have none while there is
 * no target). Rules that someone else removes are added again only for the
 * loaded groups; the source's own removals are not reported. The write rule
 * always comes before the conf rules in the kernel's list (the kernel gives
 * an event the key of the first rule that matches, and a write is also an
 * open), so adding WRITE back re-adds CONF behind it.
 *
 * By default it reads the AUDIT_NLGRP_READLOG multicast group (needs
 * CAP_AUDIT_READ) and never registers as the audit daemon: the kernel refuses
 * to replace a live auditd, and a slow registered reader makes audited
 * syscalls wait. With register_daemon it registers (AUDIT_SET pid) instead,
 * which only works when no auditd runs. The multicast group is delivered in
 * the initial network namespace only: a daemon started in another network
 * namespace gets no records (rs_audit_src_new refuses to start there).
 */
#ifndef RESOLVSTALE_AUDIT_SRC_H
#define RESOLVSTALE_AUDIT_SRC_H

#include <stdbool.h>
#include <stdint.h>

#include "resolvstale/audit_rules.h"
#include "resolvstale/event.h"
#include "resolvstale/proccache.h"

struct rs_audit_src_opts {
	const char *target;     /* the watched file's final path, or NULL */
	uint64_t target_ino, target_dev; /* its inode and device, 0 if unknown */
	bool register_daemon;   /* read as the registered audit daemon */
	/* The rule groups (RS_AUDIT_GROUP_*) loaded at start; 0: none (the
	 * source still reads records: auditd's rules, and groups loaded
	 * later). */
	unsigned groups;
	uint32_t backlog_limit; /* raise the kernel's to at least this while running */
	/* The kernel settings to restore at stop when they are not the ones
	 * found now: those an earlier run recorded before it crashed with its
	 * own changes in place (NULL: restore what is found now). Only the
	 * enabled flag and backlog_limit are used. */
	const struct rs_audit_state *restore;
	struct rs_proccache *cache;
	struct rs_sink sink;
	/* One-line messages for the operator ("warning", "notice"). */
	void (*notice)(void *ctx, const char *level, const char *msg);
	void *notice_ctx;
};

struct rs_audit_src_stats {
	uint64_t records;      /* records read from the kernel */
	uint64_t events;       /* complete audit events */
	uint64_t dns_sends;    /* DNS_SEND events emitted */
	uint64_t config;       /* CONFIG_* events emitted */
	uint64_t other_sends;  /* sends/connects to other ports (ignored) */
	uint64_t kernel_lost;  /* increase of the kernel's lost counter */
	uint64_t socket_lost;  /* ENOBUFS on our socket */
	uint64_t rules_readded;
	uint64_t group_changes; /* set_groups calls that changed what is loaded */
};

struct rs_audit_src;

/* Start: returns 0, or a negative errno with a one-line reason in err
 * (-EPERM without CAP_AUDIT_CONTROL/CAP_AUDIT_READ, -EPROTONOSUPPORT without
 * kernel audit, -EBUSY with locked rules or a registered auditd when
 * register_daemon is asked, -EXDEV outside the initial network namespace). */
int rs_audit_src_new(const struct rs_audit_src_opts *o, struct rs_audit_src **out, char *err,
		     size_t errlen);
/* Remove the rules, restore the kernel's settings, close. NULL is accepted. */
void rs_audit_src_free(struct rs_audit_src *s);
int rs_audit_src_fd(const struct rs_audit_src *s);
/* Read what the kernel sent. Returns 0 or a negative errno (fatal). */
int rs_audit_src_process(struct rs_audit_src *s);
/* About once a second: complete stale events, report lost records, restore
 * rules someone removed. */
void rs_audit_src_tick(struct rs_audit_src *s);
/* The watched file's final path changed (a re-pointed symlink): move the path
 * rules of the loaded groups (write; conf if loaded). Returns 0 or a negative
 * errno (one notice line; a group whose rules could not be added is then no
 * longer loaded). */
int rs_audit_src_retarget(struct rs_audit_src *s, const char *target, uint64_t ino,
			  uint64_t dev);
/* Load and remove rule groups so that exactly `groups` is loaded (0: none).
 * Idempotent. Returns 0 or a negative errno (one notice line on
 * failure; the groups that could be set are set, a group that failed is not
 * loaded). On a kernel without saddr_fam (before 5.3) DNS cannot be loaded:
 * it is left out with one warning for the source's lifetime, and that is not
 * a failure. rs_audit_src_groups says what is loaded. */
int rs_audit_src_set_groups(struct rs_audit_src *s, unsigned groups);
/* The RS_AUDIT_GROUP_* bits loaded now. */
unsigned rs_audit_src_groups(const struct rs_audit_src *s);
const struct rs_audit_src_stats *rs_audit_src_stats(const struct rs_audit_src *s);
/* Whether the source changed kernel settings that it will restore at stop;
 * then *st holds the values it will restore (for the caller to keep where a
 * crash cannot lose them). */
bool rs_audit_src_restore_info(const struct rs_audit_src *s, struct rs_audit_state *st);

#endif
