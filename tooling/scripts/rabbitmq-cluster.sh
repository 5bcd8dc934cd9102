#!/bin/sh
# A RabbitMQ cluster of three nodes on this one machine, from Debian's
# rabbitmq-server, for MCollective's rabbitmq connector (STOMP), beside the
# machine's own node and sharing nothing with it: own node names, data
# directories, ports, Erlang cookie and even epmd. Needs root (the nodes run
# as the rabbitmq user) and, for partition/heal, iptables.
#
#   rabbitmq-cluster.sh start            start the three nodes (quick when they run),
#                                        join them into one cluster, declare the
#                                        exchanges once with phobos-rabbitmq-setup
#   rabbitmq-cluster.sh stop             stop the nodes, remove every partition rule,
#                                        delete the data directories
#   rabbitmq-cluster.sh status           each node's state and the cluster's view;
#                                        exit 0 only when all 3 run with no partition
#   rabbitmq-cluster.sh env              the ports, as shell variables
#   rabbitmq-cluster.sh kill NODE        kill -9 the node's Erlang VM (a crash)
#   rabbitmq-cluster.sh restart NODE     start it again (stop it first if it runs) and
#                                        wait until it is back in the cluster
#   rabbitmq-cluster.sh partition NODE   cut NODE off from the other two (iptables on
#                                        the loopback: inter-node traffic only; clients
#                                        still reach every node)
#   rabbitmq-cluster.sh heal [NODE]      remove the rules (of NODE, default all) and wait
#                                        until the cluster runs whole again
# NODE: 1, 2, 3, c1, c2, c3 or the Erlang node name (phobos-c1@127.0.0.11).
#
# Layout, from PHOBOS_RABBITMQ_CLUSTER_PORT_BASE=B (default 45100):
#   epmd of the cluster's own            B
#   node i (1..3): AMQP B+10i+1, STOMP B+10i+2, management HTTP B+10i+3,
#                  Erlang distribution B+10i+4 on 127.0.0.1i (see below)
#   rabbitmqctl's own Erlang ports       B+100 .. B+149
# Every listener but distribution is on 127.0.0.1; guest/guest is the admin.
#
# Why each node has its own loopback address (127.0.0.11, .12, .13; prefix from
# PHOBOS_RABBITMQ_CLUSTER_IP_PREFIX, default 127.0.0.1): a partition must cut the
# connections a node opens as well as those it accepts, and the ones it opens
# leave from ephemeral ports. With every node listening on, and connecting
# from, its own address (long node names phobos-cI@127.0.0.1I), the traffic
# between two nodes is exactly the TCP between their two addresses on their
# distribution ports, which is what the iptables rules match, and nothing else.
# epmd: the machine's listens on 127.0.0.1 only, so the cluster runs its own.
#
# Environment:
#   PHOBOS_RABBITMQ_CLUSTER_DIR          data directories (default /tmp/phobos-rabbitmq-cluster)
#   PHOBOS_RABBITMQ_CLUSTER_PARTITION_HANDLING  pause_minority (default) or autoheal
#   PHOBOS_RABBITMQ_CLUSTER_TICKTIME     Erlang net_ticktime in seconds (default 15: a cut
#                                        node is seen gone within ~15 s, not RabbitMQ's 60)
#   PHOBOS_RABBITMQ_CLUSTER_OPEN_FILES   per node (default 20000; Debian's node has 1024)
#   PHOBOS_RABBITMQ_CLUSTER_COLLECTIVES  for phobos-rabbitmq-setup (default mcollective)
#   PHOBOS_RABBITMQ_CLUSTER_VHOST/_USER  default /mcollective, mcollective
#   PHOBOS_RABBITMQ_PASSWORD             the user's password (default marionette)
#   PHOBOS_RABBITMQ_CLUSTER_TIMEOUT      seconds to wait for a node or the cluster (default 180)
set -eu

