#!/usr/bin/env bash
# Set up a virtual environment with the test extras and run the whole suite:
# lint (ruff), types (mypy), then pytest. Needs only Python >= 3.11 on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser tests drive Debian's chromium through playwright (never `playwright install`); the
# grader's sandbox is Debian's bubblewrap. Without root or sudo the install is skipped: those tests
# then skip, except in CI, where they fail.
PKGS=""
[ -x /usr/bin/chromium ] || PKGS="chromium"
command -v bwrap >/dev/null || PKGS="$PKGS bubblewrap"
if [ -n "$PKGS" ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=sudo; else SUDO=none; fi
  if [ "$SUDO" = none ] || ! command -v apt-get >/dev/null; then
    echo "== $PKGS: not installed and cannot install it here (needs apt-get and root or sudo); their tests will skip"
  else
    echo "== installing Debian's $PKGS (browser tests, grading sandbox)"
    # apt's progress (thousands of "Reading database" lines) goes to a log, shown only on failure.
    APT_LOG="$(mktemp)"
    if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS; } >"$APT_LOG" 2>&1; then
      cat "$APT_LOG"
      echo "== apt-get failed installing $PKGS (log above)"
      exit 1
    fi
    rm -f "$APT_LOG"
  fi
fi
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[test]"
# The annotation round trip runs a real Label Studio server, from an environment of its own: its
# pins would move this project's. Made from scratch when missing; with CI set, its test fails
# instead of skipping when the server cannot start.
LS_VENV="${LS_VENV:-$PWD/.labelstudio-venv}"
if [ ! -x "$LS_VENV/bin/label-studio" ]; then
  echo "== installing label-studio==1.23.2 into $LS_VENV (the live Label Studio round trip)"
  "$PYTHON" -m venv "$LS_VENV"
  "$LS_VENV/bin/python" -m pip install --quiet --upgrade pip
  "$LS_VENV/bin/python" -m pip install --quiet "label-studio==1.23.2"
fi
export LABEL_STUDIO="$LS_VENV/bin/label-studio"
# As root, tests/test_course_sandbox.py runs the attack table again as `nobody`, in the sandbox a
# normal user gets. That needs a Python environment `nobody` can read: Debian's python3 with this
# corpuskit installed (a copy, not a link to the checkout, which may sit in root's home).
if [ "$(id -u)" -eq 0 ] && [ -x /usr/bin/python3 ] && command -v runuser >/dev/null; then
  USER_VENV="${CORPUSKIT_USER_VENV:-/var/tmp/corpuskit-user-venv}"
  echo "== a Python environment for the normal user's sandbox tests: $USER_VENV"
  [ -x "$USER_VENV/bin/python" ] || /usr/bin/python3 -m venv "$USER_VENV"
  "$USER_VENV/bin/python" -m pip install --quiet --force-reinstall --no-deps .
  "$USER_VENV/bin/python" -m pip install --quiet . nbformat nbclient ipykernel pytest
  chmod -R a+rX "$USER_VENV"
  export CORPUSKIT_USER_PYTHON="$USER_VENV/bin/python"
fi
echo "== ruff"
"$VENV/bin/ruff" check src tests benchmarks
"$VENV/bin/ruff" format --check src tests benchmarks grading
echo "== mypy"
"$VENV/bin/mypy"
echo "== pytest"
"$VENV/bin/python" -m pytest "$@"
