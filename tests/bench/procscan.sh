#!/bin/bash
# The /proc socket scan against the tools an operator would run, on the same
# load in the same run.
#
# tests/tools/sockload forks PROCS processes holding SOCKETS sockets each in a
# private network namespace (UDP connected to 127.53.0.1:53 and 127.53.0.2:53,
# unconnected UDP, TCP connected to its listener on 127.53.0.1:53) and says
# how many sockets to port 53 it made. Then, for each size:
#   resolvstale scan --no-at-risk --format json
#                                the command an operator runs: the socket scan
#                                plus each owner's facts and resolver runtime
#                                (peak RSS from /usr/bin/time)
#   build/tools/procscan_run     the socket scan alone (every process, every
#                                namespace), from the host namespace: it
#                                reaches the load's namespace itself; the peak
#                                RSS comes from getrusage
#   ss -uanp                     inside the namespace (nsenter --net)
#   ss -uanp 'dport = :53'       inside the namespace
#   lsof -nP -i :53              inside the namespace
#   procscan_run --no-sockdiag   the /proc/PID/net fallback, once
# each timed as a whole process (wall clock), median of 3 runs at full size
# (1 at smoke size) after one untimed scan to warm the dentry cache.
# procscan_run must find exactly the generator's sockets to port 53 in its
# namespace (connected UDP + TCP, not the unconnected ones); the fallback
# too.
#
# Sizes (PROCSxSOCKETS): BENCH_SIZE=full 200x10 1000x20 4000x25, smoke 200x10;
# PROCSCAN_SIZES overrides. Timings are printed, never asserted (targets at
# 4000x25, issue 4: ss -uanp / resolvstale >= 6, lsof / resolvstale >= 20,
# RSS < 16 MB, cost linear in processes + fds: see "ms/1k fds").
# Exit 0, 1 when a count is wrong, 2 when a tool cannot run. Stops only the
# generator it started (its children die with it).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
name=procscan
tools=${RS_TOOLS:-$top/build/tools}
case ${BENCH_SIZE:-smoke} in
full) sizes="200x10 1000x20 4000x25" reps=3 ;;
*) sizes="200x10" reps=1 ;;
esac
sizes=${PROCSCAN_SIZES:-$sizes}

log() { printf '[%s] %s\n' "$name" "$*"; }
die() {
	printf '[%s] ERROR %s\n' "$name" "$*" >&2
	exit 2
}

[ "$(id -u)" -eq 0 ] || die "needs root"
rsbin=${RS_BIN:-$top/build/resolvstale}
[ -x "$rsbin" ] || die "$rsbin is missing (run: make)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
command -v jq >/dev/null || die "jq is missing"
for t in sockload procscan_run; do
	[ -x "$tools/$t" ] || die "$tools/$t is missing (run: make tools)"
done
command -v ss >/dev/null || die "ss is missing (apt-get install iproute2)"
command -v lsof >/dev/null || die "lsof is missing (apt-get install lsof)"
command -v nsenter >/dev/null || die "nsenter is missing (apt-get install util-linux)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/resolvstale-bench-procscan.XXXXXX") || die "mktemp failed"
gen=
stop_gen() {
	local i
	[ -n "$gen" ] || return 0
	kill -TERM "$gen" 2>/dev/null
	for i in $(seq 1 200); do
		kill -0 "$gen" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$gen" 2>/dev/null
	wait "$gen" 2>/dev/null
	gen=
}
trap 'stop_gen; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
# timed VAR CMD...: run CMD (stdout to $tmp/out, stderr to $tmp/err), add its
# wall-clock time in ns to the list in VAR. Returns CMD's status.
timed() {
	local var=$1 t0 t1 rc
	shift
	t0=$(now_ns)
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	t1=$(now_ns)
	printf -v "$var" '%s %s' "${!var}" $((t1 - t0))
	return $rc
}
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
field() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p" | tail -1; }
count_ns() { grep -c " netns=$2 " "$1"; }

