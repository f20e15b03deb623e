# PgBouncer in transaction pooling mode in front of the CI PostgreSQL, for pool-jdbc's PgBouncerIT.
# Sourced by .ci/run (bash, set -euo pipefail), as root; idempotent. Needs what postgres.sh sets up
# (it sources postgres.sh first when POOLKIT_PG_URL is not set yet: the scripts run in name order,
# and "pgbouncer" sorts before "postgres"). Installs Debian's pgbouncer when it is missing, and runs
# its own instance (not the package's service) as the postgres user on 127.0.0.1:6433, with its own
# configuration and auth file under /var/lib/poolkit-pgbouncer; PostgreSQL itself is not touched.
# Exports what the test reads:
#   POOLKIT_PGBOUNCER_URL   the JDBC URL of the database through PgBouncer (same role and password)
# Without root and without CI it skips (the test then reports itself skipped with the reason).

poolkit_pgbouncer_setup() {
  local port=6433 dir=/var/lib/poolkit-pgbouncer
  if [ "$(id -u)" != 0 ]; then
    if [ "${CI:-}" = "true" ]; then
      echo "pgbouncer.sh: CI=true needs root to install and start PgBouncer" >&2
      return 1
    fi
    echo "pgbouncer.sh: not root; skipping (the PgBouncer test will skip)"
    return 0
  fi
  if [ -z "${POOLKIT_PG_URL:-}" ]; then
    # shellcheck source=/dev/null
    source "$(dirname "${BASH_SOURCE[0]}")/postgres.sh"
  fi
  if [ -z "${POOLKIT_PG_URL:-}" ]; then
    echo "pgbouncer.sh: PostgreSQL is not set up (POOLKIT_PG_URL unset); skipping" >&2
    [ "${CI:-}" = "true" ] && return 1
    return 0
  fi
  if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
    echo "pgbouncer.sh: installing PgBouncer"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer >/dev/null
  fi
  local bin
  bin="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"

  # jdbc:postgresql://host:port/db -> host, port, db
  local rest="${POOLKIT_PG_URL#jdbc:postgresql://}"
  local hostport="${rest%%/*}" db="${rest#*/}"
  db="${db%%\?*}"
  local pg_host="${hostport%%:*}" pg_port=5432
  [ "$hostport" != "$pg_host" ] && pg_port="${hostport##*:}"

  install -d -o postgres -g postgres -m 0700 "$dir"
  local ini="$dir/pgbouncer.ini" users="$dir/userlist.txt" new="$dir/pgbouncer.ini.new"
  # the auth file holds the test role's throwaway password (postgres.sh's), readable by postgres only
  printf '"%s" "%s"\n' "$POOLKIT_PG_USER" "$POOLKIT_PG_PASSWORD" >"$users.new"
  cat >"$new" <<INI
[databases]
$db = host=$pg_host port=$pg_port dbname=$db

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $users
pool_mode = transaction
max_client_conn = 400
default_pool_size = 8
reserve_pool_size = 0
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
  chown postgres:postgres "$new" "$users.new"
  chmod 0600 "$users.new"

  local running=""
  if [ -f "$dir/pgbouncer.pid" ] && kill -0 "$(cat "$dir/pgbouncer.pid")" 2>/dev/null; then
    running="$(cat "$dir/pgbouncer.pid")"
  fi
  if [ -n "$running" ] && cmp -s "$new" "$ini" && cmp -s "$users.new" "$users"; then
    rm -f "$new" "$users.new"
  else
    mv "$new" "$ini"
    mv "$users.new" "$users"
    if [ -n "$running" ]; then
      kill "$running"
      local i
      for i in $(seq 1 50); do
        kill -0 "$running" 2>/dev/null || break
        sleep 0.1
      done
    fi
    runuser -u postgres -- "$bin" -d -q "$ini"
  fi

  local i
  for i in $(seq 1 50); do
    if pg_isready -q -h 127.0.0.1 -p "$port" -U "$POOLKIT_PG_USER" -d "$db"; then
      break
    fi
    sleep 0.1
  done
  if ! PGPASSWORD="$POOLKIT_PG_PASSWORD" psql -q -h 127.0.0.1 -p "$port" -U "$POOLKIT_PG_USER" -d "$db" -tAc 'select 1' >/dev/null; then
    echo "pgbouncer.sh: PgBouncer on 127.0.0.1:$port does not serve $db (see $dir/pgbouncer.log)" >&2
    [ "${CI:-}" = "true" ] && return 1
    return 0
  fi
  export POOLKIT_PGBOUNCER_URL="jdbc:postgresql://127.0.0.1:$port/$db"
  echo "pgbouncer.sh: $("$bin" --version | head -n 1) on 127.0.0.1:$port, transaction pooling, in front of $pg_host:$pg_port/$db"
}

poolkit_pgbouncer_setup
unset -f poolkit_pgbouncer_setup
