#!/bin/bash
# The verdict engine under a flood of short-lived processes (a shell loop of
# dig, a cron storm): events per second, processes per second, the most
# processes held in memory and the peak RSS, with the store written as the
# daemon writes it (a tick per simulated second). Memory must not grow with
# the number of processes; every process must end up stale in the store
# (asserted: that is correctness, not timing). No other tool computes
# verdicts, so there is no ratio here; the audit source's live need is about
# 50 k events/s on a DNS-heavy host (README, Evidence sources).
#
# Sizes: BENCH_SIZE=full 20000 and 500000 processes, smoke 20000.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=${RS_TOOLS:-$top/build/tools}/engine_flood
[ -x "$tool" ] || { echo "engine_flood: $tool is missing (make tools)" >&2; exit 2; }
case ${BENCH_SIZE:-smoke} in
full) sizes="20000 500000" ;;
*) sizes="20000" ;;
esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/resolvstale-bench-engine.XXXXXX") || exit 2
trap 'rm -rf "$dir"' EXIT
status=0
for n in $sizes; do
	rm -f "$dir"/flood.db*
	"$tool" "$n" 3 "$dir" || status=1
	printf 'engine_flood: store after %s processes: %s bytes\n' "$n" \
		"$(stat -c %s "$dir/flood.db")"
done
exit $status
