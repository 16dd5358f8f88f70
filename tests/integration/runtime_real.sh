#!/bin/bash
# The resolver runtime fingerprint (src/runtime.c) on live processes of real
# binaries from Debian: build/tools/runtime_show --json PID must report the
# runtime, the reload rule(s) of RESOLVERS.md and the evidence that decided
# them, for
#   - python3 (glibc, version from the mapped libc's banner);
#   - sleep with RES_OPTIONS=no-reload (glibc that never reloads);
#   - sleep running a copy of libc.so.6 that was then deleted (libc-deleted;
#     the version still read, through /proc/PID/map_files);
#   - a static glibc program built with gcc -static;
#   - static musl binaries built with musl-gcc, with and without musl's
#     strerror table, and a dynamic one;
#   - java (OpenJDK 17: -Dsun.net.inetaddr.ttl, a security manager);
#   - node: /usr/bin/node (whatever package provides it; this image has a
#     node 20 that carries c-ares inside) and Debian's own node 18 (maps
#     libcares.so.2), unpacked from the Debian archive with apt-get download
#     when /usr/bin/node is not Debian's;
#   - dnsmasq (default, --no-poll, -R, no-poll from its config file), each in
#     a network namespace of its own, on that namespace's loopback;
#   - a Go binary (Debian's age, built with Go 1.19 and cgo), with and
#     without GODEBUG=netdns=go.
# A binary that is not installed is reported as SKIP and not checked (make
# test-deps installs them all).
#
# The test runs in a mount namespace of its own (the overlay that Debian's
# node 18 needs on /usr/share exists only there); each dnsmasq runs in a new
# network namespace, never on the host's network. Every process it starts is
# stopped by pid.
set -u
. "$(dirname "$0")/../lib/common.sh"

if [ -z "${RS_IN_PRIVATE_NS:-}" ]; then
	rs_require_root
	RS_HOST_MNTNS=$(readlink /proc/self/ns/mnt) || rs_die "cannot read /proc/self/ns/mnt"
	exec unshare --mount --propagation private env RS_IN_PRIVATE_NS=1 \
		RS_HOST_MNTNS="$RS_HOST_MNTNS" bash "$0" "$@"
fi
rs_assert_private_mntns
[ "$(findmnt -n -o PROPAGATION /)" = private ] ||
	rs_die "/ is not mounted private here: a mount could propagate to the host"

SHOW=$RS_TOOLS/runtime_show
[ -x "$SHOW" ] || rs_die "$SHOW is missing: run 'make tools'"
command -v jq >/dev/null || rs_die "jq is missing (make test-deps)"
rs_tmpdir T
chmod 755 "$T"
E=(env -i PATH=/usr/bin:/bin HOME=/nonexistent LANG=C.UTF-8)

skip() { rs_log "SKIP $*"; }

# show NAME PID: the fingerprint of PID as JSON in $T/NAME.json
show() {
	if ! "$SHOW" --json "$2" >"$T/$1.json" 2>"$T/$1.err"; then
		rs_fail "$1: runtime_show $2 failed: $(cat "$T/$1.err")"
		echo '{}' >"$T/$1.json" # every check on it fails
	fi
}
field() { jq -r "$2" "$T/$1.json" 2>/dev/null; }
# check_rt NAME RUNTIME PATH RULE WITHIN_OR_null
check_rt() {
	rs_check "$1: runtime" "$(field "$1" .runtime)" "$2"
	rs_check "$1: resolver path" "$(field "$1" .resolver_path)" "$3"
	rs_check "$1: reload rule" "$(field "$1" .reload_rule)" "$4"
	rs_check "$1: within" "$(field "$1" .reload_within_s)" "$5"
}
check_second() { # NAME PATH RULE, or NAME null
	if [ "$2" = null ]; then
		rs_check "$1: no second path" "$(field "$1" .second_path)" null
	else
		rs_check "$1: second path" "$(field "$1" .second_path.resolver_path)" "$2"
		rs_check "$1: second rule" "$(field "$1" .second_path.reload_rule)" "$3"
	fi
}
check_evidence() { # NAME EXACT-STRING
	if jq -e --arg e "$2" '.evidence | index($e) != null' "$T/$1.json" >/dev/null 2>&1; then
		rs_pass "$1: evidence \"$2\""
	else
		rs_fail "$1: no evidence \"$2\" in $(field "$1" .evidence)"
	fi
}
check_note() { # NAME NOTE
	if jq -e --arg n "$2" '.notes | index($n) != null' "$T/$1.json" >/dev/null 2>&1; then
		rs_pass "$1: note $2"
	else
		rs_fail "$1: no note $2 in $(field "$1" .notes)"
	fi
}
maps_has() { grep -q -- "$2" "/proc/$1/maps" 2>/dev/null; }
# PID listens on UDP port 5353 (in its own network namespace)
listens() { grep -q ':14E9 ' "/proc/$1/net/udp" 2>/dev/null; }