failed=0
rows=()
for sz in $sizes; do
	procs=${sz%x*} socks=${sz#*x}
	rm -f "$tmp/ready"
	"$tools/sockload" -n "$procs" -m "$socks" --ready "$tmp/ready" 2>"$tmp/gen.err" &
	gen=$!
	for i in $(seq 1 3000); do
		[ -e "$tmp/ready" ] && break
		kill -0 "$gen" 2>/dev/null || break
		sleep 0.1
	done
	[ -e "$tmp/ready" ] || die "sockload $sz did not get ready: $(head -c 300 "$tmp/gen.err")"
	ready=$(cat "$tmp/ready")
	ns=$(field "$tmp/ready" netns)
	expected=$(field "$tmp/ready" expected)
	[ "$(readlink "/proc/$gen/ns/net" | tr -dc 0-9)" = "$ns" ] || die "sockload's namespace?"
	NS=(nsenter "--net=/proc/$gen/ns/net")
	log "$sz: $ready"

	"$tools/procscan_run" --count >/dev/null 2>&1 # warm-up, untimed
	t_rs= t_ss= t_ssf= t_lsof= t_scan=
	for rep in $(seq 1 "$reps"); do
		timed t_scan /usr/bin/time -f 'maxrss_kb=%M' -o "$tmp/scan.rss" "$rsbin" scan \
			--no-at-risk --format json --retired 127.53.0.1 --db "$tmp/none.db"
		rc=$?
		[ "$rc" -le 1 ] || die "resolvstale scan exited $rc: $(head -c 300 "$tmp/err")"
		cp "$tmp/out" "$tmp/scan.json"
		timed t_rs "$tools/procscan_run" --stats ||
			die "procscan_run failed: $(head -c 300 "$tmp/err")"
		cp "$tmp/out" "$tmp/rs.out"
		cp "$tmp/err" "$tmp/rs.stats"
		timed t_ss "${NS[@]}" ss -uanp || die "ss -uanp failed: $(head -c 300 "$tmp/err")"
		ss_lines=$(($(wc -l <"$tmp/out") - 1))
		timed t_ssf "${NS[@]}" ss -uanp 'dport = :53' ||
			die "ss -uanp 'dport = :53' failed: $(head -c 300 "$tmp/err")"
		ssf_lines=$(($(wc -l <"$tmp/out") - 1))
		timed t_lsof "${NS[@]}" lsof -nP -i :53
		rc=$?
		# lsof exits 1 when nothing matches; anything else did not run.
		[ "$rc" -le 1 ] || die "lsof exited $rc: $(head -c 300 "$tmp/err")"
		lsof_lines=$(($(wc -l <"$tmp/out") - 1))
	done
	t_fb=
	timed t_fb "$tools/procscan_run" --no-sockdiag --stats ||
		die "procscan_run --no-sockdiag failed: $(head -c 300 "$tmp/err")"
	cp "$tmp/out" "$tmp/fb.out"

	found=$(count_ns "$tmp/rs.out" "$ns")
	found_scan=$(jq --argjson ns "$ns" '[.processes[].sockets[] | select(.netns == $ns)] | length' "$tmp/scan.json")
	if [ "$found_scan" != "$expected" ]; then
		log "FAIL $sz: resolvstale scan found $found_scan sockets to port 53 in $ns, sockload made $expected"
		failed=1
	fi
	found_fb=$(count_ns "$tmp/fb.out" "$ns")
	if [ "$found" != "$expected" ]; then
		log "FAIL $sz: procscan_run found $found sockets to port 53 in $ns, sockload made $expected"
		failed=1
	fi
	if [ "$found_fb" != "$expected" ]; then
		log "FAIL $sz: the /proc/net fallback found $found_fb, sockload made $expected"
		failed=1
	fi
	log "$sz: lines: ss -uanp $ss_lines, ss dport $ssf_lines, lsof $lsof_lines, procscan_run $found (+ $(($(wc -l <"$tmp/rs.out") - found)) elsewhere)"
	log "$sz: procscan_run stats: $(cat "$tmp/rs.stats")"
	rows+=("$sz $procs $(field "$tmp/rs.stats" fds) $expected $found $(median "$t_rs") $(median "$t_ss") $(median "$t_ssf") $(median "$t_lsof") $(median "$t_fb") $(field "$tmp/rs.stats" maxrss_kb) $(field "$tmp/rs.stats" processes) $(median "$t_scan") $(field "$tmp/scan.rss" maxrss_kb)")
	stop_gen
done

printf '%s\n' "${rows[@]}" | awk -v name="$name" -v reps="$reps" '
BEGIN {
	printf "[%s] wall clock per run, median of %d; scan = resolvstale scan --no-at-risk (what an\n", name, reps
	printf "[%s] operator runs), core = build/tools/procscan_run (the socket scan alone)\n", name
	printf "[%s] %-8s %6s %7s %7s %8s %8s %9s %9s %9s %9s %7s %7s %8s %8s %8s %9s\n", name, "size", \
		"procs", "fds", "port53", "scan", "core", "ss -uanp", "ss dport", "lsof", "fallback", \
		"ss/scan", "ssd/scn", "lsof/scn", "scan_kB", "core_kB", "ms/1kfds"
}
{
	rs = $6 / 1e9; ss = $7 / 1e9; ssf = $8 / 1e9; ls = $9 / 1e9; fb = $10 / 1e9; sc = $13 / 1e9
	printf "[%s] %-8s %6d %7d %7d %7.3fs %7.3fs %8.3fs %8.3fs %8.3fs %8.3fs %6.1fx %6.1fx %7.1fx %8d %8d %9.3f\n", \
		name, $1, $2, $3, $5, sc, rs, ss, ssf, ls, fb, ss / sc, ssf / sc, ls / sc, $14, $11, \
		sc * 1000 / ($3 / 1000)
}'
if [ "$failed" -ne 0 ]; then
	log "FAILED: wrong counts (see above)"
	exit 1
fi
log "ok: resolvstale scan, procscan_run and its fallback found exactly the generator's sockets to port 53"
exit 0
