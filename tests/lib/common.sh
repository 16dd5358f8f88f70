# Shared helpers for resolvstale's integration tests (bash). Source it:
#   . "$(dirname "$0")/../lib/common.sh"
#
# Safety rules (DESIGN.md §10) are enforced here, not left to each test:
#   - rs_enter_private_etc re-executes the test in a new mount namespace and
#     mounts an overlay over /etc there; rs_assert_private_etc refuses to go on
#     unless /etc is that overlay in a mount namespace other than init's;
#   - every helper loop is bounded in time;
#   - processes are stopped by the pids the test recorded, nothing else.

set -u

RS_TOP=${RS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
RS_BIN=${RS_BIN:-$RS_TOP/build/resolvstale}
RS_TOOLS=${RS_TOOLS:-$RS_TOP/build/tools}
RS_TEST_NAME=${RS_TEST_NAME:-$(basename "$0" .sh)}

rs_passed=0
rs_failed=0
rs_pids=()
rs_cleanups=()

rs_log() { printf '[%s] %s\n' "$RS_TEST_NAME" "$*"; }
rs_pass() {
	rs_passed=$((rs_passed + 1))
	printf '[%s] ok   %s\n' "$RS_TEST_NAME" "$*"
}
rs_fail() {
	rs_failed=$((rs_failed + 1))
	printf '[%s] FAIL %s\n' "$RS_TEST_NAME" "$*"
}
rs_die() {
	printf '[%s] ERROR %s\n' "$RS_TEST_NAME" "$*" >&2
	exit 2
}

# rs_check DESCRIPTION ACTUAL EXPECTED
rs_check() {
	if [ "$2" == "$3" ]; then
		rs_pass "$1"
	else
		rs_fail "$1: got '$2', expected '$3'"
	fi
}

# rs_wait_until SECONDS COMMAND...: poll every 50 ms until COMMAND succeeds.
# The arguments are expanded once, by the caller: to poll a changing value,
# pass a function that computes it (rs_wait_until 5 have_gens 3), not "$(...)".
rs_wait_until() {
	local limit=$1 start
	shift
	start=$(date +%s%N)
	while :; do
		"$@" && return 0
		if [ $((($(date +%s%N) - start) / 1000000)) -ge $((limit * 1000)) ]; then
			return 1
		fi
		sleep 0.05
	done
}

rs_require_root() {
	[ "$(id -u)" -eq 0 ] || rs_die "needs root (run: sudo make test)"
}

# Run COMMAND on exit (in reverse order of registration).
rs_on_exit() { rs_cleanups+=("$*"); }

# Start a background command, remember its pid for cleanup: rs_spawn VAR CMD...
rs_spawn() {
	local __var=$1
	shift
	"$@" &
	local pid=$!
	rs_pids+=("$pid")
	printf -v "$__var" '%s' "$pid"
}

# Stop one process we started: TERM, wait up to 5 s, then KILL.
rs_stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

rs_cleanup() {
	local i pid
	for ((i = ${#rs_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${rs_cleanups[$i]}" || true
	done
	for pid in "${rs_pids[@]}"; do
		rs_stop_pid "$pid"
	done
}

# rs_tmpdir VAR: a temporary directory removed on exit (not in a subshell, or
# the removal would be registered there).
rs_tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/resolvstale-$RS_TEST_NAME.XXXXXX") || rs_die "mktemp failed"
	rs_on_exit "rm -rf '$d'"
	printf -v "$1" '%s' "$d"
}

# Re-execute the calling script in a private mount namespace (and a private
# UTS namespace, so hostname changes stay inside), then mount an overlay over
# /etc: everything the test writes under /etc lands in a temporary upper dir.
# Call it at the top of a test, before anything else: rs_enter_private_etc "$@"
rs_enter_private_etc() {
	if [ -z "${RS_IN_PRIVATE_ETC:-}" ]; then
		rs_require_root
		# Remember the namespace we leave: /proc/1/ns may not be readable
		# (PID 1 of a sandbox), so compare with this one instead.
		RS_HOST_MNTNS=$(readlink /proc/self/ns/mnt) || rs_die "cannot read /proc/self/ns/mnt"
		exec unshare --mount --uts --propagation private \
			env RS_IN_PRIVATE_ETC=1 RS_HOST_MNTNS="$RS_HOST_MNTNS" bash "$0" "$@"
	fi
	local base
	base=$(mktemp -d /tmp/resolvstale-etc.XXXXXX) || rs_die "mktemp failed"
	mkdir -p "$base/upper" "$base/work"
	rs_on_exit "rm -rf '$base'"
	rs_assert_private_mntns
	mount -t overlay overlay -o "lowerdir=/etc,upperdir=$base/upper,workdir=$base/work" /etc ||
		rs_die "cannot mount an overlay over /etc"
	rs_assert_private_etc
	RS_ETC_UPPER=$base/upper
}

# Abort unless this shell runs in a mount namespace other than the one the
# test was started in.
rs_assert_private_mntns() {
	local here
	here=$(readlink /proc/self/ns/mnt)
	[ -n "$here" ] && [ -n "${RS_HOST_MNTNS:-}" ] && [ "$here" != "$RS_HOST_MNTNS" ] ||
		rs_die "not in a private mount namespace: refusing to touch /etc"
}

# Abort unless /etc is an overlay in a private mount namespace.
rs_assert_private_etc() {
	rs_assert_private_mntns
	[ "$(findmnt -n -o FSTYPE --mountpoint /etc)" = overlay ] ||
		rs_die "/etc is not the test's overlay: refusing to touch /etc"
}

# Print the summary line and exit with the right status. Call last.
rs_finish() {
	printf '[%s] %d passed, %d failed\n' "$RS_TEST_NAME" "$rs_passed" "$rs_failed"
	[ "$rs_failed" -eq 0 ] && [ "$rs_passed" -gt 0 ]
	exit $?
}

trap rs_cleanup EXIT
trap 'exit 130' INT TERM

# --- the kernel's audit state -------------------------------------------------
# Tests that run the audit source save the kernel's audit state first and put
# it back whatever happens (DESIGN.md §10).

# The audit settings and rules, as text to compare.
rs_audit_state() {
	auditctl -s | awk '/^(enabled|failure|pid|rate_limit|backlog_limit|backlog_wait_time) /'
	auditctl -l
}

# rs_audit_save DIR: write DIR/audit.before, restore on exit (our rules out,
# enabled and backlog_limit back); exit 77 (skip) when the rules are locked.
rs_audit_save() {
	RS_AUDIT_DIR=$1
	rs_audit_state >"$RS_AUDIT_DIR/audit.before"
	rs_on_exit rs_audit_restore
	if awk '/^enabled /{exit !($2 == 2)}' "$RS_AUDIT_DIR/audit.before"; then
		echo "audit rules are locked (enabled 2): cannot test the audit source"
		exit 77
	fi
}

rs_audit_restore() {
	local k
	for k in write conf dns; do
		auditctl -D -k "resolvstale-live-$k" >/dev/null 2>&1
	done
	auditctl -e "$(awk '/^enabled /{print $2}' "$RS_AUDIT_DIR/audit.before")" >/dev/null 2>&1
	auditctl -b "$(awk '/^backlog_limit /{print $2}' "$RS_AUDIT_DIR/audit.before")" >/dev/null 2>&1
}

# After the daemon stopped: the state must be what it was.
rs_audit_check_restored() {
	rs_audit_state >"$RS_AUDIT_DIR/audit.after"
	rs_check "audit state equal before and after" \
		"$(diff "$RS_AUDIT_DIR/audit.before" "$RS_AUDIT_DIR/audit.after" && echo same)" same
}

# rs_netns VAR: a new network namespace with lo up, held by a sleep whose pid
# goes into VAR (enter it with nsenter --net=/proc/$VAR/ns/net). Waits until
# the holder has really left this namespace: /proc/PID/ns/net exists as soon
# as unshare is forked, before it calls unshare(2).
rs_netns() {
	local __var=$1 __pid
	rs_spawn __pid unshare --net sleep 300
	rs_wait_until 5 rs_netns_entered "$__pid" || rs_die "no network namespace"
	nsenter --net="/proc/$__pid/ns/net" ip link set lo up || rs_die "cannot bring lo up"
	printf -v "$__var" '%s' "$__pid"
}

rs_netns_entered() {
	local here there
	here=$(readlink /proc/self/ns/net) && there=$(readlink "/proc/$1/ns/net") &&
		[ -n "$there" ] && [ "$there" != "$here" ]
}
