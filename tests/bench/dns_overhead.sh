#!/bin/bash
# What the daemon costs the programs it watches: glibc lookups per second of
# a CPU-bound getaddrinfo() loop (build/tools/gai_loop) with and without the
# daemon, in the same run.
#
# Setup: a network namespace the benchmark creates, with dnsmasq answering
# bench.test on 127.53.1.1; the private /etc/resolv.conf (the overlay that
# tests/lib/bench-one.sh mounts) points at it. The loop runs in that
# namespace; the daemon runs in the benchmark's own network namespace (the
# audit multicast group is delivered in the initial one only) but shares the
# mount namespace, so it watches the overlay's resolv.conf.
#
# Conditions, each measured for the same time, interleaved round-robin and
# repeated, the median per condition reported with its ratio to "nothing":
#   nothing          no daemon
#   defaults-steady  resolvstale daemon, default sources, no change since start
#   window           the same after a change of the nameservers (one added,
#                    then removed again: two generations), measured at once,
#                    inside the audit window that follows a change
#   audit-forced     --sources audit,fanotify,procscan --audit-always (audit
#                    send tracking and stat rules loaded whatever happens);
#                    without --audit-always when the binary lacks it (said so)
#   no-audit         --sources ebpf,fanotify,procscan: the defaults without
#                    audit (what the audit source costs in the steady state)
# DNS_OVERHEAD_CONDS="nothing ebpf-only ..." picks others: ebpf-only,
# fanotify-only, audit-steady (--sources audit alone) isolate one source.
# Each daemon run is a fresh process with its own store, started before the
# measurement (after its daemon_start line and a short settle) and stopped
# with SIGTERM after it. During every measurement build/tools/gai_loop --spin
# keeps one vCPU busy: on these 2-vCPU machines an idle CPU makes the loop
# wake-up-bound and hides the daemon's cost (DESIGN.md §9). All runs use one
# copy of build/resolvstale taken at the start.
#
# BENCH_SIZE=full: 5 rounds of 5 s; smoke: 2 rounds of 2 s
# (DNS_OVERHEAD_ROUNDS, DNS_OVERHEAD_SECONDS override). Timings are printed,
# never asserted (target: defaults-steady >= 0.95x nothing). Exit 0; 1 when a
# loop had more than 1% failed lookups or none at all; 2 when a condition
# could not run (a daemon that did not start, died or did not stop within
# 10 s of SIGTERM; a lookup that hung for 30 s; another resolvstale daemon
# holding the audit rules). Each run also prints the slowest lookup and how
# long audited syscalls waited for room in the kernel's audit backlog.
# Saves and restores the kernel audit state; stops only what it started, by
# pid. Run alone (as root), it makes its own private /etc:
#   DNS_OVERHEAD_ROUNDS=1 DNS_OVERHEAD_SECONDS=1 bash tests/bench/dns_overhead.sh
. "$(dirname "$0")/../lib/common.sh"
# Through tests/lib/bench-one.sh, /etc is already its overlay; run alone, the
# script re-executes itself into a namespace of its own and mounts one.
if [ -z "${RS_IN_PRIVATE_ETC:-}" ] || [ -n "${DNS_OVERHEAD_ALONE:-}" ]; then
	export DNS_OVERHEAD_ALONE=1
	rs_enter_private_etc "$@"
else
	rs_assert_private_etc
fi
rs_require_root

case ${BENCH_SIZE:-smoke} in
full) rounds=5 secs=5 ;;
*) rounds=2 secs=2 ;;
esac
rounds=${DNS_OVERHEAD_ROUNDS:-$rounds}
secs=${DNS_OVERHEAD_SECONDS:-$secs}
[[ $rounds =~ ^[1-9][0-9]?$ ]] || rs_die "bad round count '$rounds' (1-99)"
[[ $secs =~ ^[1-9][0-9]?$ ]] || rs_die "bad duration '$secs' (1-99 s)"
SETTLE=0.5 # after daemon_start: let the start-up /proc scan pass
SERVER=127.53.1.1
UNUSED=127.53.1.2
read -r -a CONDS <<<"${DNS_OVERHEAD_CONDS:-nothing defaults-steady window audit-forced no-audit}"
TOOL=$RS_TOOLS/gai_loop

[ -x "$RS_BIN" ] || rs_die "$RS_BIN is missing (run: make)"
[ -x "$TOOL" ] || rs_die "$TOOL is missing (run: make tools)"
for t in dnsmasq auditctl nsenter ss; do
	command -v "$t" >/dev/null || rs_die "$t is missing (make test-deps)"
done

# Another daemon's audit rules would be measured in every condition (and
# the restore on exit removes rules under our key prefix).
if auditctl -l | grep -q 'resolvstale-live-'; then
	rs_die "audit rules with the key prefix resolvstale-live- are loaded: another resolvstale" \
		"daemon runs, or a killed one left them (the next daemon start removes them)"
