#!/bin/sh
# One PuppetDB 7 (Debian's `puppetdb` package) for the puppetdb discovery
# plugin's tests, run straight from the jar with its own configuration
# directory, database and certificates: Debian's unit expects systemd, its own
# user and dbconfig-common's database, none of which a CI machine promises.
#
#   puppetdb-instance.sh config DIR HTTP_PORT   write DIR/conf.d, DIR/ssl, the database
#   puppetdb-instance.sh run    DIR HTTP_PORT   config, then PuppetDB in the foreground
#   puppetdb-instance.sh start  DIR HTTP_PORT   config, then start in the background and
#                                               wait until it answers (quick if running)
#   puppetdb-instance.sh stop   DIR             stop a PuppetDB started with `start`
#   puppetdb-instance.sh status DIR             exit 0 when it runs
#
# PuppetDB listens on 127.0.0.1:HTTP_PORT (plain HTTP) and 127.0.0.1:HTTP_PORT+1
# (HTTPS, client certificate required). DIR/ssl holds a throw-away CA
# (ca.pem), the server's certificate and a client certificate and key
# (client.pem, client-key.pem) for tests of the HTTPS path.
# PostgreSQL must run on PHOBOS_PG_HOST:PHOBOS_PG_PORT (127.0.0.1:5432) with a
# superuser PHOBOS_PG_SUPERUSER (postgres) reachable without a password, and
# ship the pg_trgm extension (postgresql-contrib) PuppetDB 7 needs.
# Environment: PHOBOS_PUPPETDB_HEAP (default 384m), PHOBOS_PUPPETDB_DATABASE
# (default phobos_puppetdb, also the role's name).
set -eu

HEAP=${PHOBOS_PUPPETDB_HEAP:-384m}
PG_HOST=${PHOBOS_PG_HOST:-127.0.0.1}
PG_PORT=${PHOBOS_PG_PORT:-5432}
PG_SUPERUSER=${PHOBOS_PG_SUPERUSER:-postgres}
DB=${PHOBOS_PUPPETDB_DATABASE:-phobos_puppetdb}
DB_PASSWORD=phobos
JAR=/usr/share/puppetdb/puppetdb.jar
BOOTSTRAP=/etc/puppetdb/bootstrap.cfg

INSTANCE_NAME=puppetdb-instance
INSTANCE_PRODUCT=PuppetDB
INSTANCE_PORT_NAME=HTTP_PORT
INSTANCE_PIDFILE=puppetdb.pid
. "$(dirname "$0")/lib/instance.sh"
instance_args "$@"

need_port() {
  instance_need_port
  ssl_port=$((port + 1))
}

# Over TCP as the superuser (trust auth), else through the local socket as
# the postgres system user (Debian's default peer auth) when we are root.
psql_super() {
  if [ -z "${PSQL_VIA:-}" ]; then
    if psql -X -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
      PSQL_VIA=tcp
    elif [ "$(id -u)" = 0 ] && runuser -u postgres -- psql -X -q -p "$PG_PORT" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
      PSQL_VIA=socket
    else
      PSQL_VIA=none
    fi
  fi
  case "$PSQL_VIA" in
    tcp) psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_SUPERUSER" "$@" ;;
    socket) runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" "$@" ;;
    *) return 1 ;;
  esac
}

