#!/usr/bin/env bash
# Simpul's two everyday commands, on a fresh Debian machine with Swift:
#   ./dev.sh serve   start the app on the embedded default (SQLite under ./data)
#   ./dev.sh test    run the whole test suite (SQLite; PostgreSQL too when
#                    SIMPUL_TEST_DATABASE_URL points at a server)
# It installs the Debian packages Simpul builds against when they are missing.
set -euo pipefail
cd "$(dirname "$0")"

need_packages() {
  local missing=()
  pkg-config --exists libqrencode 2>/dev/null || missing+=(libqrencode-dev pkg-config)
  command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)   # e-KTA as PNG
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Memasang paket sistem: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
  fi
}

cmd="${1:-serve}"; shift || true
case "$cmd" in
  serve) need_packages; exec swift run simpul serve "$@" ;;
  test)  need_packages; exec swift test "$@" ;;
  *)     need_packages; exec swift run simpul "$cmd" "$@" ;;
esac
