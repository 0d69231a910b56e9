# shellcheck shell=bash disable=SC2034  # sourced: the *_SQL are used by the scripts that source it
# tenancy-common.sh: what tenancy-backup, tenancy-restore and tenancy-migrate share. Sourced, never run.
# Installed on hosts as /usr/local/lib/tenancy/tenancy-common.sh; the scripts find it through TENANCY_LIB.
# Expects ME (the script's name) and ETC (the tenancy configuration directory) to be set.

die() {
  echo "$ME: $*" >&2
  exit 1
}

# --- Table checksums ---------------------------------------------------------------------------------
# One line per user table: schema.table, row count, checksum, all read in one REPEATABLE READ transaction
# (with psql -v snapshot=ID, in the snapshot another session exported). The session settings fix every
# type's text form, whatever the server's or client's defaults. table_checksums_sql QUERY builds it from
# QUERY, a format() string run once per table with %L its name and %I.%I its schema and table.
table_checksums_sql() {
  cat <<'SQL'
SET client_min_messages = warning;
SET search_path = pg_catalog;
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET TimeZone = 'UTC';
SET extra_float_digits = 1;
SET bytea_output = 'hex';
SET lc_monetary = 'C';
BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
\if :{?snapshot}
SET TRANSACTION SNAPSHOT :'snapshot';
\endif
SQL
  printf 'SELECT format(\n  %s,\n' "$1"
  cat <<'SQL'
  format('%I.%I', n.nspname, c.relname), n.nspname, c.relname)
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND NOT EXISTS (SELECT FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY format('%I.%I', n.nspname, c.relname) COLLATE "C"
\gexec
COMMIT;
SQL
}