setup_database() {
  if ! psql_super -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    echo "puppetdb-instance: PostgreSQL does not answer as $PG_SUPERUSER on $PG_HOST:$PG_PORT (PuppetDB needs it)" >&2
    exit 1
  fi
  if [ "$(psql_super -d postgres -tAc "select 1 from pg_roles where rolname = '$DB'")" != 1 ]; then
    psql_super -d postgres -c "create role $DB login password '$DB_PASSWORD'"
  fi
  if [ "$(psql_super -d postgres -tAc "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
    psql_super -d postgres -c "create database $DB owner $DB encoding 'UTF8' template template0"
  fi
  # PuppetDB 7 refuses to start without pg_trgm, which only a superuser may create.
  psql_super -d "$DB" -c 'create extension if not exists pg_trgm' 2>&1 | grep -v 'already exists' >&2 || true
  if [ "$(psql_super -d "$DB" -tAc "select 1 from pg_extension where extname = 'pg_trgm'")" != 1 ]; then
    echo "puppetdb-instance: cannot create the pg_trgm extension in $DB (install postgresql-contrib)" >&2
    exit 1
  fi
}

setup_ssl() {
  ssl="$dir/ssl"
  [ -f "$ssl/client-key.pem" ] && return 0
  mkdir -p "$ssl"
  (
    cd "$ssl"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Phobos test CA" \
      -keyout ca-key.pem -out ca.pem 2>/dev/null
    for name in server client; do
      cn=localhost
      [ "$name" = client ] && cn=phobos-client
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$cn" -keyout "$name-key.pem" -out "$name.csr" 2>/dev/null
      printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$name.ext"
      openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
        -extfile "$name.ext" -out "$name.pem" 2>/dev/null
      rm -f "$name.csr" "$name.ext"
    done
    chmod 644 ./*.pem
  )
}

write_config() {
  need_port
  mkdir -p "$dir/conf.d" "$dir/var" "$dir/log"
  setup_ssl
  cat >"$dir/conf.d/config.ini.new" <<EOF
# Written by tooling/scripts/puppetdb-instance.sh
[global]
vardir = $dir/var
logging-config = $dir/logback.xml

[command-processing]
threads = 1

[puppetdb]
disable-update-checking = true
EOF
  cat >"$dir/conf.d/database.ini.new" <<EOF
[database]
subname = //$PG_HOST:$PG_PORT/$DB
username = $DB
password = $DB_PASSWORD
gc-interval = 0
maximum-pool-size = 4
EOF
  cat >"$dir/conf.d/jetty.ini.new" <<EOF
[jetty]
host = 127.0.0.1
port = $port
ssl-host = 127.0.0.1
ssl-port = $ssl_port
ssl-key = $dir/ssl/server-key.pem
ssl-cert = $dir/ssl/server.pem
ssl-ca-cert = $dir/ssl/ca.pem
client-auth = need
max-threads = 32
EOF
  for f in config database jetty; do mv "$dir/conf.d/$f.ini.new" "$dir/conf.d/$f.ini"; done
  cp /etc/puppetdb/conf.d/auth.conf "$dir/conf.d/auth.conf"
  cat >"$dir/logback.xml" <<EOF
<configuration>
  <appender name="F1" class="ch.qos.logback.core.FileAppender">
    <file>$dir/log/puppetdb.log</file>
    <append>true</append>
    <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5p [%c{2}] %m%n</pattern></encoder>
  </appender>
  <root level="info"><appender-ref ref="F1"/></root>
</configuration>
EOF
}

# PuppetDB answers its status endpoint with "running" once migrations are done.
answers() {
  node -e '
    const req = require("http").get({ host: "127.0.0.1", port: Number(process.argv[1]),
      path: "/status/v1/services/puppetdb-status", timeout: 3000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => process.exit(res.statusCode === 200 && /"running"/.test(body) ? 0 : 1));
    });
    req.on("timeout", () => process.exit(1));
    req.on("error", () => process.exit(1));
  ' "$1"
}

case "$cmd" in
  config)
    write_config
    setup_database
    ;;
  run)
    write_config
    setup_database
    exec "$(java_cmd)" -Xms64m "-Xmx$HEAP" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
      -Djava.awt.headless=true -Djava.security.egd=file:/dev/urandom "-Djava.io.tmpdir=$dir/var" \
      -cp "$JAR" clojure.main -m puppetlabs.puppetdb.core services \
      --config "$dir/conf.d" --bootstrap-config "$BOOTSTRAP"
    ;;
  start)
    need_port
    mkdir -p "$dir"
    before=""
    [ -f "$dir/conf.d/jetty.ini" ] && before=$(cat "$dir/conf.d/"*.ini)
    write_config
    instance_keep_or_stop "$before" "$(cat "$dir/conf.d/"*.ini)" PuppetDB
    setup_database
    echo "puppetdb-instance: starting PuppetDB in $dir (HTTP 127.0.0.1:$port, HTTPS 127.0.0.1:$ssl_port)"
    # The JVM, Clojure and the database migrations take a minute or two on a small machine.
    instance_spawn_and_wait 300 1 "$dir/log/puppetdb.log" "on 127.0.0.1:$port after 300 s"
    ;;
  stop)
    instance_stop 60
    ;;
  status)
    running_pid >/dev/null
    ;;
  *)
    usage
    ;;
esac
