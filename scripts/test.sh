#!/usr/bin/env bash
# Everything CI checks, from a fresh machine: install, lint, type-check, run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check paper_ls tests benchmarks
.venv/bin/ruff format --check paper_ls tests benchmarks
.venv/bin/mypy
.venv/bin/pytest -q "$@"
