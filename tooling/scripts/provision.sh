#!/bin/sh
# What the test suites need from the machine, installed and started here so a
# fresh machine (or CI) needs nothing done by hand. Idempotent: quick when
# everything is already in place.
#   - RabbitMQ with its STOMP and management plugins
#   - Debian's MCollective 2.12.5 (Ruby), the reference peer for interop tests
set -eu

need_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "provision: $1 needs root (run as root, or install it yourself)" >&2
    exit 1
  fi
}

apt_install() {
  missing=""
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
  done
  [ -z "$missing" ] && return 0
  need_root "installing$missing"
  echo "provision: apt-get install$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# --- RabbitMQ ---------------------------------------------------------------
apt_install rabbitmq-server
if ! rabbitmqctl -q status >/dev/null 2>&1; then
  need_root "starting RabbitMQ"
  echo "provision: starting RabbitMQ"
  rabbitmq-server -detached
  rabbitmqctl -q wait --timeout 60 /var/lib/rabbitmq/mnesia/rabbit@"$(hostname -s)".pid >/dev/null 2>&1 ||
    sleep 5
fi
for plugin in rabbitmq_stomp rabbitmq_management; do
  if ! rabbitmq-plugins -q list -e "^$plugin\$" 2>/dev/null | grep -q "$plugin"; then
    echo "provision: enabling $plugin"
    rabbitmq-plugins -q enable "$plugin" >/dev/null
  fi
done
# The STOMP listener comes up a moment after the plugin is enabled.
for _ in $(seq 1 60); do
  node -e 'require("net").connect(61613, "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))' && break
  sleep 0.5
done

# --- Ruby MCollective (reference peer) --------------------------------------
apt_install ruby mcollective mcollective-client
# tmux drives an interactive bash in the completion test.
apt_install tmux
# Debian enables the packaged daemon; tests run their own peers.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mcollective 2>/dev/null; then
  systemctl stop mcollective || true
fi

echo "provision: ok"