fi
rs_tmpdir T
rs_audit_save "$T"

# Every run uses this copy: a rebuild during the benchmark must not change
# what is measured half-way.
cp "$RS_BIN" "$T/resolvstale" || rs_die "cannot copy $RS_BIN"
RS_BIN=$T/resolvstale
rs_log "$("$RS_BIN" --version)"
if "$RS_BIN" daemon --help | grep -q -- --audit-always; then
	FORCED=(--sources "audit,fanotify,procscan" --audit-always)
else
	FORCED=(--sources "audit,fanotify,procscan")
	rs_log "note: this resolvstale has no --audit-always: audit-forced runs as" \
		"--sources audit,fanotify,procscan only"
fi

# The resolver's namespace and the resolver. Later commands enter the
# namespace through dnsmasq's pid: the holder's sleep is bounded to 300 s,
# less than a full run may take.
rs_netns HOLDER
rs_spawn DNS nsenter "--net=/proc/$HOLDER/ns/net" dnsmasq --keep-in-foreground --no-resolv \
	--no-hosts --address=/bench.test/192.0.2.1 --listen-address=$SERVER --bind-interfaces \
	--port 53 --pid-file= --user=root --log-facility=- 2>"$T/dnsmasq.err"
NS=(nsenter "--net=/proc/$DNS/ns/net")
dns_listening() { [ -n "$("${NS[@]}" ss -Hlun "src $SERVER:53" 2>/dev/null)" ]; }
rs_wait_until 5 dns_listening || rs_die "dnsmasq did not start: $(head -c 300 "$T/dnsmasq.err")"

RESOLV="nameserver $SERVER
options attempts:1 timeout:1"
printf '%s\n' "$RESOLV" >/etc/resolv.conf # host-safe

# set_resolv TEXT: replace /etc/resolv.conf by rename, as sed -i and
# NetworkManager do.
set_resolv() {
	printf '%s\n' "$1" >/etc/.resolv.conf.bench # host-safe
	mv -f /etc/.resolv.conf.bench /etc/resolv.conf # host-safe
}

# forget_pid PID: a process stopped and reaped is no longer ours to stop at
# exit (its pid may be reused by then).
forget_pid() {
	local p kept=()
	for p in "${rs_pids[@]}"; do
		[ "$p" = "$1" ] || kept+=("$p")
	done
	rs_pids=("${kept[@]}")
}

# loop SECONDS OUT: the lookup loop in the resolver's namespace, with a
# spinner on the other vCPU. Returns the loop's status. A lookup that hangs
# (a tracer that makes syscalls wait) is cut off 30 s after the end: the loop
# then has no result.
loop() {
	local spinner rc
	rs_spawn spinner "$TOOL" --spin $(($1 + 3))
	timeout --kill-after=2 $(($1 + 30)) "${NS[@]}" "$TOOL" "$1" >"$2" 2>"$2.err"
	rc=$?
	rs_stop_pid "$spinner"
	forget_pid "$spinner"
	return $rc
}

# The kernel's total of the time audited syscalls waited for room in a full
# audit backlog (backlog_wait_time_actual, in jiffies; 0 when the kernel
# does not report it): a tracer that reads too slowly stalls its clients.
audit_waited() { auditctl -s | awk '$1 == "backlog_wait_time_actual" {v = $2} END {print v + 0}'; }

# field KEY FILE: the value after KEY= in the loop's line.
field() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | tail -n 1; }

# A first loop without the daemon: the resolver answers, the caches are warm.
loop 1 "$T/warmup.out" ||
	rs_die "the lookup loop fails before any measurement: $(cat "$T/warmup.out" "$T/warmup.out.err")"
rs_log "warm-up: $(cat "$T/warmup.out"); $(nproc) CPUs; $rounds rounds of $secs s per condition"

DAEMON=
daemon_log=
have_gen() { grep -q "\"event\":\"config_change\",\"generation\":$1[,}]" "$daemon_log"; }

# start_daemon RUN ARGS...: a fresh daemon with its own store; ready once its
# daemon_start line is out.
start_daemon() {
	local run=$1
	shift
	daemon_log=$T/$run.log
	rs_spawn DAEMON "$RS_BIN" daemon --resolv-conf /etc/resolv.conf --db "$T/$run.db" \
		--log-format json "$@" >"$daemon_log" 2>"$T/$run.err"
	rs_wait_until 10 grep -q '"event":"daemon_start"' "$daemon_log" ||
		rs_die "$run: the daemon did not start: $(head -c 300 "$T/$run.err")"
	kill -0 "$DAEMON" 2>/dev/null || rs_die "$run: the daemon exited: $(head -c 300 "$T/$run.err")"
}

daemon_gone() { ! kill -0 "$DAEMON" 2>/dev/null; }