BASE=${PHOBOS_RABBITMQ_CLUSTER_PORT_BASE:-45100}
DIR=${PHOBOS_RABBITMQ_CLUSTER_DIR:-/tmp/phobos-rabbitmq-cluster}
IP_PREFIX=${PHOBOS_RABBITMQ_CLUSTER_IP_PREFIX:-127.0.0.1}
HANDLING=${PHOBOS_RABBITMQ_CLUSTER_PARTITION_HANDLING:-pause_minority}
TICKTIME=${PHOBOS_RABBITMQ_CLUSTER_TICKTIME:-15}
OPEN_FILES=${PHOBOS_RABBITMQ_CLUSTER_OPEN_FILES:-20000}
COLLECTIVES=${PHOBOS_RABBITMQ_CLUSTER_COLLECTIVES:-mcollective}
VHOST=${PHOBOS_RABBITMQ_CLUSTER_VHOST:-/mcollective}
MC_USER=${PHOBOS_RABBITMQ_CLUSTER_USER:-mcollective}
MC_PASSWORD=${PHOBOS_RABBITMQ_PASSWORD:-marionette}
TIMEOUT=${PHOBOS_RABBITMQ_CLUSTER_TIMEOUT:-180}
RABBIT_BIN=/usr/lib/rabbitmq/bin
NODES="1 2 3"
EPMD_PORT=$BASE
CHAIN="PHOBOS-RMQC-$BASE"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SETUP="$ROOT/plugins/connector-rabbitmq/bin/phobos-rabbitmq-setup"

say() { echo "rabbitmq-cluster: $*"; }
die() {
  echo "rabbitmq-cluster: $*" >&2
  exit 1
}
usage() {
  sed -n '/^#   rabbitmq-cluster.sh /s/^# *//p' "$0" >&2
  exit 2
}

