#!/usr/bin/env bash
# The main job on a fresh machine: install paper-ls, index the bundled sample library into a
# temporary index and query it as a writer would.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/paper-ls demo
