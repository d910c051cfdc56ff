#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker (KRaft) from its Maven Central jars.
#   kafka.sh fetch    resolve the jars into var/kafka/libs (once)
#   kafka.sh start    make credentials and format storage if needed, start in the background,
#                     wait until healthy
#   kafka.sh stop     stop the broker started by start
#   kafka.sh kill     kill -9 the broker (failure tests)
#   kafka.sh status   exit 0 when the broker answers on localhost:9092
#   kafka.sh secured  exit 0 unless the storage exists but was formatted without the current
#                     SCRAM users (start would then move it aside and format anew)
#   kafka.sh credentials  generate the per-principal logins if missing (cluster.sh uses them)
#   kafka.sh fg       start in the foreground (used by make run and deploy/docker-compose.yml)
# Jars, storage and logs live under var/ (ignored by git). A second, disposable broker (the tests
# that kill Kafka use one) is started with KAFKA_NAME=<name> KAFKA_PORT=<port>: it gets its own
# directory var/<name> and its controller listens on port+1. KAFKA_PROPERTIES (lines of
# key=value) is appended to its server.properties, e.g. to measure a setting on a private broker
# (bench/broker_kosten.py --broker).
#
# Clients log in with SASL/SCRAM-SHA-512. The first start generates a random password per
# principal (admin, locaties, kennis, rapportage, auditor) into var/kafka-credentials/<name>.json
# (mode 0600); every broker of this checkout is formatted with those users, and
# `bodemregie topics` (as admin) sets the ACLs. The docker-compose file runs this script inside the
# apache/kafka image with KAFKA_LIBS, KAFKA_VAR, KAFKA_CREDENTIALS and the listener hosts set.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libs="${KAFKA_LIBS:-$root/var/kafka/libs}"
var="${KAFKA_VAR:-$root/var/${KAFKA_NAME:-kafka}}"
creds="${KAFKA_CREDENTIALS:-$root/var/kafka-credentials}"
data="$var/data"
pidfile="$var/kafka.pid"
marker="$var/scram-users.sha256"
port="${KAFKA_PORT:-9092}"
controller_port=$((port + 1))
listen_host="${KAFKA_LISTEN_HOST-localhost}"
advertised_host="${KAFKA_ADVERTISED_HOST:-localhost}"
# shellcheck source=logins.sh
. "$here/logins.sh"

fetch() {
  if [ -n "${KAFKA_LIBS:-}" ]; then return; fi  # an image that brings its own jars
  if [ -f "$libs/.complete" ] && [ "$libs/.complete" -nt "$here/pom.xml" ]; then return; fi
  command -v java >/dev/null || { echo "java is required (Java 17+)" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "mvn is required to resolve the Kafka jars" >&2; exit 1; }
  rm -rf "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime
  touch "$libs/.complete"
}

credentials() {
  # Random passwords (hex, 192 bits), written once; never overwritten, never committed (var/).
  (umask 077; mkdir -p "$creds")
  for name in $principals; do
    if [ -s "$creds/$name.json" ]; then continue; fi
    password="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    (umask 077
     printf '{"username": "%s", "password": "%s", "mechanism": "%s"}\n' \
       "$name" "$password" "$mechanism" > "$creds/$name.json.tmp"
     mv "$creds/$name.json.tmp" "$creds/$name.json")
  done
}



secured() {
  [ ! -f "$data/meta.properties" ] || [ "$(cat "$marker" 2>/dev/null)" = "$(fingerprint)" ]
}

