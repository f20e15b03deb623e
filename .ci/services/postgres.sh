# PostgreSQL for pool-jdbc's integration tests (*IT). Sourced by .ci/run (bash, set -euo pipefail),
# as root; idempotent. Installs the server when it is missing (Debian's postgresql package), starts
# the cluster, makes a role with a password and a database for TCP logins on 127.0.0.1, and exports
# what the tests read:
#   POOLKIT_PG_URL, POOLKIT_PG_USER, POOLKIT_PG_PASSWORD  the JDBC URL and the credentials
#   POOLKIT_PG_CLUSTER                                   "<version> <name>", for pg_ctlcluster (restart tests)
# The password is a throwaway for this local test database only.
# Without root and without CI it skips (the tests then report themselves skipped with the reason).

poolkit_pg_setup() {
  local user=poolkit db=poolkit password=poolkit-test-only
  if [ "$(id -u)" != 0 ]; then
    if [ "${CI:-}" = "true" ]; then
      echo "postgres.sh: CI=true needs root to install and start PostgreSQL" >&2
      return 1
    fi
    echo "postgres.sh: not root; skipping (the PostgreSQL tests will skip)"
    return 0
  fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "postgres.sh: installing PostgreSQL"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local line version name port
  line="$(pg_lsclusters -h | head -n 1)"
  if [ -z "$line" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    pg_createcluster "$version" main >/dev/null
    line="$(pg_lsclusters -h | head -n 1)"
  fi
  read -r version name port _ <<<"$line"
  if ! pg_ctlcluster "$version" "$name" status >/dev/null 2>&1; then
    pg_ctlcluster "$version" "$name" start
  fi
  local i
  for i in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
      break
    fi
    sleep 0.5
  done
  pg_isready -h 127.0.0.1 -p "$port" >/dev/null

  runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >/dev/null <<SQL
SET client_min_messages = warning;
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE $user LOGIN PASSWORD '$password';
  ELSE
    ALTER ROLE $user LOGIN PASSWORD '$password';
  END IF;
END
\$\$;
GRANT pg_signal_backend TO $user;
SELECT 'CREATE DATABASE $db OWNER $user' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')
\gexec
SQL

  export POOLKIT_PG_URL="jdbc:postgresql://127.0.0.1:$port/$db"
  export POOLKIT_PG_USER="$user"
  export POOLKIT_PG_PASSWORD="$password"
  export POOLKIT_PG_CLUSTER="$version $name"
  echo "postgres.sh: PostgreSQL $version/$name on 127.0.0.1:$port, database $db, role $user"
}

poolkit_pg_setup
unset -f poolkit_pg_setup
