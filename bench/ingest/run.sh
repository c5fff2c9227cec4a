#!/usr/bin/env bash
# Ingest benchmark: how fast each receiver takes C-STOREs from DCMTK's storescu on loopback, beside the disk's own limit.
#   bench/ingest/run.sh [WORKDIR]      (default /var/tmp/rdx-ingest-bench; corpus kept, receiver data removed)
# Receivers, each started fresh for every run: RemoteDx (`remotedx serve`, Release; archive + SQLite on WORKDIR's disk)
# with RemoteDx:Archive:Durability=full (synced before every 0000) and =deferred (0000 once in the OS), DCMTK storescp
# (writes files, no fsync) and Orthanc (Debian defaults, storage in WORKDIR). Scenarios: (a) 40 DX 2048x2048 in one
# association, (b) 200 CT 512x512 in one association, (c) the CT set over 4 parallel associations. "disk" is
# disk_limit.py: write + fdatasync + folder fsync of the same file sizes in the same folder (1 or 4 writers).
# Runs are interleaved (round k: every scenario, every receiver), RUNS=2 rounds by default; the faster run is reported.
# Every receiver first takes an untimed warm-up association (WARMUP=50 CT of another study; WARMUP=0: none), so that
# the timed run measures a running service, not its first second (.NET compiles its hot code again, optimized, while
# the first instances arrive); storescp and Orthanc get the same warm-up. Run folders are deleted only at the end: on
# this VM's ext4 (no journal) freshly deleted inodes make the next file creations scan them (kernel recently_deleted),
# which slowed whichever receiver ran next.
# RECEIVERS="full deferred" SCENARIOS="b" for a quick A/B (the table then has only the columns that ran).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/var/tmp/rdx-ingest-bench}
py=/usr/bin/python3
runs=${RUNS:-2}
for tool in storescu storescp; do command -v $tool >/dev/null || { echo "$tool missing: apt-get install dcmtk" >&2; exit 3; }; done
[ -x /usr/sbin/Orthanc ] || { echo "Orthanc missing: apt-get install orthanc" >&2; exit 3; }
command -v curl >/dev/null || { echo "curl missing: apt-get install curl" >&2; exit 3; }
export TCP_NODELAY=1 # Debian's DCMTK leaves Nagle on otherwise (40 ms per message on loopback)

