#!/bin/sh
# Installs Debian's chromium for the browser tests when /usr/bin/chromium is missing.
# Exit 0: chromium is there; 3: apt-get is not available (the tests skip, saying so); other: the install failed.
set -eu
[ -x /usr/bin/chromium ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get is not available: cannot install chromium" >&2
  exit 3
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
export DEBIAN_FRONTEND=noninteractive
# Other processes may hold the dpkg lock for a while: wait for it rather than fail.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
[ -x /usr/bin/chromium ]
