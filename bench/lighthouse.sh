#!/usr/bin/env bash
# Lighthouse (npm lighthouse@12.2.3, pinned in tests/a11y) against the post page of a freshly
# imported site, with Debian's chromium; prints the four category scores (0-100).
#
#   bench/lighthouse.sh                  # the seed post, mobile emulation (Lighthouse's default)
#   bench/lighthouse.sh --desktop        # desktop preset
#   LH_PATH=/tags/ bench/lighthouse.sh   # another page
#   LH_KEEP=1 bench/lighthouse.sh        # keep the temporary folder (report.json, gunicorn.log)
#
# Set-up is the same as tests/browser/conftest.py's live_server: `flask db upgrade` and
# `flask content import content` on a fresh SQLite file, then gunicorn with gunicorn.conf.py
# on a free port of 127.0.0.1. These are measurements, not a test: nothing fails on a score.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CHROME="${CHROME:-/usr/bin/chromium}"
LH_PATH="${LH_PATH:-/posts/the-rise-of-ai-generated-images/}"
PRESET=()
if [ "${1:-}" = "--desktop" ]; then PRESET=(--preset=desktop); fi

tests/a11y/install.sh
LIGHTHOUSE="$ROOT/tests/a11y/node_modules/.bin/lighthouse"
[ -x "$LIGHTHOUSE" ] || { echo "lighthouse is not installed (needs npm)" >&2; exit 1; }
[ -x "$CHROME" ] || { echo "$CHROME is not installed" >&2; exit 1; }

TMP="$(mktemp -d /tmp/blog-lighthouse.XXXXXX)"
GUNICORN_PID=""
cleanup() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    wait "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [ -z "${LH_KEEP:-}" ]; then rm -rf "$TMP"; else echo "kept $TMP"; fi
}
trap cleanup EXIT

PORT="$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export SECRET_KEY="lighthouse-bench-secret-key-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DATABASE_URL="sqlite:///$TMP/blog.sqlite3"
export FLASK_APP=wsgi PYTHONUNBUFFERED=1
unset FLASK_DEBUG

echo "==> flask db upgrade; flask content import content ($TMP)"
.venv/bin/flask db upgrade >"$TMP/setup.log" 2>&1
.venv/bin/flask content import content >>"$TMP/setup.log" 2>&1

echo "==> gunicorn on 127.0.0.1:$PORT"
BIND="127.0.0.1:$PORT" WEB_CONCURRENCY=2 \
  .venv/bin/gunicorn -c gunicorn.conf.py wsgi:app >"$TMP/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
URL="http://127.0.0.1:$PORT$LH_PATH"
for _ in $(seq 1 200); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null \
    || curl -fsS -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null; then
    break
  fi
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$TMP/gunicorn.log" >&2; exit 1; }
  sleep 0.1
done
curl -fsS -o /dev/null "$URL"  # warm the page cache; fail early on a non-200

echo "==> lighthouse $("$LIGHTHOUSE" --version) on $URL ${PRESET[*]:-(mobile)}"
# Lighthouse now and then fails to record the trace on a busy machine (NO_NAVSTART,
# NO_FCP): try up to three times.
for attempt in 1 2 3; do
  rm -f "$TMP/report.json"
  if "$LIGHTHOUSE" "$URL" \
    --chrome-path="$CHROME" \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run" \
    --only-categories=performance,accessibility,best-practices,seo \
    "${PRESET[@]}" \
    --output=json --output-path="$TMP/report.json" --quiet \
    && [ -s "$TMP/report.json" ]; then
    break
  fi
  [ "$attempt" = 3 ] && { echo "lighthouse failed three times" >&2; exit 1; }
  echo "!! lighthouse failed (attempt $attempt); trying again" >&2
done

.venv/bin/python - "$TMP/report.json" <<'EOF'
import json
import sys

report = json.load(open(sys.argv[1]))
print(f"Lighthouse {report['lighthouseVersion']}  {report['finalDisplayedUrl']}")
print(f"  form factor: {report['configSettings']['formFactor']}, benchmarkIndex "
      f"{report['environment']['benchmarkIndex']} (lower: a busier or slower machine)")
for key in ("performance", "accessibility", "best-practices", "seo"):
    category = report["categories"][key]
    score = category["score"]
    print(f"  {category['title']:<16} {'n/a' if score is None else round(score * 100):>4}")
# Anything that cost points, so a score below 100 says why.
for key in ("performance", "accessibility", "best-practices", "seo"):
    for ref in report["categories"][key]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
            value = audit.get("displayValue", "")
            print(f"  - [{key}] {audit['id']}: {audit['score']:.2f} {value}".rstrip())
metrics = report["audits"]
for metric in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
               "cumulative-layout-shift", "speed-index"):
    if metric in metrics:
        print(f"  {metrics[metric]['title']}: {metrics[metric].get('displayValue', '')}")
EOF
