#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: `start DIR` initialises one in
# DIR (password auth, a Unix socket in DIR, no TCP port), starts it, prints
# its connection string; `stop DIR` stops it. As root, the server runs as the
# `postgres` user that Debian's postgresql package creates.
#   bash tests/postgres/cluster.sh start /tmp/pg  ->  host=/tmp/pg port=5432 user=claimscope password=... dbname=postgres
set -euo pipefail
command=$1
dir=$(realpath -m "$2")
initdb=$(command -v initdb || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$initdb" ]; then
  echo "PostgreSQL's initdb is not installed (Debian: apt-get install postgresql)" >&2
  exit 1
fi
bin=$(dirname "$(realpath "$initdb")")
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
password=claimscope-test-password
case $command in
  start)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    printf '%s\n' "$password" > "$dir/pwfile"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir/pwfile"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U claimscope --pwfile="$dir/pwfile" --auth=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log" 2>&1
    # Throwaway data: no fsync; the socket in DIR, no TCP listener to collide with.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -k $dir -p 5432 -c fsync=off -c full_page_writes=off" start > /dev/null
    echo "host=$dir port=5432 user=claimscope password=$password dbname=postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop > /dev/null || true
    ;;
  *)
    echo "usage: cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
