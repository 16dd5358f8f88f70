#!/bin/bash
# Regenerate tests/fixtures/audit/{raw,enriched}.log: real audit records from
# this kernel, written by a private auditd while resolvstale's rules are loaded
# and real clients run in a private network namespace (stat/open of
# resolv.conf, a sed -i, UDP connect and unconnected sendto to an IPv4 server,
# an IPv6 connect, an IPv4-mapped IPv6 connect as Java makes, a TCP query).
# Not run by `make test`: the fixtures are checked in. Needs root and the
# auditd, dnsmasq-base and bind9-dnsutils packages; restores the kernel's
# audit state. Usage: tests/tools/capture-audit-logs.sh [OUTDIR]
RS_TEST_NAME=capture-audit-logs
. "$(dirname "$0")/../lib/common.sh"
rs_enter_private_etc "$@"
OUT=${1:-$RS_TOP/tests/fixtures/audit}
mkdir -p "$OUT"
rs_tmpdir T
command -v auditd >/dev/null || rs_die "auditd is missing"
pgrep -x auditd >/dev/null && rs_die "an auditd runs already: stop it first"

auditctl -s >"$T/status.before"
auditctl -l >"$T/rules.before"
rs_on_exit "auditctl -e \$(awk '/^enabled/{print \$2}' '$T/status.before') >/dev/null 2>&1; auditctl -b \$(awk '/^backlog_limit/{print \$2}' '$T/status.before') >/dev/null 2>&1"

printf 'nameserver 127.53.0.1\nnameserver ::1\n' >/etc/resolv.conf # host-safe
rs_spawn HOLDER unshare --net sleep 600
sleep 0.2
NS="nsenter --net=/proc/$HOLDER/ns/net"
$NS ip link set lo up
rs_spawn DNSMASQ $NS dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
	--listen-address=127.53.0.1 --listen-address=::1 --port=53 --pid-file= \
	--address=/test.example/192.0.2.1 --user=root --log-facility=-
sleep 0.3

for fmt in RAW ENRICHED; do
	lower=$(echo "$fmt" | tr A-Z a-z)
	D=$T/auditd-$lower
	mkdir -p "$D/plugins.d"
	cat >"$D/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $D/audit.log
log_format = $fmt
flush = INCREMENTAL_ASYNC
freq = 20
name_format = NONE
max_log_file = 50
max_log_file_action = IGNORE
space_left = 2
admin_space_left = 1
disk_full_action = IGNORE
disk_error_action = IGNORE
plugin_dir = $D/plugins.d
end_of_event_timeout = 2
EOF
	chmod 0640 "$D/auditd.conf"
	rs_spawn AUDITD auditd -n -s nochange -c "$D"
	sleep 1
	rs_spawn DAEMON "$RS_BIN" daemon --db "$T/$lower.db" --sources audit --log-events none
	sleep 1.5
	$NS /usr/bin/python3 -c '
import socket, time
for i in range(2):
    socket.getaddrinfo("host.test.example", 80, socket.AF_INET)
    time.sleep(0.05)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x04host\x04test\x07example\x00\x00\x01\x00\x01", ("127.53.0.1", 53))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.connect(("::1", 53))
m = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
m.connect(("::ffff:127.53.0.1", 53))
'
	$NS dig +tcp +time=1 +tries=1 @127.53.0.1 host.test.example >/dev/null
	cat /etc/resolv.conf >/dev/null
	sed -i 's/^nameserver ::1$/nameserver 127.53.0.2/' /etc/resolv.conf # host-safe
	sed -i 's/^nameserver 127.53.0.2$/nameserver ::1/' /etc/resolv.conf # host-safe
	sleep 1
	rs_stop_pid "$DAEMON"
	sleep 0.5
	rs_stop_pid "$AUDITD"
	cp "$D/audit.log" "$OUT/$lower.log"
	echo "captured $(wc -l <"$OUT/$lower.log") records in $OUT/$lower.log"
done
auditctl -l >"$T/rules.after"
cmp -s "$T/rules.before" "$T/rules.after" || rs_die "audit rules differ after the capture"
