# Shared by the scripts: the third-party clients the tests use as real users
# would — Debian's chromium (browser), newsboat (feed reader), khal
# (calendar), nginx (web server); vnu-jar (Nu HTML Checker) and axe-core
# from npm. Installs only what is missing; safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)
command -v newsboat >/dev/null 2>&1 || need_apt+=(newsboat)
command -v khal >/dev/null 2>&1 || need_apt+=(khal)
command -v nginx >/dev/null 2>&1 || need_apt+=(nginx-light)
[ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing Debian packages: ${need_apt[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "warning: missing ${need_apt[*]} and cannot apt-get install; the tests that need them will skip" >&2
  fi
fi

if [ ! -f "$TOOLS/node_modules/vnu-jar/build/dist/vnu.jar" ] || [ ! -f "$TOOLS/node_modules/axe-core/axe.min.js" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "==> installing vnu-jar and axe-core into .tools"
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm install --silent --no-audit --no-fund --prefix "$TOOLS" vnu-jar@26 axe-core@4 >/dev/null)
  else
    echo "warning: npm missing; HTML and accessibility checks will skip" >&2
  fi
fi
export CXSITE_TOOLS="$TOOLS"