case "$BASE" in '' | *[!0-9]*) die "PHOBOS_RABBITMQ_CLUSTER_PORT_BASE must be a port number, got '$BASE'" ;; esac
case "$HANDLING" in pause_minority | autoheal) ;; *) die "PHOBOS_RABBITMQ_CLUSTER_PARTITION_HANDLING must be pause_minority or autoheal, got '$HANDLING'" ;; esac
case "$DIR" in /*) ;; *) die "PHOBOS_RABBITMQ_CLUSTER_DIR must be an absolute path, got '$DIR'" ;; esac

amqp_port() { echo $((BASE + 10 * $1 + 1)); }
stomp_port() { echo $((BASE + 10 * $1 + 2)); }
mgmt_port() { echo $((BASE + 10 * $1 + 3)); }
dist_port() { echo $((BASE + 10 * $1 + 4)); }
node_ip() { echo "$IP_PREFIX$1"; }
node_name() { echo "phobos-c$1@$(node_ip "$1")"; }
node_dir() { echo "$DIR/c$1"; }

# node_index NODE: 1..3 from any of the accepted spellings.
node_index() {
  case "$1" in
    1 | c1 | phobos-c1 | "$(node_name 1)") echo 1 ;;
    2 | c2 | phobos-c2 | "$(node_name 2)") echo 2 ;;
    3 | c3 | phobos-c3 | "$(node_name 3)") echo 3 ;;
    *) die "unknown node '$1' (1, 2, 3, c1..c3 or $(node_name 1)..)" ;;
  esac
}

need_root() {
  [ "$(id -u)" = 0 ] || die "$1 needs root (the nodes run as the rabbitmq user)"
}

# as_rabbit I CMD...: CMD as the rabbitmq user with node I's environment.
as_rabbit() {
  i=$1
  shift
  d=$(node_dir "$i")
  env HOME="$DIR" ERL_EPMD_PORT="$EPMD_PORT" RABBITMQ_USE_LONGNAME=true \
    RABBITMQ_NODENAME="$(node_name "$i")" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$(amqp_port "$i")" RABBITMQ_DIST_PORT="$(dist_port "$i")" \
    RABBITMQ_CTL_DIST_PORT_MIN=$((BASE + 100)) RABBITMQ_CTL_DIST_PORT_MAX=$((BASE + 149)) \
    RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_LOG_BASE="$d/log" \
    RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" \
    RABBITMQ_PID_FILE="$d/pid" RABBITMQ_CONF_ENV_FILE="$d/rabbitmq-env.conf" \
    setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups "$@"
}

# ctl I ARGS...: rabbitmqctl against node I, bounded so a cut node cannot hang us.
ctl() {
  i=$1
  shift
  as_rabbit "$i" timeout 60 "$RABBIT_BIN/rabbitmqctl" -q -n "$(node_name "$i")" "$@"
}

beam_pid() {
  f="$(node_dir "$1")/pid"
  [ -f "$f" ] || return 1
  p=$(cat "$f")
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 1
  echo "$p"
}

write_config() {
  i=$1
  d=$(node_dir "$i")
  ip=$(node_ip "$i")
  mkdir -p "$d"
  cat >"$d/rabbitmq.conf" <<EOF
# Written by tooling/scripts/rabbitmq-cluster.sh: node $i of 3.
listeners.tcp.default = 127.0.0.1:$(amqp_port "$i")
stomp.listeners.tcp.1 = 127.0.0.1:$(stomp_port "$i")
management.tcp.ip = 127.0.0.1
management.tcp.port = $(mgmt_port "$i")
cluster_partition_handling = $HANDLING
net_ticktime = $TICKTIME
EOF
  echo "[rabbitmq_stomp,rabbitmq_management]." >"$d/enabled_plugins"
  # Listen on, and connect from, the node's own loopback address (see the top).
  a=$(echo "$ip" | tr . ,)
  cat >"$d/rabbitmq-env.conf" <<EOF
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {$a} -kernel inet_dist_connect_options [{ip,{$a}}]"
EOF
}

ensure_cookie() {
  mkdir -p "$DIR"
  if [ ! -s "$DIR/.erlang.cookie" ]; then
    # One cookie for the three nodes and the CLI, and no other node's.
    od -An -N20 -tx1 /dev/urandom | tr -d ' \n' >"$DIR/.erlang.cookie"
  fi
  chmod 400 "$DIR/.erlang.cookie"
  chown -R rabbitmq:rabbitmq "$DIR"
}

# The kernel hands out ports from 32768-60999 to outgoing connections, ours
# included: a busy machine (thousands of simulated daemons) takes one of the
# cluster's listening ports now and then, and the node fails with eaddrinuse.
# Reserving the range keeps it for listeners; where /proc/sys is read-only the
# retry in launch is all there is.
reserve_ports() {
  f=/proc/sys/net/ipv4/ip_local_reserved_ports
  [ -w "$f" ] || return 0
  range="$BASE-$((BASE + 199))"
  cur=$(cat "$f")
  case ",$cur," in *",$range,"*) return 0 ;; esac
  if [ -n "$cur" ]; then echo "$cur,$range" >"$f" 2>/dev/null || true; else echo "$range" >"$f" 2>/dev/null || true; fi
}

ensure_epmd() {
  if ! epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; then
    setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups epmd -port "$EPMD_PORT" -daemon
    n=0
    until epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; do
      n=$((n + 1))
      [ $n -lt 50 ] || die "epmd on port $EPMD_PORT did not start"
      sleep 0.1
    done
  fi
}

# launch I: start node I detached (nothing when its VM runs).
launch() {
  i=$1
  beam_pid "$i" >/dev/null && return 0
  write_config "$i"
  chown -R rabbitmq:rabbitmq "$(node_dir "$i")"
  rm -f "$(node_dir "$i")/pid"
  (ulimit -n "$OPEN_FILES" && cd "$(node_dir "$i")" && as_rabbit "$i" "$RABBIT_BIN/rabbitmq-server" -detached) ||
    die "node $i: rabbitmq-server did not start (sh tooling/scripts/provision.sh installs it)"
}

# await_node I: wait for node I's RabbitMQ application to run.
await_node() {
  i=$1
  for _try in 1 2; do
    as_rabbit "$i" "$RABBIT_BIN/rabbitmqctl" -q -n "$(node_name "$i")" wait "$(node_dir "$i")/pid" --timeout "$TIMEOUT" >/dev/null 2>&1 && return 0
    # A port taken by someone's outgoing connection: the node died at boot; try again.
    grep -q eaddrinuse "$(node_dir "$i")/log/$(node_name "$i").log" 2>/dev/null || break
    say "node $i: a port was in use at start-up, starting it again"
    mv "$(node_dir "$i")/log/$(node_name "$i").log" "$(node_dir "$i")/log/$(node_name "$i").eaddrinuse.log"
    # The failed VM takes a while to halt, holding its node name meanwhile.
    if p=$(beam_pid "$i"); then
      n=0
      while kill -0 "$p" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.2; n=$((n + 1)); done
      kill -9 "$p" 2>/dev/null || true
    fi
    sleep 2
    launch "$i"
  done
  if ! as_rabbit "$i" "$RABBIT_BIN/rabbitmqctl" -q -n "$(node_name "$i")" wait "$(node_dir "$i")/pid" --timeout "$TIMEOUT" >/dev/null 2>&1; then
    tail -n 30 "$(node_dir "$i")/log/$(node_name "$i").log" 2>/dev/null >&2 || true
    die "node $i ($(node_name "$i")) did not come up within ${TIMEOUT}s (log: $(node_dir "$i")/log)"
  fi
}

# cluster_json I: node I's cluster_status as JSON (fails when it does not answer).
cluster_json() {
  ctl "$1" cluster_status --formatter json 2>/dev/null
}

# cluster_view I: "RUNNING PARTITIONS DISK" seen from node I: counts of running
# nodes, of nodes reporting partitions, of disc members.
cluster_view() {
  cluster_json "$1" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const j = JSON.parse(s);
      const parts = Object.values(j.partitions ?? {}).filter((p) => p.length > 0).length;
      console.log(`${(j.running_nodes ?? []).length} ${parts} ${(j.disk_nodes ?? []).length}`);
    });'
}

# whole: exit 0 when every node sees 3 running, no partition.
whole() {
  for k in $NODES; do
    v=$(cluster_view "$k") || return 1
    set -- $v
    [ "$1" = 3 ] && [ "$2" = 0 ] || return 1
  done
}

# wait_whole SECONDS: wait until the cluster is whole; fails after SECONDS.
wait_whole() {
  end=$(($(date +%s) + $1))
  until whole; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 1
  done
}

join_cluster() {
  i=$1
  v=$(cluster_view "$i") || die "node $i does not answer rabbitmqctl"
  set -- $v
  [ "$3" -ge 2 ] && return 0
  say "joining $(node_name "$i") to $(node_name 1)"
  ctl "$i" stop_app
  ctl "$i" join_cluster "$(node_name 1)" || die "node $i: join_cluster $(node_name 1) failed"
  ctl "$i" start_app
}

mgmt_up() {
  node -e '
    fetch(process.argv[1], { headers: { authorization: "Basic " + Buffer.from("guest:guest").toString("base64") } })
      .then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));' "http://127.0.0.1:$(mgmt_port "$1")/api/overview"
}

cmd_start() {
  need_root "starting the cluster"
  [ -x "$RABBIT_BIN/rabbitmq-server" ] || die "no $RABBIT_BIN/rabbitmq-server (sh tooling/scripts/provision.sh installs rabbitmq-server)"
  [ -x "$SETUP" ] || die "no $SETUP (build the workspace first: pnpm exec turbo run build)"
  ensure_cookie
  reserve_ports
  ensure_epmd
  for i in $NODES; do launch "$i"; done
  for i in $NODES; do await_node "$i"; done
  for i in 2 3; do join_cluster "$i"; done
  wait_whole "$TIMEOUT" || die "the cluster did not report 3 running nodes within ${TIMEOUT}s: $(sh "$0" status 2>&1 | tr '\n' ' ')"
  n=0
  until mgmt_up 1; do
    n=$((n + 1))
    [ $n -lt 300 ] || die "node 1's management API (port $(mgmt_port 1)) never answered"
    sleep 0.2
  done
  # Exchanges and users live in the cluster's shared metadata: once, on any node.
  PHOBOS_RABBITMQ_PASSWORD="$MC_PASSWORD" RABBITMQ_MANAGEMENT_USER=guest RABBITMQ_MANAGEMENT_PASSWORD=guest \
    node "$SETUP" --api "http://127.0.0.1:$(mgmt_port 1)" --vhost "$VHOST" --user "$MC_USER" \
    --collectives "$COLLECTIVES" >/dev/null || die "phobos-rabbitmq-setup failed"
  say "3 nodes running ($(node_name 1) $(node_name 2) $(node_name 3)), $HANDLING, STOMP $(stomp_port 1),$(stomp_port 2),$(stomp_port 3), vhost $VHOST"
}

# rules I: the iptables rule bodies that cut node I off from the others.
rules() {
  i=$1
  for j in $NODES; do
    [ "$j" = "$i" ] && continue
    ports="$(dist_port "$i"),$(dist_port "$j")"
    echo "-s $(node_ip "$i") -d $(node_ip "$j") -p tcp -m multiport --ports $ports -j DROP"
    echo "-s $(node_ip "$j") -d $(node_ip "$i") -p tcp -m multiport --ports $ports -j DROP"
  done
}

have_chain() { iptables -S "$CHAIN" >/dev/null 2>&1; }
JUMP="-p tcp -m multiport --ports $BASE:$((BASE + 199)) -j $CHAIN"

cmd_partition() {
  need_root "a partition (iptables)"
  command -v iptables >/dev/null || die "no iptables (sh tooling/scripts/provision.sh installs it)"
  i=$(node_index "$1")
  have_chain || iptables -N "$CHAIN"
  # shellcheck disable=SC2086
  iptables -C INPUT $JUMP 2>/dev/null || iptables -I INPUT 1 $JUMP
  rules "$i" | while read -r r; do
    # shellcheck disable=SC2086
    iptables -C "$CHAIN" $r 2>/dev/null || iptables -A "$CHAIN" $r
  done
  say "$(node_name "$i") cut off from the other nodes"
}

remove_rules() {
  command -v iptables >/dev/null || return 0
  have_chain || return 0
  if [ -n "${1:-}" ]; then
    rules "$1" | while read -r r; do
      # shellcheck disable=SC2086
      while iptables -D "$CHAIN" $r 2>/dev/null; do :; done
    done
  else
    iptables -F "$CHAIN"
  fi
  if [ -z "$(iptables -S "$CHAIN" | grep -v '^-N')" ]; then
    # shellcheck disable=SC2086
    while iptables -D INPUT $JUMP 2>/dev/null; do :; done
    iptables -X "$CHAIN"
  fi
}

# running_app I: exit 0 when node I's rabbit application runs (not paused, not down).
running_app() {
  # (eval runs on the node itself: print, never halt.)
  [ "$(ctl "$1" eval 'rabbit:is_running().' 2>/dev/null)" = true ]
}

cmd_heal() {
  need_root "healing (iptables)"
  if [ -n "${1:-}" ]; then targets=$(node_index "$1"); else targets=$NODES; fi
  if [ -n "${1:-}" ]; then remove_rules "$targets"; else remove_rules; fi
  # A node whose VM is gone comes back only by being started.
  for i in $NODES; do beam_pid "$i" >/dev/null || cmd_restart "$i"; done
  # pause_minority resumes the cut node by itself once it sees the majority,
  # autoheal restarts the losing side: give either its time first.
  half=$((TIMEOUT / 2))
  wait_whole "$half" && { say "healed: 3 nodes running, no partition"; return 0; }
  # Still not whole: a node stuck paused or a partition left recorded. Restart
  # the application of each node that is out or reports a partition.
  for i in $NODES; do
    v=$(cluster_view "$i" 2>/dev/null) || v="0 1 0"
    set -- $v
    if ! running_app "$i" || [ "$2" != 0 ]; then
      say "node $i still out after ${half}s ($v): restarting its application"
      ctl "$i" stop_app >/dev/null 2>&1 || true
      ctl "$i" start_app >/dev/null 2>&1 || cmd_restart "$i"
    fi
  done
  wait_whole "$half" || die "the cluster is not whole ${TIMEOUT}s after heal: $(sh "$0" status 2>&1 | tr '\n' ' ')"
  say "healed: 3 nodes running, no partition"
}

cmd_kill() {
  need_root "kill"
  i=$(node_index "$1")
  p=$(beam_pid "$i") || die "node $i is not running"
  kill -9 "$p"
  while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
  say "killed $(node_name "$i") (pid $p)"
}

cmd_restart() {
  need_root "restart"
  i=$(node_index "$1")
  if beam_pid "$i" >/dev/null; then ctl "$i" stop >/dev/null 2>&1 || true; fi
  reserve_ports
  ensure_epmd
  launch "$i"
  await_node "$i"
  wait_whole "$TIMEOUT" || die "node $i restarted but the cluster is not whole within ${TIMEOUT}s"
  say "$(node_name "$i") restarted and back in the cluster"
}

cmd_stop() {
  need_root "stopping the cluster"
  remove_rules
  for i in $NODES; do
    if p=$(beam_pid "$i"); then
      ctl "$i" stop >/dev/null 2>&1 || kill -9 "$p" 2>/dev/null || true
      while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
    fi
  done
  epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
  for i in $NODES; do rm -rf "$(node_dir "$i")"; done
  rm -f "$DIR/.erlang.cookie" "$DIR/.erlang.cookie.tmp"
  rmdir "$DIR" 2>/dev/null || true
  say "stopped"
}

cmd_status() {
  rc=0
  for i in $NODES; do
    if ! beam_pid "$i" >/dev/null; then
      echo "$(node_name "$i"): down"
      rc=1
    elif running_app "$i"; then
      echo "$(node_name "$i"): running (STOMP $(stomp_port "$i")) cluster view: $(cluster_view "$i" | awk '{print $1 " running, " $2 " reporting partitions"}')"
    else
      echo "$(node_name "$i"): VM up, RabbitMQ not running (paused or starting)"
      rc=1
    fi
  done
  if have_chain; then
    echo "partition rules ($CHAIN):"
    iptables -S "$CHAIN" | grep -v '^-N' | sed 's/^/  /'
  fi
  [ $rc = 0 ] && whole || rc=1
  return $rc
}

cmd_env() {
  echo "PHOBOS_RABBITMQ_CLUSTER_NODES='$(node_name 1) $(node_name 2) $(node_name 3)'"
  echo "PHOBOS_RABBITMQ_CLUSTER_STOMP_PORTS=$(stomp_port 1),$(stomp_port 2),$(stomp_port 3)"
  echo "PHOBOS_RABBITMQ_CLUSTER_AMQP_PORTS=$(amqp_port 1),$(amqp_port 2),$(amqp_port 3)"
  echo "PHOBOS_RABBITMQ_CLUSTER_MANAGEMENT_URLS=http://127.0.0.1:$(mgmt_port 1),http://127.0.0.1:$(mgmt_port 2),http://127.0.0.1:$(mgmt_port 3)"
  echo "PHOBOS_RABBITMQ_CLUSTER_VHOST=$VHOST"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case "$cmd" in
  start | stop | status | env)
    [ $# = 0 ] || usage
    "cmd_$cmd"
    ;;
  kill | restart | partition)
    [ $# = 1 ] || usage
    "cmd_$cmd" "$1"
    ;;
  heal)
    [ $# -le 1 ] || usage
    cmd_heal "${1:-}"
    ;;
  *) usage ;;
esac
