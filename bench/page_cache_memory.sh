#!/usr/bin/env bash
# Worker memory and throughput against PAGE_CACHE_MB, on the site and mixed load the last
# bench/run left (bench/out/site.sqlite3, bench/out/mixed.lua): the trade-off behind row 6.
#   bench/page_cache_memory.sh [MB ...]        # default: 24 8 4; 20 s of wrk each
# For each size: a fresh gunicorn (2 sync workers, the repository's gunicorn.conf.py), the
# workers' VmHWM at start, wrk -t2 -c16 over the mixed URLs, then their VmHWM and req/s.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DB=bench/out/site.sqlite3
[ -f "$DB" ] && [ -f bench/out/mixed.lua ] || { echo "run bench/run first (it makes $DB)" >&2; exit 1; }
PORT=${PORT:-8123}
SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))')
export SECRET_KEY DATABASE_URL="sqlite:///$ROOT/$DB" CACHE_TYPE=SimpleCache WEB_CONCURRENCY=2 \
  BIND="127.0.0.1:$PORT" LOG_REQUESTS=0
hwm() { for p in $(pgrep -P "$1"); do awk '/VmHWM/{printf "%.1f MB ", $2/1024}' "/proc/$p/status"; done; }
for mb in "${@:-24 8 4}"; do
  for size in $mb; do
    PAGE_CACHE_MB=$size .venv/bin/gunicorn -c gunicorn.conf.py wsgi:app >bench/out/page-cache-memory.log 2>&1 &
    master=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; do sleep 0.2; done
    start=$(hwm $master)
    rate=$(wrk -t2 -c16 -d20s --timeout=30s -s bench/out/mixed.lua "http://127.0.0.1:$PORT" \
           | awk '/Requests\/sec/{print $2}')
    echo "PAGE_CACHE_MB=$size: workers at start $start| after the mixed load $(hwm $master)| $rate req/s"
    kill "$master"; wait "$master" 2>/dev/null || true
  done
done
