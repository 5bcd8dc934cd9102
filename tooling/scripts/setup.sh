#!/bin/sh
# Everything the README's two commands need before they run: the pinned pnpm,
# the workspace's dependencies and a build. With --test, also the system
# services and reference peers the test suites talk to (see provision.sh).
set -eu
cd "$(dirname "$0")/../.."

want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm -v 2>/dev/null)" != "$want" ]; then
  echo "setup: installing pnpm $want"
  npm install -g "pnpm@$want" --loglevel=error --no-fund --no-audit
fi

pnpm install --frozen-lockfile --reporter=silent
pnpm exec turbo run build --output-logs=errors-only

if [ "${1:-}" = "--test" ]; then
  sh tooling/scripts/provision.sh
fi
