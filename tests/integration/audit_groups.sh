#!/bin/bash
# The live audit source's rule groups against the real kernel
# (rs_audit_src_set_groups in src/audit_src.c), driven by
# build/tools/audit_groups on a temporary file (not /etc/resolv.conf). Asserts:
#   - after each step exactly the expected resolvstale-live-* rules are loaded
#     (auditctl -l, counted by key), the write watch ahead of the conf rules;
#   - the source starts with the write group alone (its own add_rule record
#     still proves that records flow); no group at all ("none") and conf
#     without write are possible (the daemon's steady state is "none" when
#     fanotify names the writers);
#   - a stat of the file is a config_stat event only while conf is loaded;
#   - set_groups is idempotent; the source's own removals are not reported as
#     someone else's, also after the periodic count check has run;
#   - a loaded rule that someone else deletes (auditctl -D -k) is detected and
#     added again, and only the loaded groups come back;
#   - retarget (the file's final path changed) moves the write watch, and the
#     conf rules only when conf is loaded;
#   - quit removes every rule; kill -9 leaves them and the next start removes
#     them;
#   - the kernel audit state is the same before and after.
. "$(dirname "$0")/../lib/common.sh"
rs_require_root
command -v auditctl >/dev/null || rs_die "auditctl is missing (make test-deps)"
command -v ss >/dev/null || rs_die "ss is missing (make test-deps)"
DRV=$RS_TOOLS/audit_groups
[ -x "$DRV" ] || rs_die "$DRV is missing (make tools)"
# Another resolvstale audit source (a daemon, a benchmark) owns the rules of
# this host: ours would fail to start, and restoring the audit state at exit
# would delete its rules. Leave it alone.
if ss -xl | grep -q '@resolvstale/audit-source '; then
	echo "another resolvstale audit source runs on this host: skipped"
	exit 77
fi
rs_tmpdir T
TARGET=$T/resolv.conf
printf 'nameserver 127.53.0.1\n' >"$TARGET"
OTHER=$T/other.conf # where a re-pointed symlink would lead
printf 'nameserver 127.53.0.2\n' >"$OTHER"
rs_audit_save "$T"
mkfifo "$T/in" || rs_die "mkfifo failed"

RUN=0
# start_driver GROUPS [ARGS...]: a driver on the fifo; fd 3 writes to it.
start_driver() {
	local groups=$1
	shift
	RUN=$((RUN + 1))
	OUT=$T/driver$RUN.out
	CMDS=0
	"$DRV" --target "$TARGET" --groups "$groups" --max-seconds 120 "$@" \
		<"$T/in" >"$OUT" 2>>"$T/driver.err" &
	DPID=$!
	rs_pids+=("$DPID")
	exec 3>"$T/in"
	rs_wait_until 10 grep -qE '^(started|error) ' "$OUT" || rs_die "driver $RUN did not start"
	if grep -q '^error ' "$OUT"; then
		exec 3>&-
		wait "$DPID"
		[ $? -eq 3 ] && { cat "$OUT"; exit 77; } # another source took the host
		rs_die "driver $RUN: $(cat "$OUT" "$T/driver.err")"
	fi
}

# cmd LINE: send one command and wait for the driver's "done N".
cmd() {
	CMDS=$((CMDS + 1))
	printf '%s\n' "$1" >&3
	rs_wait_until 10 grep -qx "done $CMDS" "$OUT" || rs_die "driver $RUN did not answer '$1'"
}

# The reply line of the last command (the line before its "done").
reply() { grep -B1 -x "done $CMDS" "$OUT" | head -1; }

# Our loaded rules, counted by key: "write=1 conf=2 dns=12".
rules() {
	local k out=
	for k in write conf dns; do
		out+="$k=$(auditctl -l | grep -cE -- "(-k |key=)resolvstale-live-$k\$") "
	done
	printf '%s\n' "${out% }"
}

# The first of our rules in the kernel's list must be the write watch.
write_first() {
	auditctl -l | grep -m1 'resolvstale-live-' | grep -q -- '-p wa -k resolvstale-live-write$' &&
		echo yes
}

# tick_until SECONDS PATTERN: tick until a line of the output matches.
tick_until() {
	local end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$end" ]; do
		cmd tick
		grep -qE "$2" "$OUT" && return 0
		sleep 0.1
	done
	return 1
}

