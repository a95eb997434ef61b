#!/bin/bash
# Entrypoint of rollcast-local/flink: the official image's commands without its bin/ scripts
# (flink-dist is not on Maven Central). FLINK_PROPERTIES lines override conf/config.yaml keys;
# the JVM memory flags come from Flink's own BashJavaUtils, as jobmanager.sh/taskmanager.sh do.
#   standalone-job [--job-classname C] [-- ARGS...]   application mode: the job jar in /opt/flink/usrlib
#   jobmanager                                       session cluster JobManager
#   taskmanager                                      TaskManager
#   anything else                                    exec'd as is (java ..., bash)
set -euo pipefail
CONF=$FLINK_CONF_DIR

# config.yaml = image defaults, then FLINK_PROPERTIES, one "key: value" per line (later keys win).
merge_config() {
  local -A value=()
  local -a order=()
  local line key
  while IFS= read -r line; do
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    key=${line%%:*}
    key=${key//[[:space:]]/}
    [[ -v "value[$key]" ]] || order+=("$key")
    value[$key]=${line#*:}
    value[$key]=${value[$key]# }
  done < <(cat /opt/flink/conf/config.yaml; printf '\n%s\n' "${FLINK_PROPERTIES:-}")
  mkdir -p /tmp/flink-conf
  cp /opt/flink/conf/log4j-console.properties /tmp/flink-conf/
  for key in "${order[@]}"; do printf '%s: %s\n' "$key" "${value[$key]}"; done >/tmp/flink-conf/config.yaml
  CONF=/tmp/flink-conf
}

# "-Xmx.. -Xms.." (line 1) and "-D key=value ..." (line 2) for JM or TM, from BashJavaUtils.
resource_params() {
  local out
  out=$(java -Xshare:auto -Dlog4j2.configurationFile=none -cp "$FLINK_LIB_DIR/*" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "GET_$1_RESOURCE_PARAMS" --configDir "$CONF" 2>&1) ||
    { echo "$out" >&2; exit 1; }
  sed -n 's/^BASH_JAVA_UTILS_EXEC_RESULT://p' <<<"$out" | tail -n 2
}

run() { # KIND MAIN ARGS...
  local kind=$1 main=$2 params jvm dyn opts
  shift 2
  params=$(resource_params "$kind")
  jvm=$(sed -n 1p <<<"$params")
  dyn=$(sed -n 2p <<<"$params")
  opts=$(sed -n 's/^env\.java\.opts\.all: //p' "$CONF/config.yaml")
  # shellcheck disable=SC2086  # word lists
  exec java $jvm $opts -Dlog.file=/opt/flink/log/$kind.log -Dlog4j.configurationFile="file:$CONF/log4j-console.properties" \
    -cp "$FLINK_LIB_DIR/*" "$main" --configDir "$CONF" $dyn "$@"
}

case ${1:-help} in
  standalone-job)
    shift
    merge_config
    run JM org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint "$@"
    ;;
  jobmanager)
    shift
    merge_config
    run JM org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$@"
    ;;
  taskmanager)
    shift
    merge_config
    run TM org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$@"
    ;;
  help)
    sed -n '2,9p' "$0"
    ;;
  *) exec "$@" ;;
esac
