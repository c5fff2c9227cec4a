#!/usr/bin/env bash
# Soak: N concurrent DCMTK storescu senders against one `remotedx serve` for M minutes, watching the process for leaks.
#   bench/soak/run.sh [SENDERS=16] [MINUTES=3] [WORKDIR=/var/tmp/rdx-soak]   (corpus kept, receiver data removed)
# Each sender loops `storescu` (one association per pass) over 50 CT 512x512 files until the time is up; before each
# pass fresh_uids.py gives the files new study, series and SOP Instance UIDs, so every C-STORE is a new instance.
# Every 5 s the script samples /proc/PID of the server: VmRSS, open fds, threads, and the pending scoring jobs from
# /metrics (remotedx_jobs{state="pending"}). After the senders stop it times the backlog drain (pending jobs to 0).
# Totals come from the server's own count of C-STORE responses by status (remotedx_cstore_responses_total).
# Writes WORKDIR/soak.csv and prints a summary table.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
senders=${1:-16}
minutes=${2:-3}
work=${3:-/var/tmp/rdx-soak}
py=/usr/bin/python3
interval=5
for tool in storescu curl; do command -v $tool >/dev/null || { echo "$tool missing: apt-get install dcmtk curl" >&2; exit 3; }; done
export TCP_NODELAY=1 # Debian's DCMTK leaves Nagle on otherwise (40 ms per message on loopback)

if [ "${NO_BUILD:-0}" != 1 ]; then dotnet build -c Release "$root/src/RemoteDx" -v q -nologo >/dev/null; fi
rdx="$root/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx"
mkdir -p "$work"
corpus="$work/corpus-v2" # v2: UIDs with the stem fresh_uids.py rewrites
if [ ! -f "$corpus/049.dcm" ]; then "$py" "$root/bench/soak/make_corpus.py" "$corpus" 50; fi

freeport() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
run="$work/run"; rm -rf "$run"; mkdir -p "$run/senders"
port=$(freeport); http="http://127.0.0.1:$(freeport)"
"$rdx" serve --data "$run/data" --dicom-port "$port" --http-url "$http" >"$run/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf "$http/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$http/healthz" >/dev/null || { echo "remotedx serve did not come up (see $run/serve.log)" >&2; exit 1; }

# metric NAME LABEL-FILTER: sum of the samples of one metric family whose labels match the filter (a regex)
metric() { curl -s "$http/metrics" | awk -v n="$1" -v f="$2" '$1 ~ "^"n"({|$)" && $1 ~ f { s += $2 } END { printf "%d", s }'; }
sample() { # t rss_mb fds threads pending
  local now=$1
  printf '%s,%s,%s,%s,%s\n' "$now" \
    "$(awk '/^VmRSS/{printf "%.1f", $2/1024}' /proc/$pid/status)" \
    "$(ls /proc/$pid/fd | wc -l)" \
    "$(awk '/^Threads/{print $2}' /proc/$pid/status)" \
    "$(metric remotedx_jobs 'state="pending"')"
}

csv="$work/soak.csv"
echo "seconds,rss_mb,open_fds,threads,pending_jobs" >"$csv"
t0=$(date +%s)
end=$((t0 + minutes * 60))
sender() { # one sender: storescu passes until the end time; counts passes and failed passes
  local i=$1 passes=0 failed=0 dir="$run/senders/$i"
  while [ "$(date +%s)" -lt "$end" ]; do
    # A new study of 50 new instances per pass (sender number and pass number in the UIDs).
    "$py" "$root/bench/soak/fresh_uids.py" "$corpus" "$dir" "$(printf '%03d%09d' "$i" $((passes + failed)))"
    # One calling AE for all senders (one clinic).
    if storescu -aet SOAK -aec REMOTEDX 127.0.0.1 "$port" "$dir"/*.dcm >>"$run/senders/$i.log" 2>&1; then
      passes=$((passes + 1))
    else
      failed=$((failed + 1))
    fi
  done
  echo "$passes $failed" >"$run/senders/$i.count"
}
spids=()
for ((i = 1; i <= senders; i++)); do sender "$i" & spids+=($!); done
sample 0 >>"$csv"
while [ "$(date +%s)" -lt "$end" ]; do
  sleep $interval
  sample $(($(date +%s) - t0)) >>"$csv"
done
for p in "${spids[@]}"; do wait "$p"; done
t_send=$(($(date +%s) - t0))
sample "$t_send" >>"$csv"

# Backlog drain: from the last sender's end to no pending scoring job (polled every second, 15 minutes at most).
drain_start=$(date +%s.%N)
drained=no
for _ in $(seq 1 900); do
  [ "$(metric remotedx_jobs 'state="pending"')" = 0 ] && { drained=yes; break; }
  sleep 1
done
drain=$(awk -v a="$drain_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
sample $(($(date +%s) - t0)) >>"$csv"

total=$(metric remotedx_cstore_responses_total '')
ok=$(metric remotedx_cstore_responses_total 'status="0000"')
passes=0; failed=0
for f in "$run"/senders/*.count; do read -r a b <"$f"; passes=$((passes + a)); failed=$((failed + b)); done
kill $pid; wait $pid 2>/dev/null || true
trap - EXIT
# Every C-STORE a new instance: the index holds as many instances as 0000 answers.
indexed=$("$py" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM instances").fetchone()[0])' "$run/data/remotedx.db")

col() { awk -F, -v c="$1" -v w="$2" 'NR>1 { v=$c+0; if (NR==2) { first=v; mn=v; mx=v } if (v<mn) mn=v; if (v>mx) mx=v; last=v }
  END { if (w=="range") printf "%s–%s", mn, mx; else printf "%s → %s", first, last }' "$csv"; }
echo "soak: $senders senders, ${minutes} min, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
printf "| measure | value |\n|---|---|\n"
printf "| RSS MB (min–max; first → last) | %s; %s |\n" "$(col 2 range)" "$(col 2 ends)"
printf "| open fds (min–max; first → last) | %s; %s |\n" "$(col 3 range)" "$(col 3 ends)"
printf "| threads (min–max; first → last) | %s; %s |\n" "$(col 4 range)" "$(col 4 ends)"
printf "| pending jobs (max) | %s |\n" "$(awk -F, 'NR>1 && $5+0>m {m=$5+0} END{print m+0}' "$csv")"
printf "| C-STORE responses (server count) | %s in %s s (%s/s) |\n" "$total" "$t_send" "$(awk -v n="$total" -v s="$t_send" 'BEGIN{printf "%.0f", n/s}')"
printf "| C-STOREs not 0000 | %s |\n" "$((total - ok))"
printf "| instances in the index (every 0000 a new instance) | %s |\n" "$indexed"
printf "| storescu passes ok / failed | %s / %s |\n" "$passes" "$failed"
printf "| backlog drain after the senders stop | %s s%s |\n" "$drain" "$([ $drained = yes ] || echo ' (not drained: gave up)')"
echo "samples: $csv"
