#!/usr/bin/env bash
# Shared helpers for bin/stack and bin/lib/<server>.sh: repo paths, versions from the parent pom,
# pid files, readiness waits and log tails. Source it; it defines functions only.

# shellcheck disable=SC2034  # ROLLCAST_ROOT is used by the scripts that source this file
ROLLCAST_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Print an error and exit (default status 1).
rc_die() {
  echo "error: $1" >&2
  exit "${2:-1}"
}

# Exit status of start when a server's binaries or runtime jars are missing.
RC_NOT_INSTALLED=3

rc_not_installed() {
  rc_die "$1 -- run 'bin/stack install'" "$RC_NOT_INSTALLED"
}

# Value of a <property> from the parent pom (e.g. rc_pom_prop kafka.version).
rc_pom_prop() {
  local v
  v=$(sed -n "s:.*<$1>\([^<]*\)</$1>.*:\1:p" "$ROLLCAST_ROOT/pom.xml" | head -n 1)
  [[ -n $v ]] || rc_die "property $1 not found in $ROLLCAST_ROOT/pom.xml"
  echo "$v"
}

# Cache directory holding the Maven-assembled runtimes (kafka-<v>/libs, flink-<v>/lib).
rc_cache() {
  echo "${ROLLCAST_CACHE:-$HOME/.cache/rollcast}"
}

rc_java() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then echo "$JAVA_HOME/bin/java"; else echo java; fi
}

# Absolute path of a directory, creating it.
rc_abs_dir() {
  mkdir -p "$1" && (cd "$1" && pwd)
}

# True if PID is a live (non-zombie) process whose command line contains PATTERN.
rc_alive() {
  local pid=$1 pattern=$2 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z && $state != X ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# Print the pid recorded in PIDFILE if that process is alive and matches PATTERN.
rc_pid_of() {
  local pidfile=$1 pattern=$2 pid
  [[ -f $pidfile ]] || return 1
  pid=$(head -n 1 "$pidfile")
  rc_alive "$pid" "$pattern" || return 1
  echo "$pid"
}

# Stop the process recorded in PIDFILE: SIGNAL (default TERM), wait up to TIMEOUT s, then SIGKILL.
rc_stop_pid() {
  local pidfile=$1 pattern=$2 sig=${3:-TERM} timeout=${4:-30} pid i
  if pid=$(rc_pid_of "$pidfile" "$pattern"); then
    kill -s "$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
      rc_alive "$pid" "$pattern" || break
      sleep 0.1
    done
    if rc_alive "$pid" "$pattern"; then
      echo "warning: pid $pid did not stop after SIG$sig in ${timeout}s, sending SIGKILL" >&2
      kill -s KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        rc_alive "$pid" "$pattern" || break
        sleep 0.1
      done
    fi
    rc_alive "$pid" "$pattern" && rc_die "pid $pid is still alive"
  fi
  rm -f "$pidfile"
}

# True if something accepts TCP connections on 127.0.0.1:PORT.
rc_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Fail unless PORT is free on 127.0.0.1 (so we never mistake another server for ours).
rc_require_free_port() {
  if rc_port_open "$1"; then
    rc_die "port $1 on 127.0.0.1 is already in use (by another process)"
  fi
}

# Print the last lines of each existing log file given.
rc_log_tail() {
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    echo "----- tail of $f -----" >&2
    tail -n "${ROLLCAST_LOG_TAIL:-40}" "$f" >&2
  done
}

# Seconds since the epoch with milliseconds.
rc_now() {
  date +%s.%3N
}

# Elapsed seconds since START (from rc_now), two decimals.
rc_since() {
  awk -v s="$1" -v e="$(rc_now)" 'BEGIN { printf "%.2f", e - s }'
}

# Start timeout in seconds for all servers.
rc_start_timeout() {
  echo "${ROLLCAST_START_TIMEOUT:-120}"
}

# Write KEY=VALUE lines to DIR/ports.env; read back with rc_load_ports.
rc_save_ports() {
  local dir=$1
  shift
  printf '%s\n' "$@" >"$dir/ports.env"
}

rc_load_ports() {
  [[ -f $1/ports.env ]] || return 1
  # shellcheck disable=SC1091
  source "$1/ports.env"
}

# One status line: STATE ADDRESS PIDS (tab separated); exit 0 only for "running".
rc_status_line() {
  printf '%s\t%s\t%s\n' "$1" "$2" "${3:--}"
  [[ $1 == running ]]
}

# Status of a single-process server: rc_server_status PIDFILE PATTERN ADDRESS HEALTH_CMD [ARGS...]
# prints running (pid alive and HEALTH_CMD succeeds), unhealthy (alive, not answering) or stopped.
rc_server_status() {
  local pidfile=$1 pattern=$2 address=$3 pid
  shift 3
  if ! pid=$(rc_pid_of "$pidfile" "$pattern"); then
    rc_status_line stopped "$address"
  elif "$@"; then
    rc_status_line running "$address" "$pid"
  else
    rc_status_line unhealthy "$address" "$pid"
  fi
}

rc_usage_server() {
  echo "usage: $(basename "$0") start DIR [ports...] | stop DIR | status DIR" >&2
  exit 2
}
