# Shared by the scripts: starts a throwaway redis-server (temp dir, free loopback port, no
# persistence) and stops it and removes its directory when the calling script exits.
# After start_private_redis: REDIS_PORT, REDIS_DIR and REDIS_URL are set.

require_redis() {
  if ! command -v redis-server >/dev/null; then
    echo "redis-server not found: install it with 'sudo apt-get install -y redis-server redis-tools'" >&2
    exit 69
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

stop_private_redis() {
  if [ -n "${REDIS_PID:-}" ]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  if [ -n "${REDIS_DIR:-}" ]; then rm -rf "$REDIS_DIR"; fi
}

start_private_redis() {
  require_redis
  REDIS_DIR=$(mktemp -d -t lockwatch-redis-XXXXXX)
  trap stop_private_redis EXIT INT TERM
  for _ in 1 2 3 4 5; do
    REDIS_PORT=$(free_port)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" "$@" &
    REDIS_PID=$!
    for _ in $(seq 1 200); do
      if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
        REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
        export REDIS_PORT REDIS_DIR REDIS_URL
        return 0
      fi
      kill -0 "$REDIS_PID" 2>/dev/null || break
      sleep 0.02
    done
    kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true
  done
  echo "could not start redis-server; its log:" >&2; tail -20 "$REDIS_DIR/redis.log" >&2
  exit 70
}
