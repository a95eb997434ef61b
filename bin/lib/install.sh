#!/usr/bin/env bash
# Installs what the local stack needs, and only what is missing: Debian packages (apt-get) and the
# Kafka broker / Flink cluster classpaths (Maven Central, via bin/runtime/*/pom.xml) in the cache.
# Usage: install.sh            (called by `bin/stack install` and `bin/stack up`)
set -euo pipefail
# shellcheck source=bin/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PACKAGES=(postgresql clickhouse-server clickhouse-client redis-server kcat jq curl
  chromium chromium-driver fonts-dejavu-core docker.io docker-compose mmdebstrap)
MVN_LOCK=${ROLLCAST_MVN_LOCK:-/tmp/rollcast-mvn.lock}

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_packages() {
  local missing=() p
  command -v java >/dev/null || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v flock >/dev/null || missing+=(util-linux)
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "apt: all ${#PACKAGES[@]} packages present"
    return
  fi
  echo "apt: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

# Runtime NAME (kafka|flink|image-extras) into $(rc_cache)/NAME-VERSION/SUBDIR unless its marker says it is
# complete. VERSION is NAME.version of the parent pom, or $RUNTIME_VERSION.
install_runtime() {
  local name=$1 subdir=$2 version home pom stamp tmp
  shift 2
  version=${RUNTIME_VERSION:-$(rc_pom_prop "$name.version")}
  home="$(rc_cache)/$name-$version"
  pom="$ROLLCAST_ROOT/bin/runtime/$name/pom.xml"
  # The marker records what was copied: a changed runtime pom or log4j/slf4j version redoes it.
  stamp="$(sha256sum "$pom" | cut -d' ' -f1) $version log4j=$(rc_pom_prop log4j.version) slf4j=$(rc_pom_prop slf4j.version)"
  if [[ -f $home/.complete && $(cat "$home/.complete") == "$stamp" && -d $home/$subdir ]]; then
    echo "$name: $home/$subdir is complete ($(find "$home/$subdir" -name '*.jar' | wc -l) jars)"
    return
  fi
  echo "$name: copying runtime jars into $home/$subdir"
  mkdir -p "$home"
  tmp="$home/.$subdir.tmp.$$"
  rm -rf "$tmp"
  # Only one Maven build at a time on this machine: share the project's lock.
  flock "$MVN_LOCK" mvn -B -q -f "$pom" dependency:copy-dependencies -Dstyle.color=never \
    -DincludeScope=runtime -DoutputDirectory="$tmp" -Dmdep.overWriteReleases=true
  local jar
  for jar in "$@"; do
    compgen -G "$tmp/$jar" >/dev/null || { rm -rf "$tmp"; rc_die "$name: $jar missing after copy-dependencies"; }
  done
  rm -rf "${home:?}/$subdir" "$home/.complete"
  mv "$tmp" "$home/$subdir"
  echo "$stamp" >"$home/.complete"
  echo "$name: $(find "$home/$subdir" -name '*.jar' | wc -l) jars, $(du -sh "$home/$subdir" | cut -f1)"
}

start=$(rc_now)
install_packages
kv=$(rc_pom_prop kafka.version)
fv=$(rc_pom_prop flink.version)
install_runtime kafka libs "kafka_2.13-$kv.jar" "kafka-clients-$kv.jar" 'log4j-core-*.jar' 'log4j-slf4j-impl-*.jar'
install_runtime flink lib "flink-runtime-$fv.jar" "flink-clients-$fv.jar" "flink-streaming-java-$fv.jar" \
  "flink-runtime-web-$fv.jar" "flink-statebackend-rocksdb-$fv.jar" 'frocksdbjni-*.jar' "flink-connector-base-$fv.jar" \
  'log4j-slf4j-impl-*.jar' 'log4j-core-*.jar' 'log4j-api-*.jar' 'log4j-1.2-api-*.jar'
# the Prometheus metrics reporter, as a plugin (FLINK_PLUGINS_DIR of bin/lib/flink.sh; the local Flink base image)
RUNTIME_VERSION="$fv" install_runtime flink-plugins metrics-prometheus "flink-metrics-prometheus-$fv.jar"
# only for the registry-free container bases (docker/local/base.sh); its own cache directory
RUNTIME_VERSION="$fv-$kv" install_runtime image-extras lib "flink-container-$fv.jar" "kafka-tools-$kv.jar"
echo "done in $(rc_since "$start")s"
