#!/bin/sh
# Run libFuzzer targets for a fixed time each:
#
#   FUZZ_SECONDS=N sh tests/run-fuzz.sh build/fuzz/fuzz_X ...
#
# Each fuzzer runs for N seconds (default 20) on a copy of its seed corpus,
# tests/fuzz/corpus/X/ (the binary's name without "fuzz_"), in a temporary
# directory: new corpus entries and crash files never land in the source tree.
# A crash, a leak, a sanitizer report, an input slower than 10 s or a missing
# seed corpus fails the run; the inputs that made a fuzzer fail are kept in a
# directory named in the output, to reproduce with `build/fuzz/fuzz_X FILE`.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${FUZZ_SECONDS:-20}
case $secs in
'' | *[!0-9]*)
	echo "run-fuzz: FUZZ_SECONDS must be a number of seconds, not '$secs'" >&2
	exit 2
	;;
esac
[ "$secs" -gt 0 ] || {
	echo "run-fuzz: FUZZ_SECONDS must be at least 1" >&2
	exit 2
}
if [ $# -eq 0 ]; then
	echo "usage: FUZZ_SECONDS=N sh tests/run-fuzz.sh build/fuzz/fuzz_X ..." >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/resolvstale-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	seed=$top/tests/fuzz/corpus/${name#fuzz_}
	work=$tmp/$((passed + failed))-$name
	printf '== fuzz: %s for %ss\n' "$name" "$secs"
	if [ ! -x "$bin" ]; then
		printf 'FAILED: %s: not an executable (build it: make %s)\n' "$name" "$bin"
		failed=$((failed + 1))
		continue
	fi
	if [ ! -d "$seed" ] || [ -z "$(ls -A "$seed")" ]; then
		printf 'FAILED: %s: no seed corpus in %s\n' "$name" "$seed"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$work/corpus" "$work/artifacts"
	cp -R "$seed"/. "$work/corpus/"
	bin_abs=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
	# libFuzzer stops after -max_total_time; the outer timeout bounds a
	# fuzzer that does not (a hang in its set-up, say).
	(cd "$work" && LSAN_OPTIONS="suppressions=$top/tests/fuzz/lsan.supp" \
		timeout --kill-after=10 $((secs + 120)) "$bin_abs" \
		-max_total_time="$secs" -max_len=70000 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/" "$work/corpus" >"$work/log" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$work/artifacts")" ]; then
		grep -E '^(stat::number_of_executed_units|stat::new_units_added):' "$work/log" |
			sed 's/^/   /'
		passed=$((passed + 1))
	else
		keep=$(mktemp -d "${TMPDIR:-/tmp}/resolvstale-fuzz-$name.XXXXXX")
		cp -R "$work/artifacts/." "$keep/" 2>/dev/null
		cp "$work/log" "$keep/fuzzer.log"
		printf 'FAILED: %s (exit %s); inputs and log kept in %s\n' "$name" "$rc" "$keep"
		grep -E 'ERROR|invariant failed|SUMMARY|Test unit written' "$work/log" | head -n 20
		failed=$((failed + 1))
	fi
done
printf 'fuzz: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
