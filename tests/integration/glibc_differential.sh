#!/bin/bash
# resolvstale's resolv.conf parser against the real glibc res_init().
#
# Runs tests/tools/rc_glibc_diff over every fixture in tests/fixtures/resolvconf
# and over 2000 inputs from tests/tools/rc_gen.py (fixed seed), with a temporary
# file bind-mounted over /etc/resolv.conf in a private mount and UTS namespace
# (the hostname has no dot, so glibc derives no search domain from it). Any
# difference in nameservers, scope ids, search list, ndots, timeout, attempts or
# option flags fails the test: fix src/resolvconf.c, not this test.
#
# Then checks glibc's two failure modes that the parser reports as warnings (the
# unit tests in tests/unit/test_resolvconf.c assert those warnings on the same
# inputs): sortlist lines on which res_init() never returns
# (RS_RCW_SORTLIST_HANG) and search lists on which it aborts on an assertion
# (RS_RCW_SEARCH_ABORT).
#
# Known limits, excluded from the comparison on purpose:
#   - lines over 1024 bytes: resolvstale ignores them (RS_RC_MAX_LINE), glibc
#     reads them. The generator never writes one; the fixture long-line.conf is
#     run on its own as the positive control: it must differ in exactly that.
#   - search lists whose first 6 domains need more than 256 bytes: the tool
#     compares glibc's legacy _res, which holds at most 6 domains in 256 bytes
#     (glibc's own list is longer; our caps of 32 domains of 255 bytes lie
#     beyond what _res can show). The generator writes no such search or domain
#     line; the aborting ones are checked below.
#   - sortlist: rc_glibc_diff does not compare it (only the hang is checked).
set -u
. "$(dirname "$0")/../lib/common.sh"

if [ -z "${RS_IN_PRIVATE_NS:-}" ]; then
	rs_require_root
	exec unshare --mount --uts --propagation private env RS_IN_PRIVATE_NS=1 bash "$0" "$@"
fi

[ "$(readlink /proc/self/ns/mnt)" != "$(readlink /proc/1/ns/mnt)" ] ||
	rs_die "not in a private mount namespace: refusing to mount over /etc/resolv.conf"
[ "$(readlink /proc/self/ns/uts)" != "$(readlink /proc/1/ns/uts)" ] ||
	rs_die "not in a private UTS namespace: refusing to set the hostname"
[ "$(findmnt -n -o PROPAGATION /)" = private ] ||
	rs_die "/ is not mounted private here: a bind mount could propagate to the host"

DIFF=$RS_TOOLS/rc_glibc_diff
GEN=$RS_TOP/tests/tools/rc_gen.py
FIXTURES=$RS_TOP/tests/fixtures/resolvconf
GEN_COUNT=2000
GEN_SEED=53
[ -x "$DIFF" ] || rs_die "$DIFF is missing: run 'make tools'"
[ -e /etc/resolv.conf ] || rs_die "/etc/resolv.conf does not exist: nothing to bind-mount over"

# glibc reads these too; the comparison is about the file alone.
unset LOCALDOMAIN RES_OPTIONS HOSTALIASES
hostname rstest-glibc-diff || rs_die "cannot set the hostname in the private UTS namespace"

rs_tmpdir T
TARGET=$T/target.conf
: >"$TARGET"
mount --bind "$TARGET" /etc/resolv.conf || rs_die "cannot bind-mount $TARGET over /etc/resolv.conf"
rs_on_exit "umount /etc/resolv.conf"
[ "$(stat -L -c %d:%i /etc/resolv.conf)" = "$(stat -c %d:%i "$TARGET")" ] ||
	rs_die "/etc/resolv.conf is not the bind-mounted temporary file"

# run_diff TIMEOUT INPUT...: rc_glibc_diff's exit status; output in $T/out, $T/err.
run_diff() {
	local limit=$1
	shift
	timeout "$limit" "$DIFF" --target "$TARGET" "$@" >"$T/out" 2>"$T/err"
}

