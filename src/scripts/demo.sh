#!/bin/bash
# `sudo make demo`: resolvstale at work, in a sandbox, in about half a minute.
#
# Starts an old and a new DNS server and a few small client programs, runs the
# daemon, moves /etc/resolv.conf from the old server to the new one, and shows
# `resolvstale report` and `resolvstale services`, with a few words at each
# step on what happens and what to look at.
#
# Safe on any machine: everything runs in a private mount namespace with an
# overlay over /etc (the real /etc is never written: the script checks that
# /etc is its overlay before it writes there) and in a network namespace of
# its own (the DNS servers listen on 127.53.0.x inside it; nothing leaves it).
# On exit, Ctrl-C or SIGTERM it stops the processes it started, by pid, and
# nothing else; the daemon removes its audit rules, and the kernel audit
# flags are put back as found. DEMO_PAUSE=0 skips the pauses (2 = slower).
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${RS_BIN:-$TOP/build/resolvstale}
OLD=127.53.0.1
NEW=127.53.0.2
PAUSE=${DEMO_PAUSE:-1}
PY=/usr/bin/python3

if [ -t 1 ]; then
	B=$'\033[1m' D=$'\033[2m' R=$'\033[0m' COLOR=always
else
	B='' D='' R='' COLOR=never
fi
step() { printf '\n%s== %s%s\n' "$B" "$*" "$R"; }
say() { printf '   %s\n' "$@"; }
show() { printf '%s   $ %s%s\n' "$D" "$*" "$R"; }
pause() { sleep "$(awk -v s="$1" -v k="$PAUSE" 'BEGIN { print s * k }')"; }
die() {
	printf 'demo: %s\n' "$*" >&2
	exit 2
}

# --- outside: checks, then the private mount namespace -----------------------
if [ -z "${RS_DEMO_INSIDE:-}" ]; then
	[ "$(id -u)" -eq 0 ] || die "needs root for namespaces, fanotify and audit: sudo make demo"
	[ -x "$BIN" ] || die "$BIN is missing: run make first"
	"$BIN" report --help >/dev/null 2>&1 || die "$BIN has no report command yet"
	for tool in unshare nsenter mount findmnt ip awk sed; do
		command -v "$tool" >/dev/null || die "$tool is missing (util-linux, iproute2)"
	done
	[ -x "$PY" ] || die "$PY is missing (apt-get install python3)"
	command -v dnsmasq >/dev/null || die "dnsmasq is missing (apt-get install dnsmasq-base)"
	# A resolvstale daemon already running here uses the same audit key
	# prefix: the demo's daemon would remove its rules. Do not disturb it.
	if pgrep -x resolvstale >/dev/null 2>&1 ||
		{ command -v auditctl >/dev/null && auditctl -l 2>/dev/null | grep -q 'key=resolvstale-live-'; }; then
		die "a resolvstale daemon runs on this machine (or left its audit rules): stop it first"
	fi
	HOST_MNTNS=$(readlink /proc/self/ns/mnt) || die "cannot read /proc/self/ns/mnt"
	exec unshare --mount --uts --propagation private \
		env RS_DEMO_INSIDE=1 RS_DEMO_HOST_MNTNS="$HOST_MNTNS" bash "$0" "$@"
fi