# --- glibc ------------------------------------------------------------------

GLIBC_VERSION=$(getconf GNU_LIBC_VERSION | awk '{print $2}')
LIBC=$(ldd /bin/sleep | awk '/libc.so.6/ {print $3}')
LIBC=$(readlink -f "$LIBC")

if [ -x /usr/bin/python3 ]; then
	rs_spawn P "${E[@]}" /usr/bin/python3 -c 'import time; time.sleep(120)'
	rs_wait_until 10 maps_has "$P" libc.so.6 || rs_fail "python3: libc never mapped"
	show python3 "$P"
	check_rt python3 glibc libc reloads-on-use null
	check_second python3 null
	rs_check "python3: glibc version" "$(field python3 .runtime_version)" "$GLIBC_VERSION"
	check_evidence python3 "maps: $LIBC"
	rs_check "python3: banner evidence" \
		"$(field python3 '.evidence[1]' | grep -c "^libc: GNU C Library .*version $GLIBC_VERSION")" 1
	rs_check "python3: text output" \
		"$("$SHOW" "$P" | sed -n 's/^primary //p')" "libc reloads-on-use"
else
	skip "python3: /usr/bin/python3 not installed"
fi

rs_spawn S "${E[@]}" RES_OPTIONS='ndots:2 no-reload' sleep 120
rs_wait_until 10 maps_has "$S" libc.so.6 || rs_fail "no-reload: libc never mapped"
show no-reload "$S"
check_rt no-reload glibc libc reads-once null
check_note no-reload res-options-no-reload
check_evidence no-reload "environ: RES_OPTIONS=ndots:2 no-reload"

# A process whose libc was replaced on disk (as by an upgrade): a copy of
# libc.so.6, loaded through LD_LIBRARY_PATH, then removed.
mkdir -p "$T/oldlib"
cp "$LIBC" "$T/oldlib/libc.so.6"
rs_spawn D "${E[@]}" LD_LIBRARY_PATH="$T/oldlib" sleep 120
rs_wait_until 10 maps_has "$D" "$T/oldlib/libc.so.6" || rs_fail "deleted: copied libc not mapped"
rm "$T/oldlib/libc.so.6"
show deleted-libc "$D"
check_rt deleted-libc glibc libc reloads-on-use null
check_note deleted-libc libc-deleted
check_evidence deleted-libc "maps: $T/oldlib/libc.so.6 (deleted): runs the libc that was replaced on disk"
rs_check "deleted-libc: version through map_files" \
	"$(field deleted-libc .runtime_version)" "$GLIBC_VERSION"

# A static glibc program (gcc -static warns that getaddrinfo needs the shared
# NSS modules at run time; it still links).
cat >"$T/gai-glibc.c" <<'EOF'
#include <netdb.h>
#include <time.h>
int main(void)
{
	struct addrinfo *ai;
	struct timespec ts = {120, 0};
	int r = getaddrinfo("localhost", NULL, NULL, &ai);
	nanosleep(&ts, NULL);
	return r;
}
EOF
if gcc -static -Os -o "$T/gai-glibc-static" "$T/gai-glibc.c" 2>/dev/null; then
	rs_spawn GS "${E[@]}" "$T/gai-glibc-static"
	rs_wait_until 10 maps_has "$GS" gai-glibc-static || rs_fail "static glibc: did not start"
	show glibc-static "$GS"
	check_rt glibc-static glibc libc reloads-on-use null
	check_evidence glibc-static "exe: static (no PT_INTERP), contains \"GLIBC_TUNABLES\" and glibc's \"no-reload\" option (static glibc >= 2.26)"
else
	skip "static glibc: gcc -static failed (libc6-dev without libc.a?)"
fi

# --- musl -------------------------------------------------------------------

