#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs into DIR: a real VS Code (code-server 4.100.3, which is
# VS Code 1.100.3, the last release for Node 20), playwright-core to drive it, and from Debian: Chromium
# (the browser it runs in), ripgrep, and the headers code-server's native modules build against.
#
# Usage: install.sh [DIR]   (default: editors/vscode/test/e2e/.tools)
# Idempotent: a stamp in DIR records what was installed; with the same script and versions it exits at
# once. Needs only the npm and Debian registries: code-server's postinstall would download prebuilt
# binaries, so its dependencies are installed without scripts, ripgrep comes from Debian and the native
# modules are built from source against the system's Node headers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/.tools}
code_server=4.100.3
playwright=1.65.1
stamp="code-server $code_server, playwright-core $playwright, $(sha256sum "$0" | cut -c1-16)"
if [ -f "$dir/.installed" ] && [ "$(cat "$dir/.installed")" = "$stamp" ]; then
  exit 0
fi
started=$(date +%s)

need_node() {
  command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]
}
apt_packages=(chromium ripgrep pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
              build-essential python3)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
need_node || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "install.sh: apt-get install ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi
need_node || { echo "install.sh: code-server $code_server needs Node 20 or later; found $(node --version 2>&1)" >&2; exit 1; }
# The native modules build against the running Node's headers (Debian and NodeSource put them in /usr).
export npm_config_nodedir=${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}
[ -f "$npm_config_nodedir/include/node/node.h" ] || {
  echo "install.sh: no Node headers under $npm_config_nodedir/include/node (set npm_config_nodedir)" >&2; exit 1; }

mkdir -p "$dir" && cd "$dir"
rm -f .installed
[ -f package.json ] || echo '{"private": true}' > package.json
npm install --no-audit --no-fund --ignore-scripts "code-server@$code_server" "playwright-core@$playwright"
cs=node_modules/code-server
( cd "$cs/lib/vscode"
  npm install --no-audit --no-fund --omit=dev --ignore-scripts
  mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  # Native modules VS Code's server loads; the ones editing and LSP do not need may fail to build.
  for m in node-pty @vscode/spdlog native-watchdog @parcel/watcher kerberos @vscode/deviceid; do
    [ -d "node_modules/$m" ] || continue
    npm rebuild --ignore-scripts=false "$m" >/dev/null 2>&1 || echo "install.sh: note: no build of $m (not needed for editing and LSP)"
  done
  cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts )
( cd node_modules/argon2 && ../.bin/node-pre-gyp rebuild --build-from-source --nodedir="$npm_config_nodedir" >/dev/null )
node_modules/.bin/code-server --version >/dev/null
echo "$stamp" > .installed
echo "install.sh: installed code-server $code_server and playwright-core $playwright in $(( $(date +%s) - started )) s"