# --- inside: cleanup first, then the overlay over /etc ------------------------
T=$(mktemp -d /tmp/resolvstale-demo.XXXXXX) || die "mktemp failed"
PIDS=()
AUDIT_ENABLED=
cleanup() {
	trap '' INT TERM # a second Ctrl-C must not cut the cleanup short
	local i pid n
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		pid=${PIDS[$i]}
		kill -TERM "$pid" 2>/dev/null || continue
		for ((n = 0; n < 60; n++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ -n "$AUDIT_ENABLED" ]; then
		# The daemon removes its rules and restores the flag when it stops;
		# this only repairs what a killed daemon could not.
		for k in write conf dns; do
			auditctl -D -k "resolvstale-live-$k" >/dev/null 2>&1
		done
		auditctl -e "$AUDIT_ENABLED" >/dev/null 2>&1
	fi
	if [ "$(findmnt -n -o FSTYPE --mountpoint /etc 2>/dev/null)" = overlay ] &&
		[ "$(readlink /proc/self/ns/mnt)" != "$RS_DEMO_HOST_MNTNS" ]; then
		umount -l /etc 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'printf "\ndemo: interrupted, cleaning up\n"; exit 130' INT TERM

# spawn VAR CMD...: start CMD in the background, remember its pid.
spawn() {
	local __v=$1
	shift
	"$@" &
	PIDS+=("$!")
	printf -v "$__v" '%s' "$!"
}
# wait_for SECONDS CMD...: poll every 0.1 s until CMD succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}

[ -n "${RS_DEMO_HOST_MNTNS:-}" ] && [ "$(readlink /proc/self/ns/mnt)" != "$RS_DEMO_HOST_MNTNS" ] ||
	die "not in a private mount namespace: refusing to touch /etc"
mkdir -p "$T/upper" "$T/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/upper,workdir=$T/work" /etc ||
	die "cannot mount an overlay over /etc"
[ "$(findmnt -n -o FSTYPE --mountpoint /etc)" = overlay ] || die "/etc is not the demo's overlay"
if command -v auditctl >/dev/null; then
	AUDIT_ENABLED=$(auditctl -s 2>/dev/null | awk '/^enabled /{print $2}')
fi

# --- 1. the sandbox and two DNS servers -------------------------------------------
step "1. A sandbox with two DNS servers"
say "Everything runs in private namespaces: /etc is an overlay that vanishes at the" \
	"end, and the network namespace has only its own loopback. Two dnsmasq" \
	"servers stand for your resolvers:" \
	"  $OLD  the OLD resolver, being retired" \
	"  $NEW  the NEW resolver" \
	"Both answer test.example (192.0.2.1)."
spawn NETNS unshare --net sleep 600
# /proc/PID/ns/net exists before unshare(2) ran: wait until it is another one.
netns_entered() { [ "$(readlink "/proc/$NETNS/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
wait_for 5 netns_entered || die "no network namespace"
NS=(nsenter "--net=/proc/$NETNS/ns/net")
"${NS[@]}" ip link set lo up || die "cannot bring lo up in the demo's network namespace"
for addr in "$OLD" "$NEW"; do
	spawn _ "${NS[@]}" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$addr" --port=53 --pid-file= --user=root \
		--address=/test.example/192.0.2.1 --log-facility=/dev/null 2>>"$T/dnsmasq.err"
done
printf 'nameserver %s\n' "$OLD" >/etc/resolv.conf
say "/etc/resolv.conf (the sandbox's copy) now says: $(cat /etc/resolv.conf)"
pause 4

# --- 2. the daemon -------------------------------------------------------------------
step "2. The resolvstale daemon"
show "resolvstale daemon --db $T/state.db --grace 1s"
say "It watches /etc/resolv.conf, and gathers evidence: the eBPF tripwire reports" \
	"every DNS send to a retired server (and the first one to each current server)," \
	"fanotify the opens of the file, audit who looked at it after a change, and a" \
	"/proc scan the sockets held open to port 53. Its log: $T/daemon.log."
spawn DAEMON "$BIN" daemon --db "$T/state.db" --grace 1s >"$T/daemon.log" 2>&1
wait_for 10 grep -q ' started (pid' "$T/daemon.log" || die "the daemon did not start: $(cat "$T/daemon.log")"
grep -E 'warning|cannot|could not|DNS sends' "$T/daemon.log" | head -4 | sed 's/^/   daemon: /'
pause 3

# --- 3. the clients --------------------------------------------------------------------
step "3. A few programs that use DNS"
cat >"$T/app.py" <<'EOF'
import ctypes, os, socket, sys, time
name, mode = sys.argv[1], sys.argv[2]
try:  # name the process, so that the report is easy to read
    ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)
except Exception:
    pass
def lookup():
    try:
        socket.getaddrinfo("test.example", 80, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        pass
lookup()
print("ready", flush=True)
end = time.time() + 300
while time.time() < end:
    if mode == "loop":
        lookup()
    time.sleep(0.5)
EOF
# app VAR NAME MODE [ENV...]: a client in the demo's network namespace.
app() {
	local var=$1 name=$2 mode=$3 pid
	shift 3
	spawn pid "${NS[@]}" env "$@" "$PY" "$T/app.py" "$name" "$mode" >"$T/$name.out" 2>"$T/$name.err"
	wait_for 5 grep -q ready "$T/$name.out" || die "$name did not start: $(cat "$T/$name.err")"
	printf -v "$var" '%s' "$pid"
}
app WEB web-app loop
app LEGACY legacy-app loop RES_OPTIONS=no-reload
app BATCH batch-job once RES_OPTIONS=no-reload
# A container's view: its own mount namespace with its own copy of /etc, taken
# before the change (the copy lists the old server).
mkdir -p "$T/container-etc"
printf 'nameserver %s\n' "$OLD" >"$T/container-etc/resolv.conf"
spawn CONTAINER unshare --mount --propagation private sh -c \
	'mount --bind "$1" /etc || exit 1; shift; exec "$@"' container "$T/container-etc" \
	"${NS[@]}" "$PY" "$T/app.py" container-app loop >"$T/container-app.out" 2>"$T/container-app.err"
wait_for 5 grep -q ready "$T/container-app.out" || die "container-app did not start"
MONITOR=
if command -v dig >/dev/null; then
	spawn MONITOR "${NS[@]}" bash -c 'end=$((SECONDS + 300)); while [ "$SECONDS" -lt "$end" ]; do
		dig @"$1" test.example +tries=1 +time=1 >/dev/null; sleep 1; done' monitor "$OLD"
fi
printf '   %-14s %-8s %s\n' \
	web-app "$WEB" "looks up test.example every 0.5 s (plain glibc getaddrinfo)" \
	legacy-app "$LEGACY" "the same, but with RES_OPTIONS=no-reload in its environment" \
	batch-job "$BATCH" "RES_OPTIONS=no-reload too; looked up once, now idle" \
	container-app "$CONTAINER" "in its own mount namespace with its own /etc/resolv.conf (old server)"
[ -n "$MONITOR" ] && printf '   %-14s %-8s %s\n' monitor "$MONITOR" \
	"a shell loop running 'dig @$OLD test.example' every second"
say "" "All of them talk to $OLD now. Letting them run for a few seconds..."
pause 4

# --- 4. the change ------------------------------------------------------------------------
step "4. The change"
show "sed -i 's/$OLD/$NEW/' /etc/resolv.conf"
sed -i "s/$OLD/$NEW/" /etc/resolv.conf
wait_for 5 grep -q 'generation 1:' "$T/daemon.log" || die "the daemon did not see the change"
say "The daemon recorded it as generation 1, with the old and new servers and who" \
	"wrote the file:"
show "resolvstale history --db $T/state.db"
"$BIN" history --db "$T/state.db" | sed 's/^/   /'
pause 4
app NEWAPP new-app loop
say "" "new-app ($NEWAPP) starts now, after the change." \
	"The report needs a moment: sends in the first second (--grace) may have been" \
	"in flight, and the /proc scan runs right after that."
# Wait until the verdicts of our programs are in (bounded).
verdicts_in() {
	"$BIN" report --db "$T/state.db" --format json --fail-on never 2>/dev/null |
		"$PY" -c '
import json, sys
want = dict(zip(map(int, sys.argv[1::2]), sys.argv[2::2]))
try:
    got = {p["pid"]: p["verdict"] for p in json.load(sys.stdin)["processes"]}
except (ValueError, KeyError, TypeError):
    sys.exit(1)
sys.exit(0 if all(got.get(p) == v for p, v in want.items()) else 1)' \
			"$WEB" reloaded "$LEGACY" stale "$BATCH" at-risk "$CONTAINER" stale "$NEWAPP" unaffected \
			2>/dev/null
}
wait_for 15 verdicts_in || say "(not every verdict is in yet after 15 s; showing what there is)"
pause 1

# --- 5. the report ---------------------------------------------------------------------------
step "5. Who still uses the old resolver?"
show "resolvstale report --db $T/state.db"
"$BIN" report --db "$T/state.db" --color "$COLOR" | sed 's/^/   /'
say "" "What to look at:" \
	"- web-app is 'reloaded': glibc saw the file change and re-read it." \
	"- legacy-app is 'stale': proven by its DNS sends to $OLD after the change;" \
	"  with no-reload, glibc never re-reads resolv.conf." \
	"- batch-job is 'at-risk': it sent nothing since, but it reads the file once," \
	"  so its next lookup goes to $OLD." \
	"- container-app is 'stale' although the host file is fixed: its own copy" \
	"  lists $OLD, so the fix is the container, not a restart." \
	"- new-app started after the change: 'unaffected'."
[ -n "$MONITOR" ] && say "- monitor's dig processes are 'stale' with an explicit server: dig @$OLD" \
	"  was told to use $OLD; the operator needs to know either way."
pause 8

# --- 6. what to restart --------------------------------------------------------------------
step "6. What to restart"
show "resolvstale services --db $T/state.db"
"$BIN" services --db "$T/state.db" --color "$COLOR" | sed 's/^/   /'
say "" "Each stale or at-risk program appears once, with the command that fixes it" \
	"(a systemd unit, a container, or a bare process). Exit status of report: 0" \
	"when compliant, 1 when not (--fail-on), and --format nagios/json/csv for" \
	"monitoring. The sandbox is removed now; your /etc was not touched."