# check_stat DESCRIPTION PATH yes|no: stat PATH in a new process; check
# whether the driver reports its config_stat (waited for 2 s). Not in a
# $(...) subshell: cmd counts the commands in this shell.
check_stat() {
	local pid seen=no
	stat "$2" >/dev/null &
	pid=$!
	wait "$pid"
	tick_until 2 "^event config_stat pid=$pid syscall=[a-z0-9]+ path=$2\$" && seen=yes
	rs_check "$1" "$seen" "$3"
}

# paths_on PATH: how many of our rules name PATH.
paths_on() { auditctl -l | grep 'resolvstale-live-' | grep -cE -- "(-w |path=)$1 "; }

# Run 1: all groups, to learn this machine's rule counts.
start_driver all
rs_check "run 1: all groups loaded" "$(sed -n 's/^started loaded=//p' "$OUT")" \
	"write,conf,dns"
ALL=$(rules)
W=$(sed 's/.*write=\([0-9]*\).*/\1/' <<<"$ALL")
C=$(sed 's/.*conf=\([0-9]*\).*/\1/' <<<"$ALL")
D=$(sed 's/.*dns=\([0-9]*\).*/\1/' <<<"$ALL")
rs_check "run 1: one write watch, conf and dns rules" \
	"$W $([ "$C" -ge 1 ] && echo conf) $([ "$D" -ge 2 ] && echo dns)" "1 conf dns"
rs_log "rules per group on this machine: $ALL"
cmd quit
exec 3>&-
wait "$DPID"
rs_check "run 1: quit exits 0" "$?" 0
rs_check "run 1: no rule left after quit" "$(rules)" "write=0 conf=0 dns=0"

# Run 2: write alone, then groups switched on and off.
start_driver write
rs_check "write alone: started (records flow)" "$(sed -n 's/^started loaded=//p' "$OUT")" write
rs_check "write alone: only the write watch" "$(rules)" "write=1 conf=0 dns=0"
check_stat "write alone: a stat is not seen" "$TARGET" no

cmd "groups write,conf"
rs_check "conf on: loaded" "$(reply)" "groups write,conf rc=0 loaded=write,conf group_changes=1"
rs_check "conf on: write and conf rules" "$(rules)" "write=1 conf=$C dns=0"
rs_check "conf on: the write watch comes first" "$(write_first)" yes
check_stat "conf on: a stat is a config_stat event" "$TARGET" yes
cmd "groups write,conf"
rs_check "the same groups again: nothing changes" "$(reply)" \
	"groups write,conf rc=0 loaded=write,conf group_changes=1"

# Someone else deletes the write watch while conf is loaded: both come back,
# the write watch ahead of the conf rules again.
auditctl -D -k resolvstale-live-write >/dev/null
tick_until 5 '^tick .* rules_readded=1$' || rs_fail "write watch deletion not detected"
rs_check "write deleted: reported as someone else's" \
	"$(grep -c "^notice warning resolvstale's audit rules were removed by pid [1-9]" "$OUT")" 1
rs_check "write deleted: reported as lost events" \
	"$(grep -c '^event events_lost .*removed by another process' "$OUT")" 1
rs_check "write deleted: write and conf back, no dns" "$(rules)" "write=1 conf=$C dns=0"
rs_check "write deleted: the write watch comes first again" "$(write_first)" yes

cmd "groups all"
rs_check "all on" "$(reply)" "groups all rc=0 loaded=write,conf,dns group_changes=2"
rs_check "all on: every rule" "$(rules)" "$ALL"

cmd "groups write"
rs_check "back to write" "$(reply)" "groups write rc=0 loaded=write group_changes=3"
rs_check "back to write: only the write watch" "$(rules)" "write=1 conf=0 dns=0"
# Twelve ticks: the CONFIG_CHANGE records of our removals have come back, and
# the periodic count check (every 10 ticks) has run.
sleep 0.3
for i in $(seq 1 12); do cmd tick; done
rs_check "own removals: not reported (the one report is the write deletion's)" \
	"$(grep -cE '^notice .*(removed by pid|disappeared)' "$OUT") $(grep -c '^event events_lost' "$OUT")" \
	"1 1"
