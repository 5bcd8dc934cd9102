#!/bin/sh
# One ActiveMQ 5.17 broker (Debian's `activemq` package) for MCollective's
# activemq connector, run straight from the jar with its own configuration:
# Debian's init script expects one layout and one user, tests want several
# brokers on their own ports.
#
#   activemq-instance.sh config DIR STOMP_PORT   write DIR/conf (activemq.xml, log4j2)
#   activemq-instance.sh run    DIR STOMP_PORT   config, then the broker in the foreground
#   activemq-instance.sh start  DIR STOMP_PORT   config, then start in the background and
#                                                wait for the STOMP port (quick if running)
#   activemq-instance.sh stop   DIR              stop a broker started with `start`
#   activemq-instance.sh status DIR              exit 0 when it runs
#
# The broker: STOMP on 127.0.0.1:STOMP_PORT (stomp+nio, TCP_NODELAY), no
# persistence, JMX off, statistics plugin on (tests count consumers with it),
# reply queues garbage-collected when idle. Users (ACTIVEMQ_* overrides them):
#   mcollective / marionette   MCollective's own destinations only (mcollective.>)
#   admin       / admin        every destination (tests use random collectives)
# Environment: PHOBOS_ACTIVEMQ_HEAP (default 256m), PHOBOS_ACTIVEMQ_USER_PASSWORD,
# PHOBOS_ACTIVEMQ_ADMIN_PASSWORD, PHOBOS_ACTIVEMQ_OPENWIRE_PORT (default: none).
#
# A member of a network of brokers, as MCollective's middleware guide draws it
# (website/deploy/middleware/activemq.md, "Settings for Networks of Brokers"):
#   PHOBOS_ACTIVEMQ_OPENWIRE_PORT=P    OpenWire on 127.0.0.1:P, where peers connect
#   PHOBOS_ACTIVEMQ_NETWORK=HOST:PORT[,HOST:PORT...]
#                                      per peer (its OpenWire port) a pair of duplex
#                                      network connectors: one for topics (conduit
#                                      subscriptions), one for queues (one network
#                                      consumer per daemon, so each mc_identity
#                                      selector crosses). Configure a link on one
#                                      side only: duplex carries both directions.
#   PHOBOS_ACTIVEMQ_NETWORK_COLLECTIVES=a,b   the collectives that cross (default
#                                      mcollective): topics and queues <c>.>
#   PHOBOS_ACTIVEMQ_NETWORK_MAX_RECONNECT_MS  the bridge's longest wait between
#                                      reconnect attempts to a gone peer (default 5000;
#                                      ActiveMQ's own is 30000)
# The bridge logs in as the admin user (every destination, as the guide asks).
#
# No AMQP 1.0 connector: Debian's activemq package does not ship the
# activemq-amqp module (nor Qpid Proton-J it needs), so `amqp://` transport
# connectors fail to load; nothing else from outside Debian/npm can be had here.
set -eu

ACTIVEMQ_HOME=${ACTIVEMQ_HOME:-/usr/share/activemq}
HEAP=${PHOBOS_ACTIVEMQ_HEAP:-256m}
USER_PASSWORD=${PHOBOS_ACTIVEMQ_USER_PASSWORD:-marionette}
ADMIN_PASSWORD=${PHOBOS_ACTIVEMQ_ADMIN_PASSWORD:-admin}

INSTANCE_NAME=activemq-instance
INSTANCE_PRODUCT=ActiveMQ
INSTANCE_PORT_NAME=STOMP_PORT
INSTANCE_PIDFILE=activemq.pid
. "$(dirname "$0")/lib/instance.sh"
instance_args "$@"

