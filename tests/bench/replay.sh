#!/bin/bash
# shellcheck disable=SC2154,SC2016 # t_NAME/rc_NAME are set by timed(); sh -c gets $1 $2
# `resolvstale replay` throughput against what users run today on the same
# log in the same run (issue 6, point 5):
#   resolvstale replay --retired OLD --format json FILE   the complete report
#   ausearch -i -if FILE | grep -F OLD                    the usual recipe
#   ausearch -if FILE -sc connect -i                      connects only
#   aureport -if FILE --summary                           the summary report
# each timed as a whole process (wall clock, the file in the page cache),
# peak RSS from /usr/bin/time (for the pipeline: its largest process).
# Prints records/s, MB/s, peak RSS and the ratios (their time / replay's);
# target: the ausearch recipe at least 2x replay's time, replay's memory
# independent of the log's size: replay also runs on a smaller log and both
# peak RSS are printed.
#
# The log: tests/tools/gen_audit_log.py --replay (fixed seed): DNS sends to
# the OLD server 127.53.0.1 from long-lived and respawned processes, to the
# new one from others, sends on connected sockets (no SOCKADDR), and the
# usual noise. It prints how many stale processes it planted, DNS sends and
# inferred sends; replay must find exactly those (exit 1 otherwise). Timings
# are printed, never asserted.
#
# BENCH_SIZE=full: 1,000,000 records (RSS also at 100,000); smoke: 50,000
# (RSS also at 20,000). REPLAY_RECORDS / REPLAY_SMALL_RECORDS override.
# Exit 0, 1 on a wrong count, 2 when a tool cannot run. Writes only under a
# temporary directory (replay's temporary stores too).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
name=replay
case ${BENCH_SIZE:-smoke} in
full) records=1000000 small=100000 ;;
*) records=50000 small=20000 ;;
esac
records=${REPLAY_RECORDS:-$records}
small=${REPLAY_SMALL_RECORDS:-$small}
rsbin=${RS_BIN:-$top/build/resolvstale}
gen=$top/tests/tools/gen_audit_log.py
OLD=127.53.0.1

log() { printf '[%s] %s\n' "$name" "$*"; }
die() {
	printf '[%s] ERROR %s\n' "$name" "$*" >&2
	exit 2
}

[ -x "$rsbin" ] || die "$rsbin is missing (run: make)"
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is missing"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
command -v jq >/dev/null || die "jq is missing"
command -v ausearch >/dev/null || die "ausearch is missing (apt-get install auditd)"
command -v aureport >/dev/null || die "aureport is missing (apt-get install auditd)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/resolvstale-bench-replay.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
export TMPDIR=$tmp # replay's temporary stores

now_ns() { date +%s%N; }
# timed NAME CMD...: run CMD under /usr/bin/time (stdout to $tmp/NAME.out,
# stderr to $tmp/NAME.err, peak RSS in kB to $tmp/NAME.rss); sets t_NAME
# (wall clock, ns) and rc_NAME.
timed() {
	local n=$1 t0 t1 rc
	shift
	t0=$(now_ns)
	/usr/bin/time -f '%M' -o "$tmp/$n.rss" "$@" >"$tmp/$n.out" 2>"$tmp/$n.err"
	rc=$?
	t1=$(now_ns)
	printf -v "t_$n" '%s' $((t1 - t0))
	printf -v "rc_$n" '%s' "$rc"
}
rss() { tail -n 1 "$tmp/$1.rss"; }
value() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

t0=$(now_ns)
expected=$(/usr/bin/python3 "$gen" --replay --records "$records" "$tmp/audit.log") ||
	die "gen_audit_log.py failed"
/usr/bin/python3 "$gen" --replay --records "$small" "$tmp/small.log" >"$tmp/small.expected" ||
	die "gen_audit_log.py failed"
t1=$(now_ns)
bytes=$(stat -c %s "$tmp/audit.log")
log "log: $records records, $((bytes / 1024)) KiB (and $small records for the memory check), written in $(((t1 - t0) / 1000000)) ms"
log "generated: $expected"

# Read the cache once so that no tool pays for the first read.
cat "$tmp/audit.log" "$tmp/small.log" >/dev/null

