/* The daemon's audit cost policy (auditwin.h). */
#include "resolvstale/auditwin.h"
#include "resolvstale/audit_src.h"

int64_t rs_audit_policy_window_end(const struct rs_audit_policy *p, int64_t change_ns)
{
	if (p->always || p->window_ns <= 0 || change_ns <= 0)
		return 0;
	return change_ns + p->window_ns;
}

unsigned rs_audit_policy_groups(const struct rs_audit_policy *p, int64_t change_ns, int64_t now_ns)
{
	unsigned g = p->writers_named ? 0 : RS_AUDIT_GROUP_WRITE;
	bool open = p->always || now_ns < rs_audit_policy_window_end(p, change_ns);

	if (open) {
		g |= RS_AUDIT_GROUP_WRITE | RS_AUDIT_GROUP_CONF;
		if (!p->ebpf)
			g |= RS_AUDIT_GROUP_DNS;
	}
	return g;
}
