#!/usr/bin/env bash
# Local base images for machines without a registry (CI here): everything FROM a Debian root
# filesystem made with mmdebstrap from Debian's packages and loaded with `docker import`, plus the
# Flink and Kafka runtimes that bin/stack install assembles from Maven Central. Stand-ins, under
# rollcast-local/*, for the registry images docker/compose.yaml names by default:
#   rollcast-local/debian:HASH      Debian bookworm minbase, OpenJDK 17 JRE, Postgres 15, Redis, ClickHouse, curl
#   rollcast-local/flink:VERSION    Flink's lib/ (+ flink-container), plugins/metrics-prometheus and an entrypoint
#                                   like the official image's
#   rollcast-local/kafka:VERSION    a KRaft broker configured from KAFKA_* like apache/kafka:VERSION
#   rollcast-local/postgres:15      POSTGRES_DB/USER/PASSWORD like postgres:15
#   rollcast-local/redis:7          like redis:7.4 (Debian's 7.0)
#   rollcast-local/clickhouse:18    CLICKHOUSE_DB/USER/PASSWORD like clickhouse/clickhouse-server (Debian's 18.16)
#   rollcast-local/jre:17           the JRE alone (for the fan-out image, instead of eclipse-temurin:17-jre)
# The Debian image is the slow part (downloads ~150 MB of packages); it is tagged by a hash of its recipe
# (this script's package list and hooks), so a machine builds it once and every later run finds it
# in the engine's data root. The small images on top are rebuilt by `docker build`'s own cache.
# Usage: base.sh            (needs DOCKER_HOST of docker/local/engine.sh; prints the image names)
# Env: ROLLCAST_CACHE (runtime jars, default ~/.cache/rollcast), ROLLCAST_DEBIAN_SUITE (bookworm)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=bin/lib/common.sh
source "$ROOT/bin/lib/common.sh"
SUITE=${ROLLCAST_DEBIAN_SUITE:-bookworm}
PACKAGES=openjdk-17-jre-headless,curl,ca-certificates,postgresql-15,redis-server,clickhouse-server,clickhouse-client,tini

docker_cli() {
  if [[ -x /usr/bin/docker ]]; then /usr/bin/docker "$@"; else docker "$@"; fi
}

# --- the Debian root filesystem, cached by the hash of its recipe ---------------------------------
recipe_hash() {
  { echo "$SUITE $PACKAGES"; sed -n '/^debian_image()/,/^}/p' "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-12
}

debian_image() {
  local tag tmp t0
  tag=rollcast-local/debian:$(recipe_hash)
  if docker_cli image inspect "$tag" >/dev/null 2>&1; then
    echo "$tag" >&2
    DEBIAN_IMAGE=$tag
    return
  fi
  command -v mmdebstrap >/dev/null || rc_die "mmdebstrap missing: run bin/stack install"
  t0=$(rc_now)
  tmp=$(mktemp -d /var/tmp/rollcast-rootfs.XXXXXX)
  # minbase + the packages; no docs, man pages (removed at the end: the JRE's update-alternatives
  # needs their directories while it installs) or apt lists in the image; no services started at
  # install time (policy-rc.d), and Postgres' packaged cluster is not created (the image makes its own).
  mmdebstrap --quiet --variant=minbase --include="$PACKAGES" \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --essential-hook='mkdir -p "$1/etc/postgresql-common" && echo "create_main_cluster = false" >"$1/etc/postgresql-common/createcluster.conf"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log "$1"/usr/share/man/*' \
    "$SUITE" "$tmp/rootfs.tar" >&2
  docker_cli import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
    --change 'CMD ["bash"]' \
    "$tmp/rootfs.tar" "$tag" >/dev/null
  rm -rf "$tmp"
  echo "$tag built in $(rc_since "$t0")s" >&2
  DEBIAN_IMAGE=$tag
}

# --- the images on top: docker build with a tar stream as context ---------------------------------
# build NAME TAG [DIR-IN-CACHE...]: docker/local/NAME/* plus the named cache directories.
build() {
  local name=$1 tag=$2 t0
  shift 2
  t0=$(rc_now)
  local args=(-C "$HERE/$name" .)
  local d
  for d in "$@"; do args+=(-C "$(dirname "$d")" "$(basename "$d")"); done
  tar -c "${args[@]}" | docker_cli build -q --build-arg "BASE=$DEBIAN_IMAGE" -t "$tag" - >/dev/null
  echo "$tag ($(rc_since "$t0")s)" >&2
}

# stage DIR NAME SRC EXTRAS: DIR/NAME = the jars of SRC plus those of EXTRAS whose artifact (the file
# name up to the version) SRC lacks; hard links where possible.
stage() {
  local out=$1/$2 jar base
  mkdir -p "$out"
  cp -al "$3"/*.jar "$out"/ 2>/dev/null || cp "$3"/*.jar "$out"/
  for jar in "$4"/*.jar; do
    base=$(basename "$jar" | sed -E 's/-[0-9].*$//')
    compgen -G "$out/$base-[0-9]*.jar" >/dev/null || cp "$jar" "$out"/
  done
}

start=$(rc_now)
debian_image
fv=$(rc_pom_prop flink.version)
kv=$(rc_pom_prop kafka.version)
flink_lib="$(rc_cache)/flink-$fv/lib"
kafka_libs="$(rc_cache)/kafka-$kv/libs"
extras="$(rc_cache)/image-extras-$fv-$kv/lib"
flink_plugins="$(rc_cache)/flink-plugins-$fv"
[[ -d $flink_lib && -d $kafka_libs && -d $extras && -d $flink_plugins/metrics-prometheus ]] || rc_die "Flink/Kafka runtimes missing in $(rc_cache): run bin/stack install"
ctx=$(mktemp -d /var/tmp/rollcast-base-ctx.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/flink" "$ctx/kafka" "$ctx/flink-extras"
cp "$extras"/flink-container-*.jar "$ctx/flink-extras"/
stage "$ctx/flink" lib "$flink_lib" "$ctx/flink-extras"
mkdir -p "$ctx/flink/plugins"
cp -r "$flink_plugins/metrics-prometheus" "$ctx/flink/plugins/"
stage "$ctx/kafka" libs "$kafka_libs" "$extras"
build jre rollcast-local/jre:17
build flink "rollcast-local/flink:$fv-java17" "$ctx/flink/lib" "$ctx/flink/plugins"
build kafka "rollcast-local/kafka:$kv" "$ctx/kafka/libs"
build postgres rollcast-local/postgres:15
build redis rollcast-local/redis:7
build clickhouse rollcast-local/clickhouse:18
echo "base images ready in $(rc_since "$start")s" >&2
