#!/bin/bash
# As in the official image: the broker's API versions (the compose health check runs it).
exec java -Xshare:auto -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
  -cp '/opt/kafka/libs/*' org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
