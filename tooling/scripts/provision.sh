#!/bin/sh
# What the test suites need from the machine, installed and started here so a
# fresh machine (or CI) needs nothing done by hand. Idempotent: quick when
# everything is already in place.
#   - RabbitMQ with its STOMP and management plugins (and iptables for the cluster tests)
#   - Debian's MCollective 2.12.5 (Ruby), the reference peer for interop tests
#   - ActiveMQ 5.17 with a STOMP connector on 127.0.0.1:61614 (activemq connector)
#   - PuppetDB 7 on PostgreSQL, HTTP 127.0.0.1:8080 / HTTPS 8081 (puppetdb discovery)
#   - Chromium (headless), driven by the console's browser tests
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

# tooling/rabbitmq-cluster: three more nodes from the same package (started by
# tooling/scripts/rabbitmq-cluster.sh), cut apart by iptables rules on loopback.
apt_install iptables

# --- Ruby MCollective (reference peer) --------------------------------------
apt_install ruby mcollective mcollective-client
# tmux drives an interactive bash and zsh in the completion tests; bash-completion
# loads the installed script as an operator's bash does.
apt_install tmux zsh bash-completion
# The service agent's tests drive a sysvinit script through `service`.
apt_install init-system-helpers
# The nettest agent pings with the system's ping; the puppet agent drives a real Puppet 7
# and facter writes the facts the yaml facts plugin reads in the puppet tests.
apt_install iputils-ping puppet-agent facter
# The console's browser tests (apps/console/e2e) drive Debian's Chromium headless
# through playwright-core; a browser build downloaded by Playwright cannot be fetched here.
apt_install chromium
# The Puppet module's tests lint its manifests and let it manage a cron.d file.
apt_install puppet-lint cron
# Debian enables the packaged daemon; tests run their own peers.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mcollective 2>/dev/null; then
  systemctl stop mcollective || true
fi

# --- Debian packaging (tooling/ship) ------------------------------------------
# The .debs are built with Debian's own tools and checked with lintian;
# better-sqlite3 is rebuilt for the shipped Node runtime with node-gyp
# (python3, make, g++); the ship test verifies the systemd units with
# systemd-analyze (from systemd, which only provides the tool here: it is not
# made PID 1).
apt_install debhelper dpkg-dev fakeroot lintian python3 make g++ systemd

# --- ActiveMQ (connector = activemq) ----------------------------------------
# Debian's broker, run from its jar with our own activemq.xml (see
# activemq-instance.sh; no init script or systemd unit involved, so it starts the
# same on machines without systemd as PID 1). STOMP 61614 (RabbitMQ has 61613).
# No AMQP 1.0 port: Debian's activemq lacks the activemq-amqp module.
apt_install activemq libxstream-java libjettison-java
PHOBOS_ACTIVEMQ_DIR=${PHOBOS_ACTIVEMQ_DIR:-/var/lib/phobos-activemq}
PHOBOS_ACTIVEMQ_STOMP_PORT=${PHOBOS_ACTIVEMQ_STOMP_PORT:-61614}
sh "$(dirname "$0")/activemq-instance.sh" start "$PHOBOS_ACTIVEMQ_DIR" "$PHOBOS_ACTIVEMQ_STOMP_PORT"

# --- PuppetDB 7 (discovery-puppetdb tests) ----------------------------------
# Debian's PuppetDB on the machine's PostgreSQL (pg_trgm from postgresql-contrib),
# run from its jar with its own config, database and throw-away certificates
# (puppetdb-instance.sh): HTTP 127.0.0.1:8080, HTTPS 127.0.0.1:8081.
apt_install postgresql postgresql-contrib puppetdb
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  need_root "starting PostgreSQL"
  echo "provision: starting PostgreSQL"
  pg_ctlcluster "$(pg_lsclusters -h | awk 'NR==1 {print $1}')" "$(pg_lsclusters -h | awk 'NR==1 {print $2}')" start
  for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
PHOBOS_PUPPETDB_DIR=${PHOBOS_PUPPETDB_DIR:-/var/lib/phobos-puppetdb}
PHOBOS_PUPPETDB_PORT=${PHOBOS_PUPPETDB_PORT:-8080}
sh "$(dirname "$0")/puppetdb-instance.sh" start "$PHOBOS_PUPPETDB_DIR" "$PHOBOS_PUPPETDB_PORT"

echo "provision: ok"
