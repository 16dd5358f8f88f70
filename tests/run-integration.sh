#!/bin/bash
# Run every tests/integration/*.sh (or those named as arguments) against the
# real kernel. Needs root. Each test runs with a time limit; exit 77 = skipped.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
limit=${RS_TEST_TIMEOUT:-300}
if [ "$(id -u)" -ne 0 ]; then
	echo "integration tests need root: run 'sudo make test'" >&2
	exit 2
fi
if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=("$top"/tests/integration/*.sh)
fi
passed=0 failed=0 skipped=0
failed_names=()
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	printf '== integration: %s\n' "$name"
	start=$(date +%s)
	timeout --kill-after=10 "$limit" bash "$t"
	rc=$?
	dur=$(($(date +%s) - start))
	case $rc in
	0) passed=$((passed + 1)); printf '== %s: passed (%ss)\n' "$name" "$dur" ;;
	77) skipped=$((skipped + 1)); printf '== %s: skipped\n' "$name" ;;
	124|137) failed=$((failed + 1)); failed_names+=("$name"); printf '== %s: TIMED OUT after %ss\n' "$name" "$limit" ;;
	*) failed=$((failed + 1)); failed_names+=("$name"); printf '== %s: FAILED (exit %s)\n' "$name" "$rc" ;;
	esac
done
printf 'integration: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] || { printf 'failed: %s\n' "${failed_names[*]}"; exit 1; }
