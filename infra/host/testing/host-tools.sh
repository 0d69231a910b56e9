#!/bin/sh
# Make sure the Debian tools that the host tests run for real are installed (run by `npm test` before jest).
#
# The host tests run the software a generated host runs: cloud-init, Caddy, PostgreSQL 15, restic, sshd (a
# second one on loopback, for moving a tenant between hosts), sudo's visudo, and a whole Debian tree booted
# with debootstrap + systemd-nspawn; they lint with shellcheck and yamllint.
# Present: prints nothing, exits 0. Missing and root: `apt-get update` once, then installs them. Missing
# and not root: prints the exact `sudo apt-get install` line and exits 1.
#
# It never starts, stops or talks to the machine's own caddy or postgresql services: the tests use their
# own ports and data directories. (Debian starts those services on install; that is left as it is.)
#
# Tools are checked by their absolute Debian paths, not by PATH: /usr/sbin is not on every user's PATH,
# and another python3 (pyenv, a venv) may come first on PATH but cannot import cloud-init.
set -eu

# "path package" pairs, one a line.
REQUIRED='/usr/bin/cloud-init cloud-init
/usr/bin/caddy caddy
/usr/lib/postgresql/15/bin/psql postgresql-client-15
/usr/lib/postgresql/15/bin/pg_ctl postgresql-15
/usr/lib/postgresql/15/bin/initdb postgresql-15
/usr/bin/restic restic
/usr/bin/shellcheck shellcheck
/usr/bin/yamllint yamllint
/usr/sbin/debootstrap debootstrap
/usr/bin/systemd-nspawn systemd-container
/usr/bin/python3 python3
/usr/bin/openssl openssl
/usr/sbin/sshd openssh-server
/usr/sbin/visudo sudo'

# Prints the packages of the tools that are missing, each once, space-separated.
missing_packages() {
	printf '%s\n' "$REQUIRED" | while read -r tool package; do
		[ -x "$tool" ] || printf '%s\n' "$package"
	done | sort -u | tr '\n' ' ' | sed 's/ $//'
}

missing=$(missing_packages)
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "host-tools: the host tests need Debian packages that are not installed: $missing" >&2
	echo "Install them with:" >&2
	echo "  sudo apt-get install -y $missing" >&2
	exit 1
fi

echo "host-tools: installing $missing" >&2
# Wait for a dpkg lock held by something else (unattended-upgrades on a fresh CI machine) instead of failing.
export DEBIAN_FRONTEND=noninteractive
apt-get -q -o DPkg::Lock::Timeout=300 update >&2
# $missing is a space-separated list of package names: split on purpose.
# shellcheck disable=SC2086
apt-get -q -o DPkg::Lock::Timeout=300 install -y $missing >&2

still=$(missing_packages)
if [ -n "$still" ]; then
	echo "host-tools: still missing after apt-get install: $still" >&2
	exit 1
fi
