#!/bin/bash
# Run the benchmarks in tests/bench/ (BENCH_SIZE=smoke in `make test`, full in
# `make bench`). Each benchmark that touches /etc runs inside a private mount
# namespace with an overlay over /etc (rs_enter_private_etc). Timings are
# printed, never asserted: the machines are noisy. A benchmark fails only when
# it cannot run or its workload did not behave (a change not seen at all).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export BENCH_SIZE=${BENCH_SIZE:-smoke}
if [ "$(id -u)" -ne 0 ]; then
	echo "benchmarks need root: run 'sudo make bench'" >&2
	exit 2
fi
passed=0 failed=0
for b in "$top"/tests/bench/*.sh "$top"/tests/bench/*.py; do
	[ -e "$b" ] || continue
	name=$(basename "$b")
	printf '== bench (%s): %s\n' "$BENCH_SIZE" "$name"
	if timeout --kill-after=10 900 bash "$top/tests/lib/bench-one.sh" "$b"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf '== %s: FAILED\n' "$name"
	fi
done
printf 'bench: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
