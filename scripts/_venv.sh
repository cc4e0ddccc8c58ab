# Shared by the scripts: make sure .venv exists and holds cxsite (+ extras).
# Usage: CXSITE_VENV_EXTRA=test . scripts/_venv.sh   (extra is optional)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
extra="${CXSITE_VENV_EXTRA:-}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp="$VENV/.cxsite-installed${extra:+-$extra}"
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
  echo "==> installing cxsite${extra:+[$extra]} into .venv"
  spec="$ROOT"
  [ -n "$extra" ] && spec="$ROOT[$extra]"
  # PYTHONWARNINGS reaches the isolated build: no wall of setuptools notes about editable installs.
  log="$VENV/.cxsite-pip.log"
  if ! PYTHONWARNINGS=ignore "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec" \
      >"$log" 2>&1; then
    cat "$log" >&2
    echo "error: installing cxsite into $VENV failed (see above); fix it and run the script again" >&2
    exit 1
  fi
  grep -v "^WARNING: Location" "$log" || true
  touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
