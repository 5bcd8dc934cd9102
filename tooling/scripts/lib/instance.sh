# Shared by activemq-instance.sh and puppetdb-instance.sh (POSIX sh, sourced):
# one Java service run from its own directory DIR with a pidfile, started in the
# background and waited for until it answers on its port.
#
# The sourcing script sets, before calling these:
#   INSTANCE_NAME       prefix of every message (e.g. activemq-instance)
#   INSTANCE_PRODUCT    the service's name in messages (e.g. ActiveMQ)
#   INSTANCE_PORT_NAME  the port argument's name in messages (e.g. STOMP_PORT)
#   INSTANCE_PIDFILE    the pidfile's name inside DIR (e.g. activemq.pid)
# and defines `answers PORT` (exit 0 when the service answers on PORT).

usage() {
  echo "usage: $0 config|run|start DIR $INSTANCE_PORT_NAME | stop|status DIR" >&2
  exit 2
}

# instance_args "$@": sets cmd, dir and port (empty for stop and status).
instance_args() {
  [ $# -ge 2 ] || usage
  cmd=$1
  dir=$2
  port=${3:-}
}

instance_need_port() {
  case "$port" in
    '' | *[!0-9]*) echo "$INSTANCE_NAME: $INSTANCE_PORT_NAME must be a TCP port number, got '$port'" >&2; exit 2 ;;
  esac
}

java_cmd() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

# Prints the pid of the service started in $dir; fails when none runs.
running_pid() {
  [ -f "$dir/$INSTANCE_PIDFILE" ] || return 1
  pid=$(cat "$dir/$INSTANCE_PIDFILE")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# instance_keep_or_stop BEFORE AFTER SILENT: when the service runs, exits the
# script (status 0) if its configuration stayed BEFORE = AFTER and it answers;
# else says why ("configuration changed or SILENT silent") and stops it.
instance_keep_or_stop() {
  if pid=$(running_pid); then
    if [ "$1" = "$2" ] && answers "$port"; then exit 0; fi
    echo "$INSTANCE_NAME: configuration changed or $3 silent, restarting $dir (pid $pid)"
    sh "$0" stop "$dir"
  fi
}

# instance_spawn_and_wait TRIES INTERVAL LOG WHERE: starts `$0 run DIR PORT` in
# the background and polls `answers` TRIES times, INTERVAL seconds apart; exits
# the script: 0 once it answers, 1 (with LOG's tail) when it died or stayed
# silent ("does not answer WHERE").
instance_spawn_and_wait() {
  # setsid: the service must outlive the shell (and the CI step) that started it.
  setsid sh "$0" run "$dir" "$port" >"$dir/console.log" 2>&1 </dev/null &
  echo $! >"$dir/$INSTANCE_PIDFILE"
  for _ in $(seq 1 "$1"); do
    if answers "$port"; then exit 0; fi
    if ! running_pid >/dev/null; then
      echo "$INSTANCE_NAME: $INSTANCE_PRODUCT exited during start-up; $dir/console.log and $3 say:" >&2
      tail -n 30 "$dir/console.log" "$3" >&2 2>/dev/null || true
      exit 1
    fi
    sleep "$2"
  done
  echo "$INSTANCE_NAME: $INSTANCE_PRODUCT in $dir does not answer $4" >&2
  tail -n 30 "$3" >&2 2>/dev/null || true
  exit 1
}

# instance_stop TRIES: TERM, up to TRIES quarter-seconds for it to go, then KILL.
instance_stop() {
  if pid=$(running_pid); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 "$1"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/$INSTANCE_PIDFILE"
}