if command -v musl-gcc >/dev/null; then
	cat >"$T/gai.c" <<'EOF'
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
int main(int argc, char **argv)
{
	struct addrinfo *ai;
	struct timespec ts = {120, 0};
	int r = getaddrinfo("localhost", NULL, NULL, &ai);
#ifdef WITH_STRERROR
	printf("%d %s\n", r, strerror(r));
	fflush(stdout);
#endif
	(void)argv;
	(void)argc;
	nanosleep(&ts, NULL);
	return r;
}
EOF
	musl-gcc -static -Os -s -DWITH_STRERROR -o "$T/gai-musl-strerror" "$T/gai.c" &&
		musl-gcc -static -Os -s -o "$T/gai-musl-static" "$T/gai.c" &&
		musl-gcc -Os -o "$T/gai-musl-dynamic" "$T/gai.c" ||
		rs_fail "musl-gcc could not build the test programs"
	rs_spawn M1 "${E[@]}" "$T/gai-musl-strerror" >/dev/null
	rs_spawn M2 "${E[@]}" "$T/gai-musl-static"
	rs_spawn M3 "${E[@]}" "$T/gai-musl-dynamic"
	rs_wait_until 10 maps_has "$M3" musl || rs_fail "dynamic musl: libc never mapped"
	show musl-strerror "$M1"
	check_rt musl-strerror musl libc reloads-on-use null
	check_evidence musl-strerror 'exe: static (no PT_INTERP) and contains "No error information" (musl)'
	show musl-static "$M2"
	check_rt musl-static musl libc reloads-on-use null
	check_evidence musl-static "exe: static (no PT_INTERP); its resolv.conf parser knows \"attempts:\" but not glibc's \"no-reload\" (musl)"
	show musl-dynamic "$M3"
	check_rt musl-dynamic musl libc reloads-on-use null
	check_evidence musl-dynamic "maps: $(readlink -f /lib/ld-musl-x86_64.so.1 2>/dev/null || echo /lib/ld-musl-x86_64.so.1)"
else
	skip "musl: musl-gcc not installed (apt-get install musl-tools)"
fi

# --- Java -------------------------------------------------------------------

if command -v java >/dev/null; then
	JAVA_HOME_=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
	JAVA_VER=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$JAVA_HOME_/release" 2>/dev/null)
	cat >"$T/Sleep.java" <<'EOF'
public class Sleep {
	public static void main(String[] a) throws Exception {
		java.net.InetAddress.getByName("localhost"); // loads libnet.so
		Thread.sleep(120000);
	}
}
EOF
	# The launcher's source-file mode: no javac needed with a JRE.
	rs_spawn J1 "${E[@]}" java -Xmx64m -XX:TieredStopAtLevel=1 -Dsun.net.inetaddr.ttl=7 \
		"$T/Sleep.java"
	# A security manager that allows everything: enough to make
	# InetAddress cache forever, without breaking the source launcher.
	printf 'grant { permission java.security.AllPermission; };\n' >"$T/all.policy"
	rs_spawn J2 "${E[@]}" java -Xmx64m -XX:TieredStopAtLevel=1 -Djava.security.manager \
		-Djava.security.policy=="$T/all.policy" "$T/Sleep.java" 2>/dev/null
	rs_wait_until 60 maps_has "$J1" libnet.so || rs_fail "java: libnet.so never mapped"
	rs_wait_until 60 maps_has "$J2" libnet.so || rs_fail "java (security manager): libnet.so never mapped"
	show java-ttl "$J1"
	check_rt java-ttl java java-inetaddress reloads-within 7
	check_second java-ttl java-jndi reads-once
	rs_check "java-ttl: version" "$(field java-ttl .runtime_version)" "$JAVA_VER"
	check_evidence java-ttl "maps: $JAVA_HOME_/lib/server/libjvm.so"
	check_evidence java-ttl "maps: $JAVA_HOME_/lib/libnet.so"
	check_evidence java-ttl "options: -Dsun.net.inetaddr.ttl=7"
	show java-sm "$J2"
	check_rt java-sm java java-inetaddress reads-once null
	check_note java-sm security-manager
	check_evidence java-sm "java: InetAddress caches positive answers forever"

	# networkaddress.cache.ttl from the JDK's java.security, read through
	# /proc/PID/root and its symlink (Debian: into /etc/java-17-openjdk):
	# a copy with the property set, bind-mounted in this mount namespace.
	SEC=$JAVA_HOME_/conf/security/java.security
	if [ -f "$SEC" ]; then
		SEC_REAL=$(readlink -f "$SEC")
		{ cat "$SEC_REAL"; printf '\nnetworkaddress.cache.ttl=3\n'; } >"$T/java.security"
		mount --bind "$T/java.security" "$SEC_REAL" || rs_die "cannot bind-mount over $SEC_REAL"
		rs_on_exit "umount '$SEC_REAL'"
		rs_spawn J3 "${E[@]}" java -Xmx64m -XX:TieredStopAtLevel=1 -Dsun.net.inetaddr.ttl=9 \
			"$T/Sleep.java"
		rs_wait_until 60 maps_has "$J3" libnet.so || rs_fail "java (java.security): libnet.so never mapped"
		show java-security "$J3"
		check_rt java-security java java-inetaddress reloads-within 3
		check_evidence java-security "java.security: networkaddress.cache.ttl=3"
	else
		skip "java.security: no $SEC"
	fi