write_config() {
  instance_need_port
  mkdir -p "$dir/conf" "$dir/data" "$dir/tmp" "$dir/lib"
  # STOMP delivers advisory and statistics messages (tests count consumers with
  # them) as XML/JSON made by XStream and Jettison, which Debian's activemq
  # package does not pull in: libxstream-java, libjettison-java.
  for jar in xstream jettison; do
    [ -f "/usr/share/java/$jar.jar" ] && ln -sf "/usr/share/java/$jar.jar" "$dir/lib/$jar.jar"
  done
  openwire=""
  if [ -n "${PHOBOS_ACTIVEMQ_OPENWIRE_PORT:-}" ]; then
    openwire="<transportConnector name=\"openwire\" uri=\"tcp://127.0.0.1:${PHOBOS_ACTIVEMQ_OPENWIRE_PORT}\"/>"
  fi
  network=$(network_connectors)
  tmp="$dir/conf/activemq.xml.new"
  cat >"$tmp" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by tooling/scripts/activemq-instance.sh: MCollective's activemq connector on STOMP ${port}. -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
         http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="phobos-${port}"
          useJmx="false" persistent="false" advisorySupport="true"
          schedulePeriodForDestinationPurge="60000" dataDirectory="${dir}/data">
    <destinationPolicy>
      <policyMap>
        <policyEntries>
          <!-- A slow or gone daemon must not block the requests to the others. -->
          <policyEntry topic=">" producerFlowControl="false"/>
          <!-- One reply queue per request (mcollective.reply.<identity>_<pid>.<n>): drop idle ones. -->
          <policyEntry queue="*.reply.>" gcInactiveDestinations="true" inactiveTimoutBeforeGC="300000"/>
        </policyEntries>
      </policyMap>
    </destinationPolicy>
    <plugins>
      <statisticsBrokerPlugin/>
      <simpleAuthenticationPlugin>
        <users>
          <authenticationUser username="mcollective" password="${USER_PASSWORD}" groups="mcollective,everyone"/>
          <authenticationUser username="admin" password="${ADMIN_PASSWORD}" groups="mcollective,admins,everyone"/>
        </users>
      </simpleAuthenticationPlugin>
      <authorizationPlugin>
        <map>
          <authorizationMap>
            <authorizationEntries>
              <authorizationEntry queue=">" write="admins" read="admins" admin="admins"/>
              <authorizationEntry topic=">" write="admins" read="admins" admin="admins"/>
              <authorizationEntry queue="mcollective.>" write="mcollective" read="mcollective" admin="mcollective"/>
              <authorizationEntry topic="mcollective.>" write="mcollective" read="mcollective" admin="mcollective"/>
              <authorizationEntry topic="ActiveMQ.Advisory.>" read="everyone" write="everyone" admin="everyone"/>
            </authorizationEntries>
          </authorizationMap>
        </map>
      </authorizationPlugin>
    </plugins>
    <systemUsage>
      <systemUsage>
        <memoryUsage><memoryUsage percentOfJvmHeap="50"/></memoryUsage>
        <storeUsage><storeUsage limit="256 mb"/></storeUsage>
        <tempUsage><tempUsage limit="256 mb"/></tempUsage>
      </systemUsage>
    </systemUsage>${network}
    <transportConnectors>
      <transportConnector name="stomp" uri="stomp+nio://127.0.0.1:${port}?transport.tcpNoDelay=true"/>
      ${openwire}
    </transportConnectors>
  </broker>
</beans>
EOF
  mv "$tmp" "$dir/conf/activemq.xml"
  # Debian builds ActiveMQ against log4j 1.2 (lib/optional), read from the conf dir.
  cat >"$dir/conf/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, logfile
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.appender.logfile=org.apache.log4j.RollingFileAppender
log4j.appender.logfile.file=${activemq.data}/activemq.log
log4j.appender.logfile.maxFileSize=1024KB
log4j.appender.logfile.maxBackupIndex=2
log4j.appender.logfile.layout=org.apache.log4j.PatternLayout
log4j.appender.logfile.layout.ConversionPattern=%d | %-5p | %m | %c | %t%n
EOF
}

