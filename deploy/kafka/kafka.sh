#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker (KRaft) from its Maven Central jars.
#   kafka.sh fetch   resolve the jars into var/kafka/libs (once)
#   kafka.sh start   format storage if needed, start in the background, wait until healthy
#   kafka.sh stop    stop the broker started by start
#   kafka.sh kill    kill -9 the broker (failure tests)
#   kafka.sh status  exit 0 when the broker answers on localhost:9092
#   kafka.sh fg      start in the foreground (used by make run)
# Jars, storage and logs live under var/ (ignored by git). A second, disposable broker (the tests
# that kill Kafka use one) is started with KAFKA_NAME=<name> KAFKA_PORT=<port>: it gets its own
# directory var/<name> and its controller listens on port+1.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libs="$root/var/kafka/libs"
var="$root/var/${KAFKA_NAME:-kafka}"
data="$var/data"
pidfile="$var/kafka.pid"
port="${KAFKA_PORT:-9092}"
controller_port=$((port + 1))

fetch() {
  if [ -f "$libs/.complete" ] && [ "$libs/.complete" -nt "$here/pom.xml" ]; then return; fi
  command -v java >/dev/null || { echo "java is required (Java 17+)" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "mvn is required to resolve the Kafka jars" >&2; exit 1; }
  rm -rf "$libs"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime
  touch "$libs/.complete"
}

config() {
  mkdir -p "$data"
  sed -e "s#localhost:9092#localhost:$port#g" -e "s#localhost:9093#localhost:$controller_port#g" \
    "$here/server.properties" > "$var/server.properties"
  echo "log.dirs=$data" >> "$var/server.properties"
}

kjava() {
  java -Xms256m -Xmx768m -XX:+UseG1GC -Dlog4j2.configurationFile="$here/log4j2.yaml" \
    -cp "$libs/*" "$@"
}

format() {
  if [ ! -f "$data/meta.properties" ]; then
    kjava kafka.tools.StorageTool format \
      -t "$(kjava kafka.tools.StorageTool random-uuid)" -c "$var/server.properties" >/dev/null
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
  if healthy; then echo "kafka already running on localhost:$port"; return 0; fi
  mkdir -p "$var"
  fetch; config; format
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Dlog4j2.configurationFile="$here/log4j2.yaml" -cp "$libs/*" kafka.Kafka "$var/server.properties" >"$var/kafka.log" 2>&1 &
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
  start) start ;;
  stop) stop ;;
  status) healthy ;;
  kill) [ -f "$pidfile" ] && kill -9 "$(cat "$pidfile")" 2>/dev/null; rm -f "$pidfile" ;;
  fg) fetch; mkdir -p "$var"; config; format; kjava kafka.Kafka "$var/server.properties" ;;
  *) echo "usage: $0 fetch|start|stop|kill|status|fg" >&2; exit 2 ;;
esac
