#!/bin/sh
# Installs Debian's MQTT (mosquitto) and NATS (nats-server) brokers for the AsyncAPI tests when missing.
# Exit 0: both are there; 3: apt-get is not available (the tests skip, saying so); other: the install failed.
# scripts/brokers.ts calls this on first use; .ci/run may call it up front.
set -eu
MOSQUITTO=/usr/sbin/mosquitto
NATS=/usr/sbin/nats-server
[ -x "$MOSQUITTO" ] && [ -x "$NATS" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get is not available: cannot install mosquitto and nats-server" >&2
  exit 3
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
export DEBIAN_FRONTEND=noninteractive
# Other processes may hold the dpkg lock for a while: wait for it rather than fail.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends mosquitto nats-server >/dev/null
[ -x "$MOSQUITTO" ] && [ -x "$NATS" ]
