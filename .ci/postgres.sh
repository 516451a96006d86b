# Source me: `start_postgres` starts a throwaway PostgreSQL cluster (Debian's `postgresql`
# package) in a temporary folder, on a free loopback port, and exports its URL as
# YZ_TEST_POSTGRES_URL; the cluster is stopped and its folder removed when the shell exits.
# initdb refuses to run as root: as root the cluster runs as the `postgres` user.
# fsync is off (a throwaway cluster) unless YZ_PG_FSYNC=on (for load figures).

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
      || { echo "error: could not install postgresql" >&2; return 1; }
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  YZ_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/yz-postgres.XXXXXX")
  YZ_PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$YZ_PG_DIR"
    as=(runuser -u postgres --)
  fi
  YZ_PG_AS=("${as[@]}")
  YZ_PG_BIN=$bin
  trap stop_postgres EXIT
  "${as[@]}" "$bin/initdb" -D "$YZ_PG_DIR/data" -U postgres -A trust --no-sync -E UTF8 --locale C.UTF-8 >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$YZ_PG_DIR/data" -l "$YZ_PG_DIR/log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $YZ_PG_PORT -k $YZ_PG_DIR -c max_connections=200 -c fsync=${YZ_PG_FSYNC:-off}" >/dev/null
  export YZ_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$YZ_PG_PORT/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $YZ_TEST_POSTGRES_URL"
}

stop_postgres() {
  if [ -n "${YZ_PG_DIR:-}" ] && [ -d "$YZ_PG_DIR" ]; then
    "${YZ_PG_AS[@]}" "$YZ_PG_BIN/pg_ctl" -D "$YZ_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$YZ_PG_DIR"
  fi
}