timed replay "$rsbin" replay --retired "$OLD" --format json "$tmp/audit.log"
[ "$rc_replay" -le 1 ] || die "resolvstale replay exited $rc_replay: $(head -c 300 "$tmp/replay.err")"
timed recipe sh -c 'ausearch -i -if "$1" | grep -F "$2"' sh "$tmp/audit.log" "$OLD"
[ "$rc_recipe" -le 1 ] || die "ausearch -i | grep exited $rc_recipe: $(head -c 300 "$tmp/recipe.err")"
timed connect ausearch -if "$tmp/audit.log" -sc connect -i
# ausearch exits 1 when no event matches; anything else is a failure to run.
[ "$rc_connect" -le 1 ] || die "ausearch -sc connect exited $rc_connect: $(head -c 300 "$tmp/connect.err")"
timed aureport aureport -if "$tmp/audit.log" --summary
[ "$rc_aureport" -le 1 ] || die "aureport exited $rc_aureport: $(head -c 300 "$tmp/aureport.err")"
timed small "$rsbin" replay --retired "$OLD" --format json "$tmp/small.log"
[ "$rc_small" -le 1 ] || die "resolvstale replay (small) exited $rc_small: $(head -c 300 "$tmp/small.err")"

log "ausearch -i | grep $OLD: $(wc -l <"$tmp/recipe.out") lines; ausearch -sc connect: $(grep -c '^type=SYSCALL' "$tmp/connect.out") events"

# --- what replay must have found ---------------------------------------------------
failed=0
check() { # DESCRIPTION GOT WANT
	if [ "$2" != "$3" ]; then
		log "FAIL $1: replay found '$2', the generator planted '$3'"
		failed=1
	fi
}
rj() { jq -r "$2" "$tmp/$1.out" 2>&1; }
check "exit status (non-compliant)" "$rc_replay" 1
check "stale processes" "$(rj replay '.summary.stale')" "$(value stale_procs "$expected")"
check "records" "$(rj replay '.replay.records')" "$(value records "$expected")"
check "DNS sends (with an address + inferred)" "$(rj replay '.replay.dns_sends')" \
	"$(($(value dns_send "$expected") + $(value inferred "$expected")))"
check "inferred sends" "$(rj replay '.replay.inferred_sends')" "$(value inferred "$expected")"
check "garbage lines" "$(rj replay '.replay.garbage_lines')" 0
check "stale processes (small log)" "$(rj small '.summary.stale')" "$(value stale_procs "$(cat "$tmp/small.expected")")"
log "replay: $(rj replay '.summary | "\(.stale) stale, \(.reloaded) reloaded, \(.unaffected) unaffected"'), $(rj replay '.replay | "\(.events) events, \(.dns_sends) DNS sends (\(.inferred_sends) inferred)"')"

awk -v n="$records" -v b="$bytes" -v small="$small" \
	-v r="$t_replay" -v a="$t_recipe" -v c="$t_connect" -v s="$t_aureport" \
	-v rr="$(rss replay)" -v ra="$(rss recipe)" -v rc="$(rss connect)" -v rs="$(rss aureport)" \
	-v rsmall="$(rss small)" -v name="$name" 'BEGIN {
	split("replay --format json;ausearch -i | grep OLD;ausearch -sc connect -i;aureport --summary", label, ";")
	t[1] = r; t[2] = a; t[3] = c; t[4] = s
	m[1] = rr; m[2] = ra; m[3] = rc; m[4] = rs
	printf "[%s] %-28s %9s %12s %8s %10s %10s\n", name, "(same log, wall clock)", "time", "records/s", "MB/s", "peak RSS", "vs replay"
	for (i = 1; i <= 4; i++)
		printf "[%s] %-28s %8.3fs %12.0f %8.1f %8.1f MB %9.2fx\n", name, label[i], t[i] / 1e9,
			n / (t[i] / 1e9), b / 1e6 / (t[i] / 1e9), m[i] / 1024, t[i] / t[1]
	printf "[%s] target: the ausearch recipe >= 2x replay: %.2fx (%s)\n", name, a / r, (a / r >= 2 ? "met" : "NOT met")
	printf "[%s] replay peak RSS: %.1f MB at %d records, %.1f MB at %d records (x%.2f for x%.1f the records)\n", \
		name, rsmall / 1024, small, rr / 1024, n, rr / rsmall, n / small
}'

if [ "$failed" -ne 0 ]; then
	log "FAILED: replay's counts differ from what the generator planted"
	exit 1
fi
log "ok: replay found the generator's $(value stale_procs "$expected") stale processes, its DNS and inferred sends"
exit 0
