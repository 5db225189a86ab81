#!/usr/bin/env bash
# Builds the extension the way its README says: `npm ci && npm run compile && npx @vscode/vsce package`,
# leaving paper-ls-VERSION.vsix in editors/vscode. `npm ci` runs only when package-lock.json is newer
# than the installed node_modules, so a second build takes seconds.
# Usage: build.sh        dependencies, compile, package
#        build.sh deps   dependencies only (for lint and type-check)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
[ "${1:-}" = deps ] && exit 0
npm run --silent compile
npx @vscode/vsce package </dev/null
