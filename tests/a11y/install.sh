#!/usr/bin/env bash
# Install the pinned accessibility/validity tools (axe-core, vnu-jar, lighthouse) from
# package-lock.json into tests/a11y/node_modules, unless they are already there.
# Used by scripts/test; safe to run by hand. Needs node/npm and the npm registry; the Nu Html
# Checker also needs Java (the machine's own: vnu-jar's Java downloader, an install script,
# is never run). When the tools cannot be installed their tests skip, or fail under
# BLOG_REQUIRE_BROWSER=1, so this only warns.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ -f "$stamp" ] \
  && [ -f node_modules/axe-core/axe.min.js ] \
  && [ -f node_modules/vnu-jar/build/dist/vnu.jar ] \
  && [ -x node_modules/.bin/lighthouse ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "!! npm is not installed: the axe-core, vnu and lighthouse checks will be skipped" >&2
  exit 0
fi
echo "==> installing axe-core, vnu-jar and lighthouse into tests/a11y/node_modules"
if ! npm ci --no-audit --no-fund --ignore-scripts --loglevel=error; then
  echo "!! npm ci failed: the axe-core, vnu and lighthouse checks will be skipped" >&2
  exit 0
fi
touch "$stamp"