else
	skip "java: not installed (apt-get install openjdk-17-jre-headless)"
fi

# --- node -------------------------------------------------------------------

# check_node NAME PID EXE
check_node() {
	show "$1" "$2"
	check_rt "$1" node node-lookup reloads-on-use null
	check_second "$1" c-ares reads-once
	check_evidence "$1" "exe: $3"
	if maps_has "$2" libcares; then
		check_evidence "$1" "maps: $(awk '/libcares/ {print $6; exit}' "/proc/$2/maps") (c-ares)"
	else
		check_evidence "$1" "exe: defines ares_library_init (c-ares built in)"
	fi
}

if [ -x /usr/bin/node ]; then
	NODE_EXE=$(readlink -f /usr/bin/node)
	rs_spawn N1 "${E[@]}" /usr/bin/node -e 'setTimeout(() => {}, 120000)'
	rs_wait_until 20 maps_has "$N1" libc.so.6 || rs_fail "node: libc never mapped"
	sleep 0.5
	rs_log "/usr/bin/node is $(dpkg -S "$NODE_EXE" 2>/dev/null | cut -d: -f1) $(/usr/bin/node --version)"
	check_node node "$N1" "$NODE_EXE"
else
	skip "node: /usr/bin/node not installed"
fi

# Debian's node 18: when /usr/bin/node is something else, unpack Debian's
# packages here and run them from the unpacked tree (its JavaScript modules
# on an overlay of /usr/share, in this mount namespace only).
if [ -x /usr/bin/node ] && ldd "$(readlink -f /usr/bin/node)" | grep -q libnode; then
	rs_log "/usr/bin/node is Debian's (libnode): checked above"
elif ! command -v apt-get >/dev/null; then
	skip "Debian node 18: no apt-get"