# The backups' checksum (recorded with every snapshot and compared by restore --verify, so it must never
# change): md5 of the sorted md5s of each row's text, in 256 buckets so that no aggregate grows past
# PostgreSQL's 1 GB limit. Order-independent; it sorts every row's hash.
CHECKSUM_SQL=$(
  table_checksums_sql "$(
    cat <<'SQL'
'SELECT %L, coalesce(sum(n), 0), md5(coalesce(string_agg(k || d, '''' ORDER BY k COLLATE "C"), ''''))'
  ' FROM (SELECT left(h, 2) AS k, count(*) AS n, md5(string_agg(h, '''' ORDER BY h COLLATE "C")) AS d'
  ' FROM (SELECT md5(ROW(r.*)::text) AS h FROM ONLY %I.%I AS r) AS hashes GROUP BY 1) AS buckets'
SQL
  )"
)
readonly CHECKSUM_SQL

# A move's checksum (tenancy-migrate, while the tenant is frozen): the sum of the first 64 bits of each
# row's md5, as pgcopydb's compare data sums a hash per row. Order-independent too, and without the sort
# about 4.5 times faster on PostgreSQL 15 (docs/benchmarks.md), which shortens the freeze. A changed,
# missing or extra row changes the sum, unless 64-bit hash differences cancel exactly.
ROW_HASH_SUM_SQL=$(
  table_checksums_sql "$(
    cat <<'SQL'
'SELECT %L, count(*), coalesce(sum((''x'' || left(md5(ROW(r.*)::text), 16))::bit(64)::bigint::numeric), 0)'
  ' FROM ONLY %I.%I AS r'
SQL
  )"
)
readonly ROW_HASH_SUM_SQL

# Run a PostgreSQL client as TENANCY_PG_AS (from / so that it may read its working directory).
pg() {
  if [[ -n $PG_AS ]]; then
    (cd / && runuser -u "$PG_AS" -- "$@")
  else
    "$@"
  fi
}

# restic.env holds KEY=VALUE lines, read literally (a password may hold any character but a newline).
load_restic_env() {
  local file="$ETC/restic.env" key value
  [[ -r $file ]] || die "cannot read $file"
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    key=${line%%=*}
    value=${line#*=}
    case $key in
      RESTIC_* | AWS_* | B2_* | AZURE_* | GOOGLE_* | OS_* | ST_*) export "$key=$value" ;;
      # The CA bundle restic verifies an S3 endpoint with, in place of the system's (a private endpoint).
      SSL_CERT_FILE) export "$key=$value" ;;
      # The Storage Box sub-account's password: sshpass reads it from SSHPASS, never from argv.
      TENANCY_SFTP_PASSWORD) export "SSHPASS=$value" ;;
      # The stack-wide password of repositories created before hosts had keys of their own (adopt_host_key).
      TENANCY_RESTIC_OLD_PASSWORD) RESTIC_OLD_PASSWORD=$value ;;
      TENANCY_SFTP_PORT)
        [[ $value =~ ^[1-9][0-9]{0,4}$ ]] || die "TENANCY_SFTP_PORT in $file is not a port: '$value'"
        SFTP_PORT=$value
        ;;
      *) echo "$ME: ignoring unknown setting $key in $file" >&2 ;;
    esac
  done <"$file"
  [[ -n ${RESTIC_REPOSITORY:-} ]] || die "RESTIC_REPOSITORY is not set in $file"
  [[ -n ${RESTIC_PASSWORD:-}${RESTIC_PASSWORD_FILE:-} ]] || die "RESTIC_PASSWORD is not set in $file"
  # Without a cache directory (no HOME under systemd) restic 0.14 fails; give it one.
  export RESTIC_CACHE_DIR=${RESTIC_CACHE_DIR:-/var/cache/tenancy/restic}
  adopt_host_key
}

# RESTIC_PASSWORD is the host's own repository key. A repository created before hosts had keys of their
# own opens with the stack's tenancy:backupPassword only, which restic.env then also gives
# (TENANCY_RESTIC_OLD_PASSWORD): add the host's key, then remove the old one, so that the stack's password
# opens this host's backups no more. Once done, the host's key opens the repository and this does nothing.
adopt_host_key() {
  [[ -n ${RESTIC_OLD_PASSWORD:-} ]] || return 0
  local output keys old_key
  if output=$(restic cat config 2>&1 >/dev/null); then
    return 0
  fi
  # No repository yet (it is created with the host's key), or not reachable: the caller reports that.
  [[ $output == *"wrong password or no key found"* ]] || return 0
  # Neither opens it (a host key rotated by hand, docs/runbooks.md): the caller reports the wrong password.
  keys=$(RESTIC_PASSWORD=$RESTIC_OLD_PASSWORD restic key list --json 2>/dev/null) || return 0
  old_key=$(sed -n 's/.*"current":true,"id":"\([0-9a-f]*\)".*/\1/p' <<<"$keys")
  echo "giving the restic repository $RESTIC_REPOSITORY this host's own key in place of tenancy:backupPassword"
  [[ -n $old_key ]] || die "cannot tell which key of $RESTIC_REPOSITORY is tenancy:backupPassword's: $keys"
  # The new key from a pipe, never from the command line.
  RESTIC_PASSWORD=$RESTIC_OLD_PASSWORD restic key add -q --new-password-file <(printf '%s' "$RESTIC_PASSWORD") ||
    die "cannot add this host's key to $RESTIC_REPOSITORY"
  restic key remove "$old_key" >/dev/null ||
    die "added this host's key to $RESTIC_REPOSITORY, but could not remove the old key $old_key: remove it with \
restic key remove $old_key (docs/runbooks.md)"
}

# restic, reaching an SFTP repository (the host's Storage Box sub-account) with the sub-account's password
# (sshpass reads SSHPASS) and the server's host keys pinned in TENANCY_SFTP_KNOWN_HOSTS: a server whose key
# is not pinned there is refused, never learnt. Any other repository goes to restic as it is.
restic() {
  if [[ $RESTIC_REPOSITORY =~ ^sftp:([^:/]+@[^:/]+): ]]; then
    local known_hosts=${TENANCY_SFTP_KNOWN_HOSTS:-/etc/ssh/tenancy_backup_known_hosts}
    [[ -n ${SSHPASS:-} ]] || die "TENANCY_SFTP_PASSWORD is not set in $ETC/restic.env (needed for $RESTIC_REPOSITORY)"
    [[ -s $known_hosts ]] || die "cannot read $known_hosts: the SFTP server's host keys must be pinned there"
    command restic -o "sftp.command=sshpass -e ssh -F /dev/null -p ${SFTP_PORT:-23} \
-o StrictHostKeyChecking=yes -o UserKnownHostsFile=$known_hosts -o GlobalKnownHostsFile=/dev/null \
-o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1 -o ConnectTimeout=30 ${BASH_REMATCH[1]} -s sftp" "$@"
  else
    command restic "$@"
  fi
}
