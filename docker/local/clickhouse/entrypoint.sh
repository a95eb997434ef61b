#!/bin/bash
set -euo pipefail
D=/var/lib/clickhouse
C=/etc/clickhouse-server/run
: "${CLICKHOUSE_USER:=default}" "${CLICKHOUSE_PASSWORD:=}" "${CLICKHOUSE_DB:=}"
mkdir -p "$D/data" "$D/tmp" "$D/user_files"
# Root element <yandex>: 18.16 predates <clickhouse>.
cat >"$C/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>0.0.0.0</listen_host>
  <http_port>8123</http_port>
  <tcp_port>9000</tcp_port>
  <max_connections>256</max_connections>
  <max_concurrent_queries>50</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>$D/</path>
  <tmp_path>$D/tmp/</tmp_path>
  <user_files_path>$D/user_files/</user_files_path>
  <users_config>$C/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
</yandex>
XML
cat >"$C/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><$CLICKHOUSE_USER><password>$CLICKHOUSE_PASSWORD</password><networks><ip>::/0</ip></networks><profile>default</profile><quota>default</quota></$CLICKHOUSE_USER></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
clickhouse-server --config-file="$C/config.xml" &
pid=$!
trap 'kill -TERM $pid' TERM INT
if [[ -n $CLICKHOUSE_DB ]]; then
  for _ in $(seq 1 120); do
    clickhouse-client --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" \
      --query "CREATE DATABASE IF NOT EXISTS $CLICKHOUSE_DB" 2>/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.5
  done
fi
wait $pid || true
wait $pid || true