# 1. Fixtures (all but the over-long line).
fixtures=()
for f in "$FIXTURES"/*.conf; do
	[ "$(basename "$f")" = long-line.conf ] && continue
	fixtures+=("$f")
done
if [ "${#fixtures[@]}" -lt 20 ]; then
	rs_fail "expected at least 20 fixtures in $FIXTURES, found ${#fixtures[@]}"
elif run_diff 30 "${fixtures[@]}"; then
	rs_pass "fixtures: glibc and resolvstale agree ($(tail -n 1 "$T/out"))"
else
	rs_fail "fixtures: glibc and resolvstale differ (exit $?):"
	head -n 60 "$T/out" "$T/err"
fi

# 2. Generated inputs.
/usr/bin/python3 "$GEN" --out "$T/gen" --count "$GEN_COUNT" --seed "$GEN_SEED" ||
	rs_die "rc_gen.py failed"
n=$(find "$T/gen" -name 'gen-*.conf' | wc -l)
rs_check "generator wrote $GEN_COUNT inputs" "$n" "$GEN_COUNT"
if run_diff 40 "$T"/gen/gen-*.conf; then
	rs_check "generated: summary" "$(tail -n 1 "$T/out")" \
		"rc_glibc_diff: $GEN_COUNT inputs, 0 differ"
else
	rs_fail "generated: glibc and resolvstale differ (exit $?), first differences:"
	grep -c '^DIFF' "$T/out"
	awk '/^DIFF/ { n++ } n <= 5' "$T/out" | head -n 80
	head -n 5 "$T/err"
fi

# 3. Positive control: the one documented divergence must be seen.
run_diff 10 "$FIXTURES/long-line.conf"
rc=$?
rs_check "long-line.conf: the over-long nameserver line is the only difference" \
	"$rc $(tail -n 1 "$T/out")" "1 rc_glibc_diff: 1 inputs, 1 differ"

# 4. sortlist lines on which glibc's res_init() loops forever. rc_glibc_diff
# forks res_init(); timeout kills its whole process group, child included.
mkdir -p "$T/hang"
printf 'nameserver 192.0.2.1\r\nsortlist 10.0.0.0\r\n' >"$T/hang/crlf.conf"
printf 'nameserver 192.0.2.1\nsortlist bogus/255.0.0.0\n' >"$T/hang/bad-addr-mask.conf"
printf 'nameserver 192.0.2.1\nsortlist 10.0.0.0/255.0.0.0\200\n' >"$T/hang/high-byte.conf"
for f in "$T"/hang/*.conf; do
	run_diff 2 "$f"
	rc=$?
	rs_check "glibc's res_init() never returns on $(basename "$f")" "$rc" 124
done
printf 'nameserver 192.0.2.1\nsortlist 10.0.0.0/8 bogus 1.2.3.4&255.255.0.0;x/y\n' \
	>"$T/hang/control.conf"
run_diff 5 "$T/hang/control.conf"
rc=$?
rs_check "control: the same sortlist forms without the trigger return" "$rc" 0

# 5. Search lists on which glibc aborts (assertion in update_from_conf).
mkdir -p "$T/abort"
d255=$(printf '%0255d' 0 | tr 0 d)
d55=$(printf '%055d' 0 | tr 0 p)
d56=$(printf '%056d' 0 | tr 0 q)
printf 'nameserver 192.0.2.1\ndomain %s\n' "${d255}d" >"$T/abort/domain-256.conf"
printf 'nameserver 192.0.2.1\nsearch a %s\n' "$d255" >"$T/abort/search-short-then-long.conf"
printf 'nameserver 192.0.2.1\nsearch %s %s\n' "$d55" "$d255" >"$T/abort/search-56-then-long.conf"
for f in "$T"/abort/*.conf; do
	run_diff 5 "$f"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q "Assertion .resolv_conf_matches" "$T/err"; then
		rs_pass "glibc's res_init() aborts on $(basename "$f")"
	else
		rs_fail "glibc's res_init() was expected to abort on $(basename "$f"): exit $rc"
		head -n 5 "$T/out" "$T/err"
	fi
done
printf 'nameserver 192.0.2.1\ndomain %s\n' "$d255" >"$T/abort/control-255.conf"
run_diff 5 "$T/abort/control-255.conf"
rc=$?
rs_check "control: a 255-byte domain fits and agrees" "$rc" 0
printf 'nameserver 192.0.2.1\nsearch %s %s\n' "$d56" "$d255" >"$T/abort/control-57.conf"
run_diff 5 "$T/abort/control-57.conf"
rc=$?
if [ "$rc" -ne 2 ]; then
	rs_pass "control: 57 bytes before the long domain: glibc truncates _res, no abort"
else
	rs_fail "control-57.conf: glibc aborted"
fi

rs_finish
