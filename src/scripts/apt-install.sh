#!/bin/sh
# Install the Debian packages named on the command line that are not installed yet.
# Idempotent: prints one line and exits 0 when everything is present. Refreshes the
# package lists first when they are empty (a fresh machine) and once more if an
# install fails on stale lists. Used by `make deps` and `make test-deps`.
set -eu

label=${APT_LABEL:-deps}
missing=""
for pkg in "$@"; do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"ok installed") ;;
	*) missing="$missing $pkg" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "$label: all $# packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "$label: missing Debian packages:$missing" >&2
	echo "$label: installing them needs root: run 'sudo make $label'" >&2
	exit 2
fi

lists_empty() {
	! ls /var/lib/apt/lists/ 2>/dev/null | grep -q '_Packages'
}

export DEBIAN_FRONTEND=noninteractive
# Never let a package's maintainer scripts start a service on this host (auditd,
# dnsmasq): policy-rc.d exit 101 forbids it for the duration of the install.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	own_policy=1
fi
cleanup() {
	if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi
}
trap cleanup EXIT INT TERM

echo "$label: installing$missing"
if lists_empty; then
	apt-get update -q
fi
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
	echo "$label: install failed, refreshing package lists and retrying" >&2
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
