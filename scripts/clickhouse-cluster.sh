#!/usr/bin/env bash
# A two-shard ClickHouse cluster on this machine, for the tests and benchmarks of the ClickHouse store
# (docs/deploy-clickhouse.md). Two `clickhouse-server` processes (Debian's package), each with its own data
# directory under $RLAUDIT_CLICKHOUSE_DIR, listening on loopback only, and a `remote_servers` entry
# `rlaudit_2shards` naming both. Nothing outside that directory is touched.
#
#   scripts/clickhouse-cluster.sh start    start both shards (no-op for a shard already up); waits until both answer
#   scripts/clickhouse-cluster.sh stop     stop both shards (SIGTERM, then SIGKILL after 20 s), keep the data
#   scripts/clickhouse-cluster.sh status   print each shard's state; exit 0 only when both answer
#   scripts/clickhouse-cluster.sh wipe     stop, then remove the cluster directory
#
# For the test helper (test/store/clickhouse/cluster.ts), which many test processes call at once:
#   scripts/clickhouse-cluster.sh acquire PID   start the cluster unless up (remembering that the tests started
#                                               it), and count PID as a user
#   scripts/clickhouse-cluster.sh release PID   PID no longer uses it; when the tests started it and no live user
#                                               is left, stop it
# Both hold a lock on the cluster directory, so two test files never start or stop it at the same time.
#
# Environment:
#   RLAUDIT_CLICKHOUSE_DIR        where the config, data and logs go (default: <repo>/.rlaudit/clickhouse-cluster)
#   RLAUDIT_CLICKHOUSE_PORT_BASE  first port (default 28120): shard i (0, 1) listens on HTTP base+i,
#                                 native TCP base+10+i, interserver base+20+i
#
# Users: `default` without password (loopback only), and `rlaudit` with the password `rlaudit-test`, for the
# tests of password handling. These are test credentials for a loopback-only cluster, nothing else.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
dir="${RLAUDIT_CLICKHOUSE_DIR:-$repo/.rlaudit/clickhouse-cluster}"
base="${RLAUDIT_CLICKHOUSE_PORT_BASE:-28120}"
server="${CLICKHOUSE_SERVER:-$(command -v clickhouse-server || echo /usr/sbin/clickhouse-server)}"
cluster=rlaudit_2shards
shards=(0 1)

http_port() { echo $((base + $1)); }
tcp_port() { echo $((base + 10 + $1)); }
inter_port() { echo $((base + 20 + $1)); }

write_config() {
  local i=$1 d="$dir/shard$1"
  mkdir -p "$d/data" "$d/tmp" "$d/user_files" "$d/log" "$d/format_schemas"
  cat >"$d/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$d/log/server.log</log>
    <errorlog>$d/log/server.err.log</errorlog>
    <size>50M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$(http_port "$i")</http_port>
  <tcp_port>$(tcp_port "$i")</tcp_port>
  <interserver_http_port>$(inter_port "$i")</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>10</keep_alive_timeout>
  <max_concurrent_queries>64</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <builtin_dictionaries_reload_interval>0</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <query_log>
    <database>system</database>
    <table>query_log</table>
    <flush_interval_milliseconds>7500</flush_interval_milliseconds>
  </query_log>
  <default_session_timeout>60</default_session_timeout>
  <remote_servers>
    <$cluster>
      <shard>
        <internal_replication>false</internal_replication>
        <replica><host>127.0.0.1</host><port>$(tcp_port 0)</port></replica>
      </shard>
      <shard>
        <internal_replication>false</internal_replication>
        <replica><host>127.0.0.1</host><port>$(tcp_port 1)</port></replica>
      </shard>
    </$cluster>
  </remote_servers>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
EOF
  cat >"$d/users.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <max_memory_usage>4000000000</max_memory_usage>
      <use_uncompressed_cache>0</use_uncompressed_cache>
      <load_balancing>in_order</load_balancing>
      <log_queries>1</log_queries>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks replace="replace"><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <rlaudit>
      <password>rlaudit-test</password>
      <networks replace="replace"><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </rlaudit>
  </users>
  <quotas>
    <default>
      <interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval>
    </default>
  </quotas>
</yandex>
EOF
}

