/* The audit cost policy: which rule groups when. */
#include "resolvstale/audit_src.h"
#include "resolvstale/auditwin.h"
#include "testutil.h"

#define S 1000000000LL
#define W RS_AUDIT_GROUP_WRITE
#define C RS_AUDIT_GROUP_CONF
#define D RS_AUDIT_GROUP_DNS

Test(auditwin, steady_state_is_the_write_rule_at_most)
{
	struct rs_audit_policy p = {false, false, false, 600 * S};

	cr_assert_eq(rs_audit_policy_groups(&p, 0, 1000 * S), W, "no change in force");
	p.ebpf = true;
	cr_assert_eq(rs_audit_policy_groups(&p, 0, 1000 * S), W);
	/* fanotify names the writers: no audit rule at all. */
	p.writers_named = true;
	cr_assert_eq(rs_audit_policy_groups(&p, 0, 1000 * S), 0);
	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 1600 * S), 0, "after the window");
	/* In the window, the write rule too: conf events and writes must not
	 * be told apart by two sources' timing. */
	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 1001 * S), W | C);
}

Test(auditwin, window_after_a_change)
{
	struct rs_audit_policy p = {false, false, false, 600 * S};

	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 1000 * S), W | C | D);
	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 1599 * S), W | C | D);
	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 1600 * S), W, "the window is over");
	cr_assert_eq(rs_audit_policy_window_end(&p, 1000 * S), 1600 * S);
}

Test(auditwin, ebpf_means_no_send_rules)
{
	struct rs_audit_policy p = {true, false, false, 600 * S};

	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 1001 * S), W | C);
	p.always = true;
	cr_assert_eq(rs_audit_policy_groups(&p, 0, 1 * S), W | C, "always: conf, never dns");
}

Test(auditwin, always_and_zero_window)
{
	struct rs_audit_policy p = {false, false, true, 600 * S};

	cr_assert_eq(rs_audit_policy_groups(&p, 0, 1 * S), W | C | D);
	cr_assert_eq(rs_audit_policy_window_end(&p, 1000 * S), 0, "no end: always");
	p.always = false;
	p.window_ns = 0;
	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 1000 * S), W, "--audit-window 0s");
	cr_assert_eq(rs_audit_policy_window_end(&p, 1000 * S), 0);
}

Test(auditwin, a_change_before_the_daemon_started)
{
	struct rs_audit_policy p = {false, false, false, 600 * S};

	/* Resumed 5 minutes after the change: 5 minutes of window left. */
	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 1300 * S), W | C | D);
	/* An hour later: none. */
	cr_assert_eq(rs_audit_policy_groups(&p, 1000 * S, 4600 * S), W);
}