else
	N18_VER=$(apt-cache madison nodejs 2>/dev/null | awk -F'|' '$2 ~ /dfsg/ {gsub(/ /, "", $2); print $2; exit}')
	mkdir -p "$T/n18/debs" "$T/n18/root" "$T/n18/upper" "$T/n18/work"
	if [ -n "$N18_VER" ] &&
		(cd "$T/n18/debs" && timeout 120 apt-get download -q "nodejs=$N18_VER" \
			"libnode108=$N18_VER" node-cjs-module-lexer node-acorn node-undici \
			>/dev/null 2>&1); then
		for d in "$T"/n18/debs/*.deb; do dpkg-deb -x "$d" "$T/n18/root"; done
		mount -t overlay overlay \
			-o "lowerdir=/usr/share,upperdir=$T/n18/upper,workdir=$T/n18/work" /usr/share ||
			rs_die "cannot mount an overlay on /usr/share"
		rs_on_exit "umount /usr/share"
		cp -a "$T/n18/root/usr/share/nodejs" /usr/share/
		rs_spawn N2 "${E[@]}" LD_LIBRARY_PATH="$T/n18/root/usr/lib/x86_64-linux-gnu" \
			"$T/n18/root/usr/bin/node" -e 'setTimeout(() => {}, 120000)'
		if rs_wait_until 20 maps_has "$N2" libcares; then
			check_node node18-debian "$N2" "$T/n18/root/usr/bin/node"
			check_evidence node18-debian "maps: $T/n18/root/usr/lib/x86_64-linux-gnu/libnode.so.108"
		else
			rs_fail "Debian node 18 did not start or did not map libcares (missing libuv1, libicu72, libbrotli1, libnghttp2-14, libc-ares2?)"
		fi
	else
		skip "Debian node 18: apt-get download of nodejs=$N18_VER failed (no Debian nodejs in the apt lists?)"
	fi
fi

# --- dnsmasq ----------------------------------------------------------------

if [ -x /usr/sbin/dnsmasq ]; then
	printf 'no-poll\nresolv-file=%s/upstream.conf\n' "$T" >"$T/dnsmasq.conf"
	printf 'nameserver 127.0.0.9\n' >"$T/upstream.conf"
	# unshare and sh exec: the pid is dnsmasq's, in a new network namespace
	DQ=(unshare --net sh -c 'ip link set lo up && exec "$@"' sh
		/usr/sbin/dnsmasq -k -a 127.0.0.1 -p 5353 --bind-interfaces -h -x "" -u root)
	rs_spawn Q1 "${E[@]}" "${DQ[@]}" -C /dev/null 2>/dev/null
	rs_spawn Q2 "${E[@]}" "${DQ[@]}" -C /dev/null --no-poll 2>/dev/null
	rs_spawn Q3 "${E[@]}" "${DQ[@]}" -C /dev/null -R --server=127.0.0.9 2>/dev/null
	rs_spawn Q4 "${E[@]}" "${DQ[@]}" --conf-file="$T/dnsmasq.conf" 2>/dev/null
	for q in "$Q1" "$Q2" "$Q3" "$Q4"; do
		rs_wait_until 10 listens "$q" || rs_fail "dnsmasq $q: does not listen on port 5353"
		[ "$(readlink "/proc/$q/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
			rs_die "dnsmasq $q runs in the host's network namespace"
	done
	show dnsmasq "$Q1"
	check_rt dnsmasq dnsmasq dnsmasq reloads-on-use null
	check_note dnsmasq symlink-repoint-missed
	check_evidence dnsmasq "exe: /usr/sbin/dnsmasq"
	show dnsmasq-no-poll "$Q2"
	check_rt dnsmasq-no-poll dnsmasq dnsmasq reads-once null
	check_evidence dnsmasq-no-poll "cmdline: --no-poll"
	show dnsmasq-no-resolv "$Q3"
	check_rt dnsmasq-no-resolv dnsmasq dnsmasq never-reads null
	check_evidence dnsmasq-no-resolv "cmdline: -R"
	show dnsmasq-conf "$Q4"
	check_rt dnsmasq-conf dnsmasq dnsmasq reads-once null
	check_evidence dnsmasq-conf "conf $T/dnsmasq.conf: no-poll"
	check_evidence dnsmasq-conf "conf $T/dnsmasq.conf: resolv-file=$T/upstream.conf"
	check_note dnsmasq-conf other-resolv-file
else
	skip "dnsmasq: /usr/sbin/dnsmasq not installed (apt-get install dnsmasq-base)"
fi

# --- Go ---------------------------------------------------------------------

if command -v age >/dev/null && command -v age-keygen >/dev/null; then
	age-keygen -o "$T/age.key" 2>/dev/null || rs_fail "age-keygen failed"
	mkfifo "$T/age.fifo"
	exec 7<>"$T/age.fifo" # holds the fifo open: age waits for input
	rs_on_exit "exec 7>&-"
	# A background job's stdin is /dev/null unless the job itself redirects
	# it: sh redirects, then execs age (same pid).
	AGE=(sh -c 'exec age -e -i "$1" -o /dev/null <"$2"' sh "$T/age.key" "$T/age.fifo")
	rs_spawn G1 "${E[@]}" "${AGE[@]}"
	rs_spawn G2 "${E[@]}" GODEBUG=netdns=go "${AGE[@]}"
	rs_wait_until 10 maps_has "$G2" age || rs_fail "age did not start"
	GO_VER=$(strings -n 6 "$(command -v age)" 2>/dev/null | grep -m1 -o '^go1\.[0-9.]*$' || true)
	show go "$G1"
	rs_check "go: runtime" "$(field go .runtime)" go
	rs_check "go: version looks like Go's" "$(field go .runtime_version | grep -c '^go1\.')" 1
	[ -z "$GO_VER" ] || rs_check "go: version" "$(field go .runtime_version)" "$GO_VER"
	check_rt go go go-native reloads-within 5
	check_note go mtime-only
	if [ "$(field go '.evidence | index("exe: build CGO_ENABLED=1") != null')" = true ]; then
		check_second go go-cgo reloads-on-use
	else
		check_second go null
	fi
	show go-netdns "$G2"
	check_rt go-netdns go go-native reloads-within 5
	check_second go-netdns null
	check_evidence go-netdns "environ: GODEBUG netdns=go"
else
	skip "Go: Debian's age not installed (apt-get install age): Go verified from fixtures only"
fi

rs_finish
