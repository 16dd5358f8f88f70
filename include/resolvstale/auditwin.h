/* When the costly audit rules are loaded: the cost policy of the daemon.
 *
 * The audit stat/open rules ("conf") cost one record per lookup of every
 * glibc process (glibc stats resolv.conf on every lookup); the send rules
 * ("dns") one record per connect and addressed send of every process; and
 * any loaded rule, even the write watch, makes the kernel collect the path
 * names of every syscall of every audited process (about 15% of a lookup
 * loop). In the steady state no rule is loaded when another source names the
 * writers of the file, else the write rule. After a
 * change, the
 * question "who looked at the file, who sent where" matters: conf (and dns
 * when the eBPF tripwire does not track sends) are loaded for a window, or
 * always when the operator says so. Pure: tested without a kernel.
 */
#ifndef RESOLVSTALE_AUDITWIN_H
#define RESOLVSTALE_AUDITWIN_H

#include <stdbool.h>
#include <stdint.h>

struct rs_audit_policy {
	bool ebpf;          /* the tripwire tracks sends: no audit send rules */
	bool writers_named; /* another source names the file's writers and renamers
			     * (fanotify's directory events, the tripwire's
			     * rename tracepoints) */
	bool always;        /* --audit-always */
	int64_t window_ns;  /* --audit-window (0: never) */
};

/* The RS_AUDIT_GROUP_* bits wanted at now_ns (CLOCK_REALTIME) when the
 * generation in force changed the file at change_ns (0: no change is in
 * force, e.g. generation 0). */
unsigned rs_audit_policy_groups(const struct rs_audit_policy *p, int64_t change_ns, int64_t now_ns);
/* When the window of a change at change_ns ends (0: no window: none in
 * force, --audit-always, or a zero window). */
int64_t rs_audit_policy_window_end(const struct rs_audit_policy *p, int64_t change_ns);

#endif
