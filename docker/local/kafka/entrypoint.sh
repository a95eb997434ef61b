#!/bin/bash
# KAFKA_* environment -> server.properties (as apache/kafka does), format the log dir once, run the broker.
set -euo pipefail
PROPS=/opt/kafka/config/server.properties
{
  echo "log.dirs=/var/lib/kafka/data"
  while IFS='=' read -r name value; do
    [[ $name == KAFKA_* && $name != KAFKA_HEAP_OPTS && $name != KAFKA_OPTS ]] || continue
    key=${name#KAFKA_}
    key=${key,,}
    key=${key//___/-}
    key=${key//__/@}
    key=${key//_/.}
    key=${key//@/_}
    echo "$key=$value"
  done < <(env)
} >"$PROPS"
LOG4J=-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties
cat >/opt/kafka/config/log4j2.properties <<'P'
rootLogger.level = INFO
rootLogger.appenderRef.console.ref = Console
appender.console.name = Console
appender.console.type = Console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
P
if [[ ! -f /var/lib/kafka/data/meta.properties ]]; then
  java $LOG4J -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format --ignore-formatted \
    -t "${CLUSTER_ID:?CLUSTER_ID is required}" -c "$PROPS" --standalone 2>/dev/null ||
    java $LOG4J -cp '/opt/kafka/libs/*' kafka.tools.StorageTool format --ignore-formatted -t "$CLUSTER_ID" -c "$PROPS"
fi
# shellcheck disable=SC2086
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  $LOG4J ${KAFKA_OPTS:-} -cp '/opt/kafka/libs/*' kafka.Kafka "$PROPS"
