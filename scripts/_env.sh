# Shared set-up for scripts/serve and scripts/test: a virtualenv with the pinned packages.
# Sourced, not run. Re-installs only when a requirements file changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"

ensure_venv() {
  local req="$1" stamp
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
  fi
  stamp=".venv/.installed-$(cat requirements.txt "$req" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "==> installing $req"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
    touch "$stamp"
  fi
  # The app's bytecode, written ahead: a process that may not write it (systemd's
  # ProtectSystem, PYTHONDONTWRITEBYTECODE) would otherwise compile every module at each
  # start, about 0.1-0.2 s of every `flask` command and gunicorn worker. Only what changed.
  .venv/bin/python -m compileall -q -j 0 app wsgi.py >/dev/null
}

# Mermaid, Chart.js and KaTeX (pinned in scripts/vendor.json) into static/vendor/; a no-op
# when they are there, and a loud stop when npm cannot fetch them.
ensure_vendor() {
  if ! "$PYTHON" scripts/vendor; then
    echo "!! could not install the vendored browser libraries (see above)" >&2
    exit 1
  fi
}

export FLASK_APP=wsgi
