#!/bin/bash
# Health check of the Rollcast images, with bash alone (no curl in every base image):
#   healthcheck.sh http PORT PATH   healthy when GET http://127.0.0.1:PORT/PATH answers 2xx
#   healthcheck.sh flink            JobManager (application or session mode): GET /overview on rest.port
#                                   (8081) answers 2xx; TaskManager: its RPC port (6122) is listening
set -uo pipefail

http_ok() { # PORT PATH
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3
  IFS=' ' read -r -t 3 _ status _ <&3 || return 1
  exec 3<&-
  [[ $status == 2?? ]]
}

listening() { # PORT: a socket in LISTEN state (0A) on the port, IPv4 or IPv6
  local hex
  hex=$(printf ':%04X ' "$1")
  grep -q "$hex[0-9A-F:]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

case ${1:-} in
  http) http_ok "$2" "$3" ;;
  flink)
    cmd=$(tr '\0' ' ' </proc/1/cmdline)
    case $cmd in
      *TaskManagerRunner*) listening 6122 ;;
      *ClusterEntrypoint* | *ClusterEntryPoint*) http_ok 8081 /overview ;;
      *) echo "not a Flink JobManager or TaskManager: $cmd" >&2; exit 1 ;;
    esac
    ;;
  *) echo "usage: healthcheck.sh http PORT PATH | flink" >&2; exit 2 ;;
esac
