#!/bin/sh
# Run the Criterion unit-test binaries given as arguments (built with ASan and
# UBSan). Sanitizers abort on the first error so that Criterion reports the test
# as crashed instead of passing it (DESIGN.md §10).
set -u
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:halt_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="exitcode=23:${LSAN_OPTIONS:-}"
failed=0
passed=0
for bin in "$@"; do
	printf '== %s\n' "$bin"
	if "$bin" --jobs=2 --short-filename; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAILED: %s\n' "$bin"
	fi
done
printf 'unit: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
