#!/usr/bin/env bash
# Triage pipeline latency: from the C-STORE response of a study's (single) image to its findings in GET /api/worklist,
# p50/p95, at 1 study/s and at saturation; CPU only; `remotedx serve` with its defaults (SQLite, bundled model).
#   bench/pipeline/run.sh [COUNT_AT_1_PER_S=60] [COUNT_AT_SATURATION=120] [SENDERS=4]
set -euo pipefail
cd "$(dirname "$0")/../.."
n1=${1:-60}; ns=${2:-120}; senders=${3:-4}
work=$(mktemp -d)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
dotnet build -c Release src/RemoteDx -v q -nologo >/dev/null
dotnet build -c Release bench/RemoteDx.Bench -v q -nologo >/dev/null
exe=$PWD/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx
bench=$PWD/bench/RemoteDx.Bench/bin/Release/net10.0/linux-x64/remotedx-bench
"$exe" phantoms --count 8 --out "$work/img" --seed 11 >/dev/null
mapfile -t files < <(find "$work/img" -name '*.dcm' | sort)
echo "# $(date -u +%F) $(nproc) cores; $(uptime | sed 's/.*load average/load average/'); images: ${#files[@]} phantoms"

run() {  # run MODE ARGS...: a fresh serve per mode, so the worklist holds only this run's studies
  rm -rf "$work/data"
  echo "bench-password-1" | "$exe" users add bench --role radiologist --data "$work/data" --password-stdin >/dev/null
  RemoteDx__Inference__Provider=cpu "$exe" serve --data "$work/data" --dicom-port 0 --http-url http://127.0.0.1:0 >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do grep -q "Now listening on" "$work/serve.log" && grep -q "DICOM listener REMOTEDX on port" "$work/serve.log" && break; sleep 0.5; done
  dport=$(sed -n 's/.*DICOM listener REMOTEDX on port \([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
  url=$(sed -n 's/.*Now listening on: \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
  "$bench" pipeline --dicom-port "$dport" --http "$url" --user bench --password bench-password-1 "$@" "${files[@]}"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
run --rate 1 --count "$n1"
run --saturate "$senders" --count "$ns"
