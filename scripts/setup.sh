#!/usr/bin/env bash
# Install what evalkit needs on a fresh machine: CJK fonts and poppler from Debian/Ubuntu
# packages (charts and PDFs must show Chinese), then evalkit itself with its test extras into
# the active Python (3.11 or newer; activate a virtual environment first if you want one).
set -euo pipefail
cd "$(dirname "$0")/.."

# Another apt (unattended upgrades, a parallel setup) may hold the lock: wait for it instead of
# failing with "Could not get lock". apt waits for the dpkg lock itself (DPkg::Lock::Timeout);
# the package lists lock of `apt-get update` is retried here.
apt_wait() {
  local out
  for _ in $(seq 60); do
    if out=$("$@" -o DPkg::Lock::Timeout=600 2>&1); then return 0; fi
    if ! grep -q "Could not get lock" <<<"$out"; then echo "$out" >&2; return 1; fi
    echo "[setup] waiting for another apt to finish" >&2
    sleep 10
  done
  echo "$out" >&2
  return 1
}

missing=()
fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    echo "[setup] installing ${missing[*]}"
    apt_wait $sudo apt-get update -qq
    apt_wait $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
    # matplotlib keeps a font list cache; forget it so the new CJK fonts are seen.
    rm -f "${MPLCONFIGDIR:-$HOME/.cache/matplotlib}"/fontlist-*.json 2>/dev/null || true
  else
    echo "[setup] please install: ${missing[*]} (a CJK font such as Noto Sans CJK SC, and poppler)" >&2
    exit 1
  fi
fi

# The Word report uses 宋体/黑体 (present on government PCs); map them to Noto CJK SC for this user so
# LibreOffice shows the file with Song/Hei-style faces where those fonts are absent.
mkdir -p "$HOME/.config/fontconfig/conf.d"
cp scripts/fontconfig-official-cjk.conf "$HOME/.config/fontconfig/conf.d/64-evalkit-official-cjk.conf"
command -v fc-cache >/dev/null 2>&1 && fc-cache -f >/dev/null 2>&1 || true

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "[setup] evalkit needs Python 3.11 or newer; python3 is $(python3 --version)" >&2; exit 1; }
echo "[setup] installing evalkit (pip install -e .[test])"
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
if command -v quarto >/dev/null 2>&1; then
  echo "[setup] Quarto $(quarto --version) found: reports render with Quarto"
else
  echo "[setup] Quarto not found: reports render with the bundled pandoc (see README to install Quarto)"
fi