# stop_daemon RUN: SIGTERM, then up to 10 s for a clean exit (status 0).
stop_daemon() {
	local run=$1 rc
	kill -TERM "$DAEMON" 2>/dev/null
	if ! rs_wait_until 10 daemon_gone; then
		kill -KILL "$DAEMON" 2>/dev/null
		wait "$DAEMON" 2>/dev/null
		rs_die "$run: the daemon did not stop within 10 s of SIGTERM"
	fi
	wait "$DAEMON"
	rc=$?
	forget_pid "$DAEMON"
	DAEMON=
	[ "$rc" -eq 0 ] || rs_die "$run: the daemon exited $rc after SIGTERM: $(head -c 300 "$T/$run.err")"
}

# The sources the daemon started, from its daemon_start line: a,b,c.
sources() {
	sed -n 's/.*"event":"daemon_start".*"sources":\[\([^]]*\)\].*/\1/p' "$daemon_log" | tr -d '"'
}

declare -A rates
failed=0
for round in $(seq 1 "$rounds"); do
	for cond in "${CONDS[@]}"; do
		run=$cond-$round
		case $cond in
		nothing) ;;
		defaults-steady | window) start_daemon "$run" ;;
		audit-forced) start_daemon "$run" "${FORCED[@]}" ;;
		no-audit) start_daemon "$run" --sources ebpf,fanotify,procscan ;;
		ebpf-only) start_daemon "$run" --sources ebpf ;;
		fanotify-only) start_daemon "$run" --sources fanotify ;;
		audit-steady) start_daemon "$run" --sources audit ;;
		*) rs_die "unknown condition '$cond'" ;;
		esac
		if [ "$cond" = window ]; then
			set_resolv "nameserver $SERVER
nameserver $UNUSED
options attempts:1 timeout:1"
			rs_wait_until 5 have_gen 1 || rs_die "$run: no generation 1 after adding $UNUSED"
			set_resolv "$RESOLV"
			rs_wait_until 5 have_gen 2 || rs_die "$run: no generation 2 after removing $UNUSED"
		else
			sleep "$SETTLE"
		fi
		waited=$(audit_waited)
		loop "$secs" "$T/$run.out"
		rc=$?
		waited=$(($(audit_waited) - waited))
		out=$T/$run.out
		lookups=$(field lookups "$out") fails=$(field failures "$out") rate=$(field rate "$out")
		if [ -z "$lookups" ] || [ -z "$fails" ] || [ -z "$rate" ]; then
			case $rc in
			124 | 137) rs_die "$run: the loop did not finish within $((secs + 30)) s: a lookup hung" ;;
			esac
			rs_die "$run: the loop exited $rc without a result: $(head -c 300 "$out.err")"
		fi
		if [ -n "$DAEMON" ]; then
			kill -0 "$DAEMON" 2>/dev/null ||
				rs_die "$run: the daemon died during the measurement: $(head -c 300 "$T/$run.err")"
			extra="; daemon sources: $(sources); $(wc -l <"$daemon_log") log lines"
			[ "$cond" != audit-forced ] || [[ ,$(sources), == *,audit,* ]] ||
				rs_die "$run: the audit source did not start: $(head -c 300 "$T/$run.err")"
			stop_daemon "$run"
			[ ! -s "$T/$run.err" ] || rs_log "$run: the daemon said: $(head -n 3 "$T/$run.err")"
		else
			extra=
		fi
		rs_log "round $round $cond: $rate lookups/s ($lookups lookups, $fails failed," \
			"slowest $(field max_ms "$out") ms, audit backlog waits +$waited jiffies$extra)"
		if [ "$lookups" -eq 0 ] || [ $((fails * 100)) -gt "$lookups" ]; then
			rs_log "FAIL $run: $fails of $lookups lookups failed: $(head -c 300 "$out.err")"
			failed=1
		fi
		rates[$cond]="${rates[$cond]:-} $rate"
	done
done

rs_audit_check_restored
[ "$rs_failed" -eq 0 ] || failed=1

for cond in "${CONDS[@]}"; do
	printf '%s %s\n' "$cond" "${rates[$cond]}"
done | awk '
function median(a, n,   i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	n = 0
	runs = ""
	for (i = 2; i <= NF; i++) {
		v[++n] = $i
		runs = runs (i > 2 ? " " : "") $i
	}
	m = median(v, n)
	if (NR == 1)
		base = m
	name[NR] = $1; med[NR] = m; all[NR] = runs
	if ($1 == "defaults-steady")
		steady = m
}
END {
	printf "  %-16s %10s %8s   %s\n", "condition", "lookups/s", "ratio", "runs (lookups/s)"
	for (i = 1; i <= NR; i++)
		printf "  %-16s %10.0f %7.2fx   %s\n", name[i], med[i], base ? med[i] / base : 0, all[i]
	if (steady != "" && name[1] == "nothing")
		printf "dns_overhead: defaults-steady/nothing = %.2fx (target >= 0.95x)\n",
			base ? steady / base : 0
}'

if [ "$failed" -ne 0 ]; then
	rs_log "FAILED: see above"
	exit 1
fi
exit 0
