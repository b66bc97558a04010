#!/usr/bin/env bash
# Open the course in JupyterLab, on START-HERE.ipynb. The first run sets up .venv with the course
# extras (pip install -e ".[lab,model]"); later runs start at once. Needs only Python >= 3.11.
#
#   bash scripts/lab.sh                          this machine only (127.0.0.1), opens a browser
#   bash scripts/lab.sh --ip 0.0.0.0 --no-browser   a lab server others connect to
#   CORPUSKIT_LAB_TOKEN=... bash scripts/lab.sh  a token of your choice (default: a random one)
#   bash scripts/lab.sh --setup-only             set up .venv and exit (a machine image, the test suite)
#
# The address to open, with its token, is printed on start. Stop the server with Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
# Install only when something is missing, so a lab without network starts from the existing .venv.
if ! "$VENV/bin/python" -c "import corpuskit.lab, jupyterlab, notebook, spacy, pandas, anywidget, nervaluate" 2>/dev/null; then
  echo "Setting up $VENV (first run only; a few minutes)..."
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[lab,model]"
fi
if [ "${1:-}" = "--setup-only" ]; then
  echo "The course environment is ready in $VENV; start the course with: bash scripts/lab.sh"
  exit 0
fi
# Terminals opened in JupyterLab find `corpuskit` and `python` from the course environment.
VIRTUAL_ENV="$(cd "$VENV" && pwd)"
export VIRTUAL_ENV PATH="$VIRTUAL_ENV/bin:$PATH"
exec "$VENV/bin/python" -m corpuskit.lab --root . "$@"
