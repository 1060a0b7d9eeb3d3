#!/bin/sh
# Install the Debian packages epaper needs when they are missing (as root), or say which are missing.
set -eu
missing=""
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fc-cache -f >/dev/null 2>&1 || true
else
  echo "Missing Debian packages:$missing — install them with: sudo apt-get install$missing" >&2
  exit 1
fi