config() {
  mkdir -p "$data"
  # It holds the admin's password: a new file, so that umask 077 applies (an older one was 0644).
  rm -f "$var/server.properties"
  (umask 077
   sed -e "/^listeners=/s#localhost:9092#$listen_host:$port#" \
     -e "/^advertised.listeners=/s#localhost:9092#$advertised_host:$port#" \
     -e "s#127.0.0.1:9093#127.0.0.1:$controller_port#g" \
     -e "s#@ADMIN_PASSWORD@#$(password admin)#g" \
     "$here/server.properties" > "$var/server.properties"
   echo "log.dirs=$data" >> "$var/server.properties"
   if [ -n "${KAFKA_PROPERTIES:-}" ]; then printf '%s\n' "$KAFKA_PROPERTIES" >> "$var/server.properties"; fi)
}

# The broker's JVM (and its tools'). The heap is committed whole from the start (-Xms = -Xmx):
# started at 256 MB it stayed near 290 MB with ~170 MB of it live, so G1 kept its young
# generation small and ran a concurrent cycle (with a Remark pause) after nearly every young
# collection: a pause every ~3 s at the relay's rate, 12-70 ms each on a loaded 2-core machine,
# and every produce in flight waits for it (README, "The broker's heap").
jvm=(java -Xms768m -Xmx768m -XX:+UseG1GC)

kjava() {
  "${jvm[@]}" -Dlog4j2.configurationFile="$here/log4j2.yaml" -cp "$libs/*" "$@"
}

format() {
  if ! secured; then
    # Storage from before SCRAM (or from other credentials) has no users the clients could log
    # in as, and users cannot be added without one. Keep it aside instead of deleting it.
    local aside
    aside="$var/data.without-scram.$(date +%Y%m%d%H%M%S)"
    mv "$data" "$aside"
    mkdir -p "$data"
    echo "kafka: $var was formatted without the current SCRAM users; the old storage moved to" \
      "$aside (delete it when not needed) and the broker starts empty" >&2
  fi
  if [ ! -f "$data/meta.properties" ]; then
    local users=()
    for name in $principals; do
      users+=(--add-scram "$mechanism=[name=$name,password=$(password "$name")]")
    done
    kjava kafka.tools.StorageTool format -t "$(kjava kafka.tools.StorageTool random-uuid)" \
      -c "$var/server.properties" "${users[@]}" >/dev/null
    fingerprint > "$marker"
  fi
}

healthy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

wait_healthy() {
  for _ in $(seq 1 120); do
    if healthy && grep -q 'Transition from STARTING to STARTED' "$var/kafka.log" 2>/dev/null; then
      return 0
    fi
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "kafka exited; see $var/kafka.log" >&2; tail -20 "$var/kafka.log" >&2; return 1
    fi
    sleep 0.5
  done
  echo "kafka did not become healthy in 60 s; see $var/kafka.log" >&2
  return 1
}

start() {
  if healthy; then
    echo "kafka already running on localhost:$port"
    if [ ! -f "$marker" ]; then
      # E.g. a broker from before SCRAM still running: every client would fail to log in.
      echo "it was not started with SCRAM users by this script; stop it" \
        "(deploy/kafka/kafka.sh stop) and start again" >&2
      return 1
    fi
    return 0
  fi
  mkdir -p "$var"
  fetch; credentials; config; format
  nohup "${jvm[@]}" -Dlog4j2.configurationFile="$here/log4j2.yaml" -cp "$libs/*" kafka.Kafka "$var/server.properties" >"$var/kafka.log" 2>&1 &
  echo $! > "$pidfile"
  wait_healthy
  echo "kafka running on localhost:$port (pid $(cat "$pidfile"))"
}

stop() {
  if [ -f "$pidfile" ]; then
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  fi
}

case "${1:-}" in
  fetch) fetch ;;
  credentials) credentials ;;
  start) start ;;
  stop) stop ;;
  status) healthy ;;
  secured) secured ;;
  kill) [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null; rm -f "$pidfile" ;;
  fg) fetch; mkdir -p "$var"; credentials; config; format; kjava kafka.Kafka "$var/server.properties" ;;
  *) echo "usage: $0 fetch|credentials|start|stop|kill|status|secured|fg" >&2; exit 2 ;;
esac
