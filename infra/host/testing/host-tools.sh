#!/bin/sh
# Make sure the Debian tools that the host tests run for real are installed (run by `npm test` before jest).
#
# The host tests run the software a generated host runs: cloud-init, Caddy, PostgreSQL 15, restic, sshd (a
# second one on loopback, for moving a tenant between hosts), sudo's visudo, and a whole Debian tree booted
# with debootstrap + systemd-nspawn; they lint with shellcheck and yamllint. The volume-grow test grows
# ext4 online on loop devices inside a User-mode Linux guest (user-mode-linux), with e2fsprogs, losetup
# (mount) and util-linux. The SFTP backup test logs in to a Storage-Box-like sshd with sshpass.
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
/usr/bin/linux.uml user-mode-linux
/usr/sbin/resize2fs e2fsprogs
/usr/sbin/mkfs.ext4 e2fsprogs
/usr/sbin/dumpe2fs e2fsprogs
/usr/sbin/e2fsck e2fsprogs
/usr/sbin/losetup mount
/usr/sbin/blockdev util-linux
/usr/bin/fallocate util-linux
/usr/bin/setpriv util-linux
/usr/bin/sshpass sshpass
/usr/sbin/sshd openssh-server
/usr/sbin/visudo sudo'

# Installed without their recommended packages: user-mode-linux recommends uml-utilities, whose init script
# starts a network switch daemon on install.
NO_RECOMMENDS='user-mode-linux'

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
plain=
bare=
for package in $missing; do
	case " $NO_RECOMMENDS " in
	*" $package "*) bare="$bare $package" ;;
	*) plain="$plain $package" ;;
	esac
done
# $plain and $bare are space-separated lists of package names: split on purpose.
# shellcheck disable=SC2086
[ -z "$plain" ] || apt-get -q -o DPkg::Lock::Timeout=300 install -y $plain >&2
# shellcheck disable=SC2086
[ -z "$bare" ] || apt-get -q -o DPkg::Lock::Timeout=300 install -y --no-install-recommends $bare >&2

still=$(missing_packages)
if [ -n "$still" ]; then
	echo "host-tools: still missing after apt-get install: $still" >&2
	exit 1
fi