if [ "${NO_BUILD:-0}" != 1 ]; then dotnet build -c Release "$root/src/RemoteDx" -v q -nologo >/dev/null; fi
rdx="$root/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx"
mkdir -p "$work"
if [ ! -f "$work/corpus/ct/199.dcm" ] || [ ! -f "$work/corpus/warm/049.dcm" ]; then "$py" "$root/bench/ingest/make_corpus.py" "$work/corpus"; fi
dx=("$work"/corpus/dx/*.dcm); ct=("$work"/corpus/ct/*.dcm)
warmup=${WARMUP:-50}
warm=("$work"/corpus/warm/*.dcm); warm=("${warm[@]:0:$warmup}")

freeport() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
wait_http() { for _ in $(seq 1 300); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1" >&2; return 1; }

pid=""; port=""; aet=""; rundir=""; count_cmd=""
start_rdx() {
  local http; port=$(freeport); http=$(freeport); aet=REMOTEDX
  RemoteDx__Archive__Durability=$1 "$rdx" serve --data "$rundir/data" --dicom-port "$port" --http-url "http://127.0.0.1:$http" >"$rundir/log" 2>&1 &
  pid=$!
  wait_http "http://127.0.0.1:$http/healthz"
  count_cmd="find $rundir/data/archive -name '*.dcm' | wc -l"
}
start_full() { start_rdx full; }
start_deferred() { start_rdx deferred; }
start_storescp() {
  port=$(freeport); aet=STORESCP; mkdir -p "$rundir/out"
  # --fork: one process per association, so parallel associations are served in parallel.
  storescp --fork -od "$rundir/out" +xa -aet STORESCP "$port" >"$rundir/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
  count_cmd="find $rundir/out -type f | wc -l"
}
start_orthanc() {
  local http; port=$(freeport); http=$(freeport); aet=ORTHANC; mkdir -p "$rundir/storage"
  cat >"$rundir/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$rundir/storage", "IndexDirectory": "$rundir/storage",
  "HttpPort": $http, "DicomPort": $port, "DicomAet": "ORTHANC", "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DicomCheckCalledAet": false, "Plugins": [], "SaveJobs": false }
JSON
  /usr/sbin/Orthanc "$rundir/orthanc.json" >"$rundir/log" 2>&1 &
  pid=$!
  wait_http "http://127.0.0.1:$http/system"
  count_cmd="curl -s http://127.0.0.1:$http/statistics | $py -c 'import json,sys; print(json.load(sys.stdin)[\"CountInstances\"])'"
}

# send PARALLEL FILES...: storescu processes, each with its share of the files; prints seconds
send() {
  local parallel=$1; shift
  local files=("$@") n=$# pids=() t0 t1 i
  t0=$(now)
  for ((i = 0; i < parallel; i++)); do
    local share=("${files[@]:$((i * n / parallel)):$(((i + 1) * n / parallel - i * n / parallel))}")
    storescu -aet BENCH -aec "$aet" 127.0.0.1 "$port" "${share[@]}" >>"$rundir/send.log" 2>&1 &
    pids+=($!)
  done
  local rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
  t1=$(now)
  [ $rc = 0 ] || { echo "storescu failed (see $rundir/send.log)" >&2; return 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}'
}

declare -A best rss
read -r -a receivers <<<"${RECEIVERS:-full deferred storescp orthanc disk}"
read -r -a scenarios <<<"${SCENARIOS:-a b c}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs" >&2
loadstart=$(cut -d' ' -f1 /proc/loadavg)
for ((k = 1; k <= runs; k++)); do
  for s in "${scenarios[@]}"; do
    for r in "${receivers[@]}"; do
      rundir="$work/runs/$r-$s-$k"; rm -rf "$rundir"; mkdir -p "$rundir"
      case $s in
        a) set_files=("${dx[@]}"); par=1 ;;
        b) set_files=("${ct[@]}"); par=1 ;;
        c) set_files=("${ct[@]}"); par=4 ;;
      esac
      sync
      if [ "$r" = disk ]; then
        secs=$("$py" "$root/bench/ingest/disk_limit.py" "$rundir/files" "$par" "${set_files[@]}")
      else
        "start_$r"
        if [ ${#warm[@]} -gt 0 ]; then send 1 "${warm[@]}" >/dev/null; fi
        secs=$(send "$par" "${set_files[@]}")
        got=$(( $(eval "$count_cmd") - ${#warm[@]} ))
        if [ "$r" = full ] || [ "$r" = deferred ]; then
          hwm=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
          if [ -z "${rss[$r$s]:-}" ] || [ "$hwm" -gt "${rss[$r$s]}" ]; then rss[$r$s]=$hwm; fi
        fi
        kill "$pid"; wait "$pid" 2>/dev/null || true
        [ "$got" = "${#set_files[@]}" ] || { echo "$r/$s run $k: receiver holds $got of ${#set_files[@]} instances" >&2; exit 1; }
      fi
      echo "$r $s run $k: ${secs}s" >&2
      if [ -z "${best[$r$s]:-}" ] || awk -v a="$secs" -v b="${best[$r$s]}" 'BEGIN{exit !(a<b)}'; then best[$r$s]=$secs; fi
    done
  done
done
rm -rf "$work/runs"
loadend=$(cut -d' ' -f1 /proc/loadavg)

bytes() { du -cb "$@" | tail -1 | cut -f1; }
declare -A nfiles nbytes
nfiles[a]=${#dx[@]}; nbytes[a]=$(bytes "${dx[@]}")
nfiles[b]=${#ct[@]}; nbytes[b]=$(bytes "${ct[@]}")
nfiles[c]=${#ct[@]}; nbytes[c]=${nbytes[b]}
name() { case $1 in a) echo "(a) 40 DX 2048², 1 assoc" ;; b) echo "(b) 200 CT 512², 1 assoc" ;; c) echo "(c) 200 CT 512², 4 assoc" ;; esac; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN{printf "%.1f", n/s}'; }
mbs() { awk -v n="$1" -v s="$2" 'BEGIN{printf "%.0f", n/1048576/s}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b/a}'; }

echo "load average (1 min) at start $loadstart, at end $loadend; $(nproc) CPUs; best of $runs interleaved rounds; warm-up ${#warm[@]} instances"
col() { case $1 in full) echo "full";; deferred) echo "deferred";; storescp) echo "storescp";; orthanc) echo "Orthanc";; disk) echo "disk write+fsync limit";; esac; }
has() { [[ " ${receivers[*]} " == *" $1 "* ]]; }
header="| scenario |"; sep="|---|"
for r in "${receivers[@]}"; do header+=" $(col $r) img/s (MB/s) |"; sep+="---|"; done
pairs=()
has full && has storescp && pairs+=("full storescp")
has deferred && has storescp && pairs+=("deferred storescp")
has full && has orthanc && pairs+=("full orthanc")
has deferred && has orthanc && pairs+=("deferred orthanc")
has full && has disk && pairs+=("full disk")
has full && has deferred && pairs+=("deferred full")
for p in "${pairs[@]}"; do set -- $p; header+=" $1/$2 |"; sep+="---|"; done
has full && { header+=" peak RSS full |"; sep+="---|"; }
has deferred && { header+=" peak RSS deferred |"; sep+="---|"; }
echo "$header"; echo "$sep"
for s in "${scenarios[@]}"; do
  row="| $(name $s) |"
  for r in "${receivers[@]}"; do
    t=${best[$r$s]}; row+=" $(rate ${nfiles[$s]} $t) ($(mbs ${nbytes[$s]} $t)) |"
  done
  for p in "${pairs[@]}"; do set -- $p; row+=" $(ratio ${best[$1$s]} ${best[$2$s]}) |"; done
  has full && row+=" $((rss[full$s] / 1024)) MB |"
  has deferred && row+=" $((rss[deferred$s] / 1024)) MB |"
  echo "$row"
done