# Prints the <networkConnectors> element for PHOBOS_ACTIVEMQ_NETWORK (nothing without).
network_connectors() {
  [ -n "${PHOBOS_ACTIVEMQ_NETWORK:-}" ] || return 0
  if [ -z "${PHOBOS_ACTIVEMQ_OPENWIRE_PORT:-}" ]; then
    echo "$INSTANCE_NAME: PHOBOS_ACTIVEMQ_NETWORK needs PHOBOS_ACTIVEMQ_OPENWIRE_PORT too (peers connect back over OpenWire)" >&2
    exit 2
  fi
  max_delay=${PHOBOS_ACTIVEMQ_NETWORK_MAX_RECONNECT_MS:-5000}
  case "$max_delay" in
    '' | *[!0-9]*) echo "$INSTANCE_NAME: PHOBOS_ACTIVEMQ_NETWORK_MAX_RECONNECT_MS must be milliseconds, got '$max_delay'" >&2; exit 2 ;;
  esac
  topics=""
  queues=""
  for c in $(echo "${PHOBOS_ACTIVEMQ_NETWORK_COLLECTIVES:-mcollective}" | tr ',' ' '); do
    case "$c" in
      *[!A-Za-z0-9_-]*) echo "$INSTANCE_NAME: PHOBOS_ACTIVEMQ_NETWORK_COLLECTIVES: '$c' is not a collective name" >&2; exit 2 ;;
    esac
    topics="$topics<topic physicalName=\"$c.>\"/>"
    queues="$queues<queue physicalName=\"$c.>\"/>"
  done
  # A leading newline: without a network the file stays byte for byte what it was,
  # so `start` keeps a running broker configured before networks existed.
  echo ""
  echo "    <networkConnectors>"
  for peer in $(echo "$PHOBOS_ACTIVEMQ_NETWORK" | tr ',' ' '); do
    peer_port=${peer##*:}
    case "$peer:$peer_port" in
      :* | *[!A-Za-z0-9.:-]* | *::) peer_port="" ;;
    esac
    case "$peer_port" in
      '' | *[!0-9]*) echo "$INSTANCE_NAME: PHOBOS_ACTIVEMQ_NETWORK: '$peer' is not HOST:PORT" >&2; exit 2 ;;
    esac
    name=$(echo "$peer" | tr ':.' '__')
    # static: reconnects to a gone peer with exponential back-off; the cap keeps a
    # restarted peer from waiting ActiveMQ's default 30 s for its bridge.
    uri="static:(tcp://$peer)?initialReconnectDelay=100&amp;maxReconnectDelay=$max_delay&amp;useExponentialBackOff=true"
    # Topics: one conduit subscription per topic carries a request once to the
    # peer, which fans it out to its own daemons.
    echo "      <networkConnector name=\"phobos-$port-$name-topics\" uri=\"$uri\" userName=\"admin\" password=\"$ADMIN_PASSWORD\" duplex=\"true\" networkTTL=\"2\" decreaseNetworkConsumerPriority=\"true\" dynamicOnly=\"true\"><dynamicallyIncludedDestinations>$topics</dynamicallyIncludedDestinations><excludedDestinations><queue physicalName=\">\"/></excludedDestinations></networkConnector>"
    # Queues: conduitSubscriptions=false, or the daemons' mc_identity selectors on
    # <c>.nodes would merge into one network consumer and directed requests reach
    # the wrong broker (MCollective's guide: one connector per kind, never both).
    echo "      <networkConnector name=\"phobos-$port-$name-queues\" uri=\"$uri\" userName=\"admin\" password=\"$ADMIN_PASSWORD\" duplex=\"true\" networkTTL=\"2\" decreaseNetworkConsumerPriority=\"true\" dynamicOnly=\"true\" conduitSubscriptions=\"false\"><dynamicallyIncludedDestinations>$queues</dynamicallyIncludedDestinations><excludedDestinations><topic physicalName=\">\"/></excludedDestinations></networkConnector>"
  done
  echo "    </networkConnectors>"
}

# The broker answers once its STOMP port takes connections.
answers() {
  node -e '
    const s = require("net").connect(Number(process.argv[1]), "127.0.0.1");
    s.setTimeout(3000, () => process.exit(1));
    s.on("connect", () => process.exit(0));
    s.on("error", () => process.exit(1));
  ' "$1"
}

case "$cmd" in
  config)
    write_config
    ;;
  run)
    write_config
    exec "$(java_cmd)" -Xms64m "-Xmx$HEAP" -XX:+UseSerialGC -Djava.awt.headless=true \
      "-Dactivemq.home=$ACTIVEMQ_HOME" "-Dactivemq.base=$dir" "-Dactivemq.conf=$dir/conf" \
      "-Dactivemq.data=$dir/data" "-Djava.io.tmpdir=$dir/tmp" \
      "-Dlog4j.configuration=file:$dir/conf/log4j.properties" \
      -jar "$ACTIVEMQ_HOME/bin/activemq.jar" start "xbean:file:$dir/conf/activemq.xml"
    ;;
  start)
    instance_need_port
    mkdir -p "$dir"
    before=""
    [ -f "$dir/conf/activemq.xml" ] && before=$(cat "$dir/conf/activemq.xml")
    write_config
    instance_keep_or_stop "$before" "$(cat "$dir/conf/activemq.xml")" STOMP
    echo "activemq-instance: starting ActiveMQ in $dir (STOMP 127.0.0.1:$port)"
    instance_spawn_and_wait 120 0.5 "$dir/data/activemq.log" "on STOMP port $port after 60 s"
    ;;
  stop)
    instance_stop 40
    ;;
  status)
    running_pid >/dev/null
    ;;
  *)
    usage
    ;;
esac
