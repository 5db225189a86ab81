#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv with paper-ls and its test tools.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# Bytecode for paper-ls itself, as pip writes it for an installed package: without it an
# environment with PYTHONDONTWRITEBYTECODE set compiles ~50 modules (0.2 s) on every start.
.venv/bin/python -m compileall -q paper_ls
