#!/usr/bin/env bash
# Starts the services Tollgate's tests talk to, on 127.0.0.1 only:
#   - Redis on port ${TOLLGATE_REDIS_PORT:-6379} (global rate-limit counters).
# The OCI registry tests start their own docker-registry on a free port per test run.
# Usage: bash test/services.sh [start|stop|status]
set -euo pipefail
port="${TOLLGATE_REDIS_PORT:-6379}"
state_dir="${TMPDIR:-/tmp}/tollgate-services"
mkdir -p "$state_dir"

redis_up() { redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; }

case "${1:-start}" in
  start)
    if ! command -v redis-server >/dev/null; then
      echo "redis-server is not installed (apt-get install redis-server)" >&2; exit 1
    fi
    if redis_up; then echo "redis already answering on 127.0.0.1:$port"; exit 0; fi
    redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
      --daemonize yes --pidfile "$state_dir/redis.pid" --logfile "$state_dir/redis.log" --dir "$state_dir"
    for _ in $(seq 1 50); do redis_up && { echo "redis started on 127.0.0.1:$port"; exit 0; }; sleep 0.1; done
    echo "redis did not start; see $state_dir/redis.log" >&2; exit 1
    ;;
  stop)
    if [ -f "$state_dir/redis.pid" ]; then kill "$(cat "$state_dir/redis.pid")" 2>/dev/null || true; rm -f "$state_dir/redis.pid"; fi
    ;;
  status)
    redis_up && echo "redis: up on 127.0.0.1:$port" || echo "redis: down"
    ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
