#!/usr/bin/env bash
# Runs a three-broker Apache Kafka cluster (KRaft, every node broker + controller) on this machine,
# with the same logins and ACLs as the single broker of kafka.sh, replication factor 3 and
# min.insync.replicas=2: a committed record survives the loss of any one broker, and a producer
# with acks=all is refused (not silently under-replicated) when two are gone.
#   cluster.sh start            make credentials and format storage if needed, start the three
#                               nodes in the background, wait until all are healthy
#   cluster.sh stop             stop the nodes started by start
#   cluster.sh kill <n>         kill -9 node n (1-3; failure tests and make chaos)
#   cluster.sh start-node <n>   start node n again (after kill) and wait until it is healthy
#   cluster.sh status           exit 0 when every node answers
#   cluster.sh bootstrap        print the bootstrap list (host:port,host:port,host:port)
#   cluster.sh prepare          only make credentials, cluster id and storage of all three nodes
#                               (idempotent): one init container, before the nodes start
#   cluster.sh fg <n>           run node n in the foreground (a container); it refuses to start
#                               on storage that prepare has not formatted with the current logins
# Storage and logs live in var/${KAFKA_CLUSTER_NAME:-kafka-cluster}/node<n>; client ports are
# ${KAFKA_CLUSTER_PORT:-19192}+n-1 and controller ports 100 higher. The single broker on :9092
# (kafka.sh) is untouched: both can run at once. Heap per node: KAFKA_CLUSTER_HEAP (384m).
# Like kafka.sh, for deploy/docker-compose.cluster.yml: KAFKA_LIBS, KAFKA_VAR, KAFKA_CREDENTIALS,
# KAFKA_CLUSTER_HOSTS (the three nodes' host names, "kafka1 kafka2 kafka3", used by clients and by
# the controller quorum; unset: localhost for clients, 127.0.0.1 for the quorum) and
# KAFKA_LISTEN_HOST (the bind address of both listeners, "" for every interface; unset: client
# listener on localhost, controller listener on 127.0.0.1 only).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libs="${KAFKA_LIBS:-$root/var/kafka/libs}"
name="${KAFKA_CLUSTER_NAME:-kafka-cluster}"
var="${KAFKA_VAR:-$root/var/$name}"
creds="${KAFKA_CREDENTIALS:-$root/var/kafka-credentials}"
base_port="${KAFKA_CLUSTER_PORT:-19192}"
heap="${KAFKA_CLUSTER_HEAP:-384m}"
nodes="1 2 3"
read -r -a hosts <<<"${KAFKA_CLUSTER_HOSTS:-}"
if [ "${#hosts[@]}" -ne 0 ] && [ "${#hosts[@]}" -ne 3 ]; then
  echo "KAFKA_CLUSTER_HOSTS must name three hosts (node 1, 2, 3), not '${KAFKA_CLUSTER_HOSTS}'" >&2
  exit 2
fi
listen_host="${KAFKA_LISTEN_HOST-localhost}"
controller_listen_host="${KAFKA_LISTEN_HOST-127.0.0.1}"
# shellcheck source=logins.sh
. "$here/logins.sh"

port() { echo $((base_port + $1 - 1)); }
controller_port() { echo $((base_port + 100 + $1 - 1)); }
dir() { echo "$var/node$1"; }
# Node $1's host name as the others and the clients reach it; $2 when KAFKA_CLUSTER_HOSTS is unset.
host() { echo "${hosts[$(($1 - 1))]:-$2}"; }

voters() {
  local v=""
  for n in $nodes; do v="${v:+$v,}$n@$(host "$n" 127.0.0.1):$(controller_port "$n")"; done
  echo "$v"
}

bootstrap() {
  local b=""
  for n in $nodes; do b="${b:+$b,}$(host "$n" localhost):$(port "$n")"; done
  echo "$b"
}



