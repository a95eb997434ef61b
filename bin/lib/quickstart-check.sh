#!/usr/bin/env bash
# The README's quick start as a new user runs it, checked end to end (called by .ci/run after the
# tests; it needs the Maven lock free, as bin/rollcast builds): `bin/rollcast run` prints the
# dashboard URL, the dashboard answers, window rows of the sample traffic reach the fan-out's
# snapshot; then `bin/rollcast down` leaves no process behind (fan-out, generator, Flink, Kafka,
# Postgres, ClickHouse, Redis: nothing whose command line or working directory is in this checkout)
# and frees the fan-out's port, so a second run could start.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
PORT=${ROLLCAST_FANOUT_PORT:-8080}
LOG=$(mktemp -t rollcast-quickstart.XXXXXX)
t0=$(date +%s)

# pids whose command line names a path in ROOT or whose working directory is in ROOT/.stack
# (this script and its own short-lived children excepted)
ours() {
  local p cmd
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    cmd=$({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null || true)
    [[ $cmd == *quickstart-check.sh* ]] && continue
    if [[ $cmd == *"$ROOT/"* || $(readlink "/proc/$p/cwd" 2>/dev/null || true) == "$ROOT/.stack"* ]]; then
      echo "$p"
    fi
  done | sort
}

fail() {
  echo "quickstart: FAILED: $1" >&2
  echo "--- bin/rollcast run output:" >&2
  tail -n 40 "$LOG" >&2 || true
  "$ROOT/bin/rollcast" down >/dev/null 2>&1 || true
  exit 1
}

before=$(ours)
setsid "$ROOT/bin/rollcast" run >"$LOG" 2>&1 &
run=$!
url=
for _ in $(seq 1 600); do
  url=$(sed -n 's/^ *dashboard: *\(http[^ ]*\).*/\1/p' "$LOG" | head -n 1)
  [[ -n $url ]] && break
  kill -0 "$run" 2>/dev/null || fail "bin/rollcast run exited before printing the dashboard URL"
  sleep 1
done
[[ -n $url ]] || fail "no dashboard URL after 10 minutes"
echo "quickstart: dashboard URL printed after $(($(date +%s) - t0)) s: ${url%%\?*}?access_token=..."
token=${url#*access_token=}
curl -sf "$url" | grep -q '<title>Rollcast' || fail "the dashboard page did not load"
rows=0
for _ in $(seq 1 90); do
  rows=$(curl -sf "http://127.0.0.1:$PORT/v1/snapshot?spec=tumbling-1m&access_token=$token" | jq '.rows | length' 2>/dev/null || echo 0)
  (( rows > 0 )) && break
  sleep 2
done
(( rows > 0 )) || fail "no window rows in the fan-out's snapshot after 3 minutes of sample traffic"
echo "quickstart: $rows window rows of tenant-0000 in the snapshot after $(($(date +%s) - t0)) s"

# the check below must see the processes it checks for: fan-out, generator, Flink JM + TM, Kafka,
# Postgres, ClickHouse, Redis (some run more than one process)
running=$(comm -13 <(echo "$before") <(ours) | wc -l)
(( running >= 8 )) || fail "only $running processes of this checkout found while running (expected >= 8)"
echo "quickstart: $running processes of this checkout running"
"$ROOT/bin/rollcast" down >>"$LOG" 2>&1 || fail "bin/rollcast down failed"
for _ in $(seq 1 30); do kill -0 "$run" 2>/dev/null || break; sleep 1; done
kill -0 "$run" 2>/dev/null && fail "bin/rollcast run still running 30 s after down"
left=
for _ in $(seq 1 15); do
  left=$(comm -13 <(echo "$before") <(ours) | tr '\n' ' ')
  [[ -z ${left// /} ]] && break
  sleep 1
done
if [[ -n ${left// /} ]]; then
  for p in $left; do echo "left running: $p $({ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | cut -c1-200)" >&2; done
  fail "processes left after bin/rollcast down"
fi
curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && fail "port $PORT still answers after down"
rm -f "$LOG"
echo "quickstart: run, dashboard, rows and a clean down in $(($(date +%s) - t0)) s"