pid_of() {
  local f="$dir/shard$1/server.pid"
  [[ -f "$f" ]] || return 1
  local pid
  pid="$(cat "$f")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() {
  # the HTTP interface answers "Ok." on / when the server is up
  # (bash's /dev/tcp: no curl needed)
  local out
  out="$(timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "GET / HTTP/1.0\r\n\r\n" >&3 && cat <&3' _ "$(http_port "$1")" 2>/dev/null || true)"
  [[ "$out" == *$'\r\n\r\nOk.'* ]]
}

start_shard() {
  local i=$1 d="$dir/shard$1"
  if pid_of "$i" >/dev/null; then return 0; fi
  write_config "$i"
  # the server must not inherit the lock (fd 9) of acquire, or it would hold it for its whole life
  nohup "$server" --config-file="$d/config.xml" >"$d/log/stdout.log" 2>&1 9>&- &
  echo $! >"$d/server.pid"
}

cmd_start() {
  if [[ ! -x "$server" ]]; then
    echo "clickhouse-server not found (apt-get install clickhouse-server)" >&2
    exit 1
  fi
  for i in "${shards[@]}"; do start_shard "$i"; done
  for _ in $(seq 1 300); do
    local up=0
    for i in "${shards[@]}"; do
      if answers "$i"; then up=$((up + 1)); elif ! pid_of "$i" >/dev/null; then
        echo "shard $i exited while starting; its log:" >&2
        tail -n 20 "$dir/shard$i/log/stdout.log" "$dir/shard$i/log/server.err.log" >&2 2>/dev/null || true
        exit 1
      fi
    done
    if [[ $up -eq ${#shards[@]} ]]; then
      cmd_status
      return 0
    fi
    sleep 0.2
  done
  echo "the cluster did not answer within 60 s" >&2
  exit 1
}

cmd_stop() {
  for i in "${shards[@]}"; do
    local pid
    if pid="$(pid_of "$i")"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$dir/shard$i/server.pid"
  done
  echo "stopped ($dir)"
}

cmd_status() {
  local ok=0
  for i in "${shards[@]}"; do
    local pid state
    pid="$(pid_of "$i" || true)"
    if answers "$i"; then state=up; ok=$((ok + 1)); elif [[ -n "$pid" ]]; then state=starting; else state=down; fi
    echo "shard $i: $state pid=${pid:--} http=127.0.0.1:$(http_port "$i") tcp=127.0.0.1:$(tcp_port "$i")"
  done
  echo "cluster $cluster; store URL: clickhouse://default@127.0.0.1:$(http_port 0)/rlaudit?cluster=$cluster"
  [[ $ok -eq ${#shards[@]} ]]
}

with_lock() {
  mkdir -p "$dir/users"
  exec 9>"$dir/.lock"
  flock 9
}

cmd_acquire() {
  local pid=$1
  with_lock
  if ! cmd_status >/dev/null 2>&1; then
    cmd_start >/dev/null
    touch "$dir/.started-by-tests"
  fi
  echo "$pid" >"$dir/users/$pid"
  cmd_status
}

cmd_release() {
  local pid=$1
  with_lock
  rm -f "$dir/users/$pid"
  local left=0 f
  for f in "$dir"/users/*; do
    [[ -e "$f" ]] || continue
    if kill -0 "$(basename "$f")" 2>/dev/null; then left=$((left + 1)); else rm -f "$f"; fi
  done
  if [[ $left -eq 0 && -e "$dir/.started-by-tests" ]]; then
    cmd_stop
    rm -f "$dir/.started-by-tests"
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  acquire) cmd_acquire "${2:?acquire needs the PID of the test process}" ;;
  release) cmd_release "${2:?release needs the PID of the test process}" ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  wipe) cmd_stop && rm -rf "$dir" ;;
  *)
    echo "usage: $0 start|stop|status|wipe|acquire PID|release PID" >&2
    exit 2
    ;;
esac
