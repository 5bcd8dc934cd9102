#!/bin/sh
# pnpm run release [--dry-run]
#
# The npm release, from the changesets in .changeset/: `changeset version`
# bumps each package and writes its CHANGELOG, the build bakes the new
# versions in (PHOBOS_VERSION is @phobos/core's), and `changeset publish`
# publishes every public package whose version is not on the registry yet
# (pnpm rewrites the workspace: ranges) and tags it in git. The registry is
# npm's configured one (npm_config_registry / .npmrc), so the same script
# publishes to npmjs or to a local Verdaccio.
#
# --dry-run changes nothing: it shows the planned version bumps, builds, and
# packs every public package as it would be published.
set -eu
cd "$(dirname "$0")/../.."

case "${1:-}" in
--dry-run)
  pnpm exec changeset status --verbose
  pnpm turbo run build --output-logs=errors-only
  pnpm -r publish --dry-run --no-git-checks --access public
  ;;
"")
  pnpm exec changeset version
  # changeset version edits package.json files; the lockfile records none of
  # their versions (workspace links), so it stays valid.
  pnpm turbo run build --output-logs=errors-only
  pnpm exec changeset publish
  ;;
*)
  echo "usage: pnpm run release [--dry-run]" >&2
  exit 2
  ;;
esac
