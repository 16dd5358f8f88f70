#!/bin/bash
# Audit log parsing throughput: build/tools/audit_parse (rs_audit_feed +
# rs_audit_classify, the code the live audit source runs) against
# `ausearch -i` (what an operator would run over the same log), on the same
# synthetic log in the same run. BENCH_SIZE=full: 1,000,000 records; smoke:
# 20,000 (AUDIT_PARSE_RECORDS overrides both).
#
# The log comes from tests/tools/gen_audit_log.py (fixed seed), which prints
# how many DNS sends, config events, events and records it wrote; audit_parse
# must find exactly those. Timings are printed, never asserted. Exit 0, 1 on a
# wrong count, 2 when a tool cannot run. Writes only under a temporary
# directory; needs no namespace of its own.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
name=audit_parse
size=${BENCH_SIZE:-smoke}
case $size in
full) records=1000000 ;;
*) records=20000 ;;
esac
records=${AUDIT_PARSE_RECORDS:-$records}
tool=${RS_TOOLS:-$top/build/tools}/audit_parse
gen=$top/tests/tools/gen_audit_log.py

log() { printf '[%s] %s\n' "$name" "$*"; }
die() {
	printf '[%s] ERROR %s\n' "$name" "$*" >&2
	exit 2
}

[ -x "$tool" ] || die "$tool is missing (run: make tools)"
[ -x /usr/bin/python3 ] || die "/usr/bin/python3 is missing"
command -v ausearch >/dev/null || die "ausearch is missing (apt-get install auditd)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/resolvstale-bench-audit-parse.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

t0=$(now_ns)
expected=$(/usr/bin/python3 "$gen" --records "$records" "$tmp/audit.log") ||
	die "gen_audit_log.py failed"
t1=$(now_ns)
log "log: $records records, $(($(stat -c %s "$tmp/audit.log") / 1024)) KiB, written in $(((t1 - t0) / 1000000)) ms"
log "generated: $expected"

# Read the cache once so that neither tool pays for the first read.
cat "$tmp/audit.log" >/dev/null

t0=$(now_ns)
"$tool" "$tmp/audit.log" >"$tmp/ours" 2>"$tmp/ours.err"
rc=$?
t1=$(now_ns)
[ "$rc" -eq 0 ] || die "audit_parse exited $rc: $(head -c 300 "$tmp/ours.err")"
ours_ns=$((t1 - t0))

t0=$(now_ns)
ausearch -i -if "$tmp/audit.log" >/dev/null 2>"$tmp/ausearch.err"
rc=$?
t1=$(now_ns)
# ausearch exits 1 when no event matches; anything else is a failure to run.
[ "$rc" -le 1 ] || die "ausearch exited $rc: $(head -c 300 "$tmp/ausearch.err")"
theirs_ns=$((t1 - t0))

log "audit_parse: $(cat "$tmp/ours")"

# value KEY LINE: the number after KEY= in a line of key=value pairs.
value() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

failed=0
got=$(cat "$tmp/ours")
for k in records events dns_send config other_sends; do
	want=$(value "$k" "$expected")
	have=$(value "$k" "$got")
	if [ -z "$want" ] || [ "$want" != "$have" ]; then
		log "FAIL $k: audit_parse found '$have', the generator wrote '$want'"
		failed=1
	fi
done
[ "$(value rule_changes "$got")" = 0 ] || {
	log "FAIL rule_changes: $(value rule_changes "$got"), the log has none"
	failed=1
}

awk -v n="$records" -v a="$ours_ns" -v b="$theirs_ns" 'BEGIN {
	ra = n / (a / 1e9); rb = n / (b / 1e9);
	printf "[audit_parse] audit_parse:  %8.3f s  %10.0f records/s (wall clock, whole process)\n", a / 1e9, ra;
	printf "[audit_parse] ausearch -i:  %8.3f s  %10.0f records/s (wall clock, whole process)\n", b / 1e9, rb;
	printf "[audit_parse] ratio: audit_parse is %.1fx the throughput of ausearch -i\n", ra / rb;
}'

if [ "$failed" -ne 0 ]; then
	log "FAILED: audit_parse's counts differ from what the generator wrote"
	exit 1
fi
log "ok: counts match the generator's"
exit 0