kjava() {
  java -Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$here/log4j2.yaml" -cp "$libs/*" "$@"
}

advertised_controller() {
  # With KAFKA_CLUSTER_HOSTS the controller listener binds to every interface (a container), and
  # Kafka would register it under the container's own host name, which the other nodes cannot
  # resolve; so it is advertised under the node's name. On 127.0.0.1 nothing changes.
  if [ "${#hosts[@]}" -ne 0 ]; then echo ",CONTROLLER://$(host "$1" ""):$(controller_port "$1")"; fi
}

config() {
  # The single broker's file with this node's id, ports and quorum, and the replication settings
  # of a cluster appended (a later key wins in a Java properties file).
  local n="$1" d; d="$(dir "$1")"
  mkdir -p "$d/data"
  rm -f "$d/server.properties"
  (umask 077
   sed -e "s#^node.id=.*#node.id=$n#" \
     -e "s#^controller.quorum.voters=.*#controller.quorum.voters=$(voters)#" \
     -e "/^listeners=/s#localhost:9092#$listen_host:$(port "$n")#" \
     -e "/^listeners=/s#127.0.0.1:9093#$controller_listen_host:$(controller_port "$n")#" \
     -e "/^advertised.listeners=/s#localhost:9092#$(host "$n" localhost):$(port "$n")$(advertised_controller "$n")#" \
     -e "s#@ADMIN_PASSWORD@#$(password admin)#g" \
     "$here/server.properties" > "$d/server.properties"
   cat >> "$d/server.properties" <<EOF
log.dirs=$d/data
# --- three-node cluster (deploy/kafka/cluster.sh) ---
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
# A broker that comes back must not become leader with a shorter log than its followers had.
unclean.leader.election.enable=false
# Quick failure detection on one machine (the defaults suit a data centre).
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
controller.quorum.election.timeout.ms=1000
controller.quorum.fetch.timeout.ms=2000
replica.lag.time.max.ms=10000
num.network.threads=2
num.io.threads=2
background.threads=2
num.replica.fetchers=1
log.cleaner.enable=false
EOF
  )
}

format() {
  # All nodes share one cluster id and the same SCRAM users; storage formatted with other
  # credentials is set aside, as kafka.sh does.
  local marker="$var/scram-users.sha256" id=""
  if [ -f "$marker" ] && [ "$(cat "$marker")" != "$(fingerprint)" ]; then
    local aside; aside="$var.without-scram.$(date +%Y%m%d%H%M%S)"
    mv "$var" "$aside"
    echo "kafka cluster: formatted with other SCRAM users; moved to $aside" >&2
  fi
  mkdir -p "$var"
  [ -f "$var/cluster.id" ] || kjava kafka.tools.StorageTool random-uuid > "$var/cluster.id"
  id="$(cat "$var/cluster.id")"
  local users=()
  for p in $principals; do
    users+=(--add-scram "$mechanism=[name=$p,password=$(password "$p")]")
  done
  for n in $nodes; do
    config "$n"
    if [ ! -f "$(dir "$n")/data/meta.properties" ]; then
      kjava kafka.tools.StorageTool format -t "$id" -c "$(dir "$n")/server.properties" \
        "${users[@]}" >/dev/null
    fi
  done
  fingerprint > "$marker"
}

healthy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$(port "$1")") 2>/dev/null
}

launch() {
  local n="$1" d; d="$(dir "$1")"
  if healthy "$n"; then return; fi
  config "$n"
  # A new log per start, the old one kept: a killed node's last words are evidence.
  [ -f "$d/kafka.log" ] && mv "$d/kafka.log" "$d/kafka.log.1"
  nohup java -Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$here/log4j2.yaml" -cp "$libs/*" \
    kafka.Kafka "$d/server.properties" >"$d/kafka.log" 2>&1 &
  echo $! > "$d/kafka.pid"
}

wait_healthy() {
  local n="$1" d; d="$(dir "$1")"
  for _ in $(seq 1 240); do
    if healthy "$n" && grep -q 'Transition from STARTING to STARTED' "$d/kafka.log" 2>/dev/null; then
      return 0
    fi
    if [ -f "$d/kafka.pid" ] && ! kill -0 "$(cat "$d/kafka.pid")" 2>/dev/null; then
      echo "kafka node $n exited; see $d/kafka.log" >&2; tail -20 "$d/kafka.log" >&2; return 1
    fi
    sleep 0.5
  done
  echo "kafka node $n did not become healthy in 120 s; see $d/kafka.log" >&2
  return 1
}

prepare() {
  bash "$here/kafka.sh" fetch
  # The same logins as the single broker (made once, by whichever starts first).
  KAFKA_CREDENTIALS="$creds" bash "$here/kafka.sh" credentials
  format
}

start() {
  prepare
  for n in $nodes; do launch "$n"; done
  for n in $nodes; do wait_healthy "$n"; done
  echo "kafka cluster running on $(bootstrap)"
}

stop_node() {
  local d pid; d="$(dir "$1")"
  [ -f "$d/kafka.pid" ] || return 0
  pid="$(cat "$d/kafka.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$d/kafka.pid"
}

stop() {
  # Stopped together: a controlled shutdown of the last nodes would otherwise wait for a quorum
  # that is already gone.
  for n in $nodes; do
    local d; d="$(dir "$n")"
    [ -f "$d/kafka.pid" ] && kill "$(cat "$d/kafka.pid")" 2>/dev/null || true
  done
  for n in $nodes; do stop_node "$n"; done
}

fg() {
  # Only this node's own files are written here (its server.properties): the logins, the cluster
  # id and the storage of all three are prepare's, so three containers starting at once do not
  # race to make them.
  local n="$1" d; d="$(dir "$1")"
  if [ ! -f "$d/data/meta.properties" ] \
    || [ "$(cat "$var/scram-users.sha256" 2>/dev/null)" != "$(fingerprint)" ]; then
    echo "kafka node $n: $d is not formatted with the current logins; run $0 prepare first" >&2
    exit 1
  fi
  config "$n"
  # exec keeps this pid: stop and kill work on a node started this way too.
  echo $$ > "$d/kafka.pid"
  exec java -Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:TieredStopAtLevel=1 \
    -Dlog4j2.configurationFile="$here/log4j2.yaml" -cp "$libs/*" \
    kafka.Kafka "$d/server.properties"
}

node_arg() {
  case "${1:-}" in 1|2|3) ;; *) echo "node must be 1, 2 or 3" >&2; exit 2 ;; esac
}

case "${1:-}" in
  start) start ;;
  prepare) prepare ;;
  fg) node_arg "${2:-}"; fg "$2" ;;
  stop) stop ;;
  status) for n in $nodes; do healthy "$n"; done ;;
  bootstrap) bootstrap ;;
  kill)
    node_arg "${2:-}"; d="$(dir "$2")"
    if [ -f "$d/kafka.pid" ]; then
      pid="$(cat "$d/kafka.pid")"
      kill -9 "$pid" 2>/dev/null || true
      # Gone before returning: a dying node still accepts connections for a moment, and a
      # start-node right after would take it for healthy and start nothing.
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      for _ in $(seq 1 100); do healthy "$2" || break; sleep 0.1; done
    fi
    rm -f "$d/kafka.pid" ;;
  start-node) node_arg "${2:-}"; launch "$2"; wait_healthy "$2" ;;
  *) echo "usage: $0 start|stop|kill <n>|start-node <n>|status|bootstrap|prepare|fg <n>" >&2; exit 2 ;;
esac