rs_check "own removals: nothing re-added" "$(reply)" "tick loaded=write rules_readded=1"
rs_check "own removals: still only the write watch" "$(rules)" "write=1 conf=0 dns=0"
check_stat "back to write: a stat is not seen" "$TARGET" no

# The file's final path changes (retarget): only the loaded path rules move.
cmd "retarget $OTHER"
rs_check "retarget, write alone" "$(reply)" "retarget $OTHER rc=0 loaded=write"
rs_check "retarget, write alone: the watch moved, nothing else added" \
	"$(rules) $(paths_on "$OTHER") $(paths_on "$TARGET")" "write=1 conf=0 dns=0 1 0"

cmd "groups write,conf"
rs_check "conf on again" "$(reply)" \
	"groups write,conf rc=0 loaded=write,conf group_changes=4"
rs_check "conf on after retarget: the rules name the new path" \
	"$(paths_on "$OTHER") $(paths_on "$TARGET")" "$((1 + C)) 0"
auditctl -D -k resolvstale-live-conf >/dev/null
tick_until 5 '^tick .* rules_readded=2$' || rs_fail "conf rule deletion not detected"
rs_check "conf deleted: back, and dns (not loaded) stays out" "$(rules)" "write=1 conf=$C dns=0"

cmd "retarget $TARGET"
rs_check "retarget, conf loaded" "$(reply)" "retarget $TARGET rc=0 loaded=write,conf"
rs_check "retarget, conf loaded: write and conf moved" \
	"$(rules) $(paths_on "$TARGET") $(paths_on "$OTHER")" "write=1 conf=$C dns=0 $((1 + C)) 0"
rs_check "retarget, conf loaded: the write watch comes first" "$(write_first)" yes
check_stat "retarget, conf loaded: a stat of the new path is seen" "$TARGET" yes
rs_check "retarget: our own removals are not reported" \
	"$(grep -cE '^notice .*(removed by pid|disappeared)' "$OUT")" 2

cmd "groups write,dns"
rs_check "dns on, conf off" "$(reply)" "groups write,dns rc=0 loaded=write,dns group_changes=5"
rs_check "dns on, conf off: rules" "$(rules)" "write=1 conf=0 dns=$D"
cmd "groups none"
rs_check "none" "$(reply)" "groups none rc=0 loaded=none group_changes=6"
rs_check "none: no rule" "$(rules)" "write=0 conf=0 dns=0"
check_stat "none: a stat is not seen" "$TARGET" no
cmd "groups conf"
rs_check "conf without write" "$(reply)" "groups conf rc=0 loaded=conf group_changes=7"
rs_check "conf without write: rules" "$(rules)" "write=0 conf=$C dns=0"
check_stat "conf without write: a stat is seen" "$TARGET" yes
cmd tick
rs_check "none, then conf: our own removals are not reported" \
	"$(grep -cE '^notice .*(removed by pid|disappeared)' "$OUT")" 2
cmd quit
exec 3>&-
wait "$DPID"
rs_check "run 2: quit exits 0" "$?" 0
rs_check "run 2: no rule left after quit" "$(rules)" "write=0 conf=0 dns=0"
rs_check "run 2: no error notice" "$(grep -c '^notice error' "$OUT")" 0

# Run 3 is killed: its rules stay. Run 4 removes them at start, and restores
# what run 3 found (as the daemon does from its state database).
start_driver write,dns
RESTORE=$(sed -n 's/^restore enabled=\([0-9]*\) backlog_limit=\([0-9]*\)$/\1 \2/p' "$OUT")
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
exec 3>&-
rs_check "kill -9: the rules stay" "$(rules)" "write=1 conf=0 dns=$D"
if [ -n "$RESTORE" ]; then
	start_driver write --restore-enabled "${RESTORE% *}" --restore-backlog "${RESTORE#* }"
else
	start_driver write
fi
rs_check "restart: the leftovers are removed and said so" \
	"$(grep -c "^notice notice removed $((1 + D)) audit rules left by an earlier" "$OUT")" 1
rs_check "restart: only the write watch" "$(rules)" "write=1 conf=0 dns=0"
cmd quit
exec 3>&-
wait "$DPID"
rs_check "run 4: no rule left after quit" "$(rules)" "write=0 conf=0 dns=0"

rs_audit_check_restored
rs_finish
