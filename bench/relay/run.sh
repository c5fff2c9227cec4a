#!/usr/bin/env bash
# Relay benchmark: ten ~10 MB radiographs over a ~1 Mbit/s link with a 60 s outage in the middle of a transfer.
#   sudo bench/relay/run.sh [WORKDIR]        (default /var/tmp/rdx-relay-bench)
# Scenarios, each in a network namespace of its own (its own loopback, MTU 1500) and run side by side, since each
# link is its own: storescu -> `remotedx relay` -> `remotedx serve` with --compress none, jpeg-ls and j2k; and plain
# storescu straight to the hub. The link is nftables inside the namespace, on the hub's port only: `limit rate over
# 128 kbytes/second drop`, a counter of the bytes that pass (IP packets, headers included), and for OUTAGE seconds
# every packet to or from the port dropped, starting once the hub holds a third of the instances. Nothing outside the namespaces
# is touched. Results: WORKDIR/<scenario>/result.txt and a summary on stdout.
# Env: COUNT (10), SIZE (2240 px square, 16-bit: 10 MB), RATE_KB (128), OUTAGE (60), SCENARIOS ("none jpeg-ls j2k direct"),
#      RDX (a built remotedx apphost; default: build Release).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/var/tmp/rdx-relay-bench}
count=${COUNT:-10}; size=${SIZE:-2240}; rate=${RATE_KB:-128}; outage=${OUTAGE:-60}
scenarios=${SCENARIOS:-none jpeg-ls j2k direct}
py=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "needs root (ip netns, nft)" >&2; exit 3; }
for tool in storescu dcmdjpls gdcmconv ip nft curl; do command -v $tool >/dev/null || { echo "$tool missing (dcmtk, libgdcm-tools, iproute2, nftables, curl)" >&2; exit 3; }; done
"$py" -c 'import pydicom' 2>/dev/null || { echo "pydicom missing: apt-get install python3-pydicom" >&2; exit 3; }
export TCP_NODELAY=1
if [ -z "${RDX:-}" ]; then dotnet build -c Release "$root/src/RemoteDx" -v q -nologo >/dev/null; RDX="$root/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx"; fi
mkdir -p "$work"
corpus="$work/corpus-$count-$size"
if [ ! -f "$corpus/done" ]; then
  rm -rf "$corpus"; "$RDX" phantoms --count "$count" --size "$size" --encoding native --out "$corpus" >/dev/null; touch "$corpus/done"
