#!/usr/bin/env bash
# A loopback Ballista cluster for the doors' tests and the scale runs:
# `start DIR` starts one scheduler and two executors (ballista-scheduler and
# ballista-executor 55.0 from $CLAIMSCOPE_BALLISTA_BIN, tests/ballista/install.sh)
# on free ports of 127.0.0.1, their logs, pids and work dirs in DIR, waits
# until every executor is ready and prints the scheduler's URL; `stop DIR`
# stops them.
#   bash tests/ballista/cluster.sh start /tmp/b  ->  df://127.0.0.1:41234
set -euo pipefail
command=$1
dir=$(realpath -m "$2")
bin=${CLAIMSCOPE_BALLISTA_BIN:?CLAIMSCOPE_BALLISTA_BIN names the folder of ballista-scheduler and ballista-executor}
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Polls "$@" for up to 90 s; fails with the logs' tails when it never succeeds.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 450); do
    if "$@" > /dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "$what never answered on the loopback cluster" >&2
  tail -n 5 "$dir"/*.log >&2 || true
  return 1
}
case $command in
  start)
    mkdir -p "$dir"
    port=$(free_port)
    # An executor silent for 6 s is lost (they beat every second): its tasks
    # are run again elsewhere within seconds, not Ballista's default 180 s.
    "$bin/ballista-scheduler" --bind-host 127.0.0.1 --external-host 127.0.0.1 --bind-port "$port" \
      --executor-timeout-seconds 6 --expire-dead-executor-interval-seconds 2 > "$dir/scheduler.log" 2>&1 &
    echo $! > "$dir/scheduler.pid"
    wait_for "the scheduler's port" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
    for i in 0 1; do
      mkdir -p "$dir/executor-$i"
      health=$(free_port)
      "$bin/ballista-executor" --bind-host 127.0.0.1 --external-host 127.0.0.1 \
        --scheduler-host 127.0.0.1 --scheduler-port "$port" --scheduler-connect-timeout-seconds 30 \
        --bind-port "$(free_port)" --bind-grpc-port "$(free_port)" --bind-health-port "$health" \
        --vcores 2 --executor-heartbeat-interval-seconds 1 --work-dir "$dir/executor-$i" \
        > "$dir/executor-$i.log" 2>&1 &
      echo $! > "$dir/executor-$i.pid"
      wait_for "executor $i's /readyz" curl -sf "http://127.0.0.1:$health/readyz"
    done
    echo "df://127.0.0.1:$port"
    ;;
  stop)
    for pid in "$dir"/*.pid; do
      [ -e "$pid" ] && kill "$(cat "$pid")" 2> /dev/null || true
    done
    ;;
  *)
    echo "usage: cluster.sh start|stop DIR" >&2
    exit 2
    ;;
esac