fi
mapfile -t files < <(find "$corpus" -name '*.dcm' | sort)
raw_bytes=$(cat "${files[@]}" | wc -c)
# The hub also archives what it writes itself (results SR, heatmaps): only the corpus's SOP Instance UIDs count.
mapfile -t sops < <("$py" -c 'import pydicom,sys
for f in sys.argv[1:]: print(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID)' "${files[@]}")

now() { date +%s.%N; }
hub_count() { local n=0 s; for s in "${sops[@]}"; do [ -n "$(find "$1/hub/archive" -name "$s.dcm" 2>/dev/null)" ] && n=$((n + 1)); done; echo $n; }

run_one() { # scenario
  local sc=$1 d="$work/$1" ns="rdxbench_$1_$$"
  rm -rf "$d"; mkdir -p "$d"
  ip netns add "$ns"; trap "ip netns pids $ns 2>/dev/null | xargs -r kill 2>/dev/null; sleep 1; ip netns del $ns 2>/dev/null" RETURN
  ip -n "$ns" link set lo mtu 1500 up
  local x="ip netns exec $ns"
  $x "$RDX" serve --data "$d/hub" --dicom-port 11112 --http-url http://127.0.0.1:8080 >"$d/hub.log" 2>&1 &
  for _ in $(seq 1 300); do $x curl -sf http://127.0.0.1:8080/healthz >/dev/null 2>&1 && break; sleep 0.2; done
  $x nft add table inet link
  $x nft add chain inet link out '{ type filter hook output priority 0 ; }'
  $x nft add rule inet link out tcp dport 11112 limit rate over "$rate" kbytes/second drop
  $x nft add rule inet link out tcp dport 11112 counter
  local t0; t0=$(now)
  local sender
  if [ "$sc" = direct ]; then
    $x storescu -aet CLINIC1 -aec REMOTEDX 127.0.0.1 11112 "${files[@]}" >"$d/storescu.log" 2>&1 &
    sender=$!
  else
    $x "$RDX" relay --data "$d/relay" --dicom-port 11113 --aet CLINIC1 --hub 127.0.0.1 11112 --compress "$sc" >"$d/relay.log" 2>&1 &
    sleep 3
    # The modality's side is the namespace's loopback on another port: not limited.
    $x storescu -aet MODALITY -aec CLINIC1 127.0.0.1 11113 "${files[@]}" >"$d/storescu.log" 2>&1 &
    sender=$!
  fi
  local first=$(( count / 3 > 0 ? count / 3 : 1 ))
  while [ "$(hub_count "$d")" -lt "$first" ]; do sleep 0.5; if [ "$sc" = direct ] && ! kill -0 $sender 2>/dev/null; then break; fi; done
  local o0; o0=$(now)
  $x nft add table inet outage
  $x nft add chain inet outage out '{ type filter hook output priority -10 ; }'
  $x nft add rule inet outage out tcp dport 11112 drop
  $x nft add rule inet outage out tcp sport 11112 drop
  sleep "$outage"
  $x nft delete table inet outage
  echo "outage $(echo "$(now) - $o0" | bc) s from $(echo "$o0 - $t0" | bc) s" >"$d/outage.txt"
  local storescu_rc=0
  wait $sender || storescu_rc=$?
  if [ "$sc" != direct ]; then
    # Delivered: every file at the hub and the relay's queue empty.
    for _ in $(seq 1 7200); do
      [ "$(hub_count "$d")" -ge "$count" ] && [ -z "$(ls "$d/relay/queue" 2>/dev/null | grep '\.dcm$')" ] && break; sleep 0.5
    done
  fi
  local t1; t1=$(now)
  local wire; wire=$($x nft list chain inet link out | sed -n 's/.*counter packets [0-9]* bytes \([0-9]*\).*/\1/p')
  local arrived; arrived=$(hub_count "$d")
  local rows; rows=$("$py" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); u=sys.argv[2:]; print(c.execute("select count(*), count(distinct sop_instance_uid) from instances where sop_instance_uid in (%s)" % ",".join("?"*len(u)), u).fetchone())' "$d/hub/remotedx.db" "${sops[@]}" 2>/dev/null || echo "?")
  # Pixel identity against a second implementation: DCMTK (JPEG-LS) or GDCM (JPEG 2000) decompresses, pydicom compares.
  local same=0 differ=0 i ts=""
  for i in "${!files[@]}"; do
    local f=${files[$i]} a; a=$(find "$d/hub/archive" -name "${sops[$i]}.dcm" | head -1)
    [ -n "$a" ] || continue
    ts="$ts $("$py" -c 'import pydicom,sys; print(pydicom.dcmread(sys.argv[1], stop_before_pixels=True).file_meta.TransferSyntaxUID)' "$a")"
    case "$sc" in jpeg-ls) dcmdjpls "$a" "$d/check.dcm" ;; j2k) gdcmconv --raw "$a" "$d/check.dcm" ;; *) cp "$a" "$d/check.dcm" ;; esac
    if "$py" -c 'import pydicom,sys; sys.exit(pydicom.dcmread(sys.argv[1]).PixelData != pydicom.dcmread(sys.argv[2]).PixelData)' "$f" "$d/check.dcm"; then
      same=$((same + 1)); else differ=$((differ + 1)); fi
  done
  ts=$(echo $ts | tr ' ' '\n' | sort | uniq -c | tr -s ' \n' ' ')
  local wall; wall=$(echo "$t1 - $t0" | bc)
  {
    echo "scenario=$sc files=$count raw_bytes=$raw_bytes rate_kbytes_s=$rate outage_s=$outage"
    cat "$d/outage.txt"
    echo "arrived=$arrived index_rows(total,distinct)=$rows pixel_identical=$same differ=$differ archived_syntax=$ts"
    echo "wall_s=$wall wire_bytes=$wire storescu_exit=$storescu_rc"
    echo "link_capacity_s_for_raw=$(echo "$raw_bytes / ($rate * 1024)" | bc) link_capacity_s_for_wire=$(echo "${wire:-0} / ($rate * 1024)" | bc)"
  } >"$d/result.txt"
  cat "$d/result.txt"
}

pids=()
for sc in $scenarios; do run_one "$sc" >"$work/$sc.out" 2>&1 & pids+=($!); done
for p in "${pids[@]}"; do wait "$p" || true; done
for sc in $scenarios; do echo "== $sc"; cat "$work/$sc/result.txt" 2>/dev/null || tail -5 "$work/$sc.out"; done
