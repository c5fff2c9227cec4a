#!/usr/bin/env bash
# Interleaved A/B of two remotedx builds on the CT ingest path (bench/ingest/README.md "Same code, interleaved A/B"):
#   bench/ingest/ab.sh OLD_REMOTEDX NEW_REMOTEDX [WORKDIR]
# e.g. build a commit in a worktree (`git worktree add /tmp/old COMMIT && dotnet build -c Release /tmp/old/src/RemoteDx`)
# and compare its bin/Release/net10.0/linux-x64/remotedx with this tree's. For each of ROUNDS rounds and each MODES
# durability, every build gets a fresh `remotedx serve` and four associations of 200 CT (fresh UIDs per set, made once
# from the ingest corpus); prints img/s per association and the serve process's CPU ms per instance.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
old=$1 new=$2 work=${3:-/var/tmp/rdx-ingest-ab}
py=/usr/bin/python3
export TCP_NODELAY=1
command -v storescu >/dev/null || { echo "storescu missing: apt-get install dcmtk" >&2; exit 3; }
corpus=/var/tmp/rdx-ingest-bench/corpus
[ -f "$corpus/ct/199.dcm" ] || "$py" "$root/bench/ingest/make_corpus.py" "$corpus"
mkdir -p "$work"
if [ ! -f "$work/ct3/199.dcm" ]; then
  "$py" - "$corpus/ct" "$work" <<'PY'
import os, sys
import pydicom
from pydicom.uid import generate_uid
src, out = sys.argv[1], sys.argv[2]
for k in range(4):
    d = os.path.join(out, f"ct{k}"); os.makedirs(d, exist_ok=True)
    study, series = generate_uid(), generate_uid()
    for f in sorted(os.listdir(src)):
        ds = pydicom.dcmread(os.path.join(src, f))
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.save_as(os.path.join(d, f))
PY
fi
port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
one() { # BUILD TAG MODE
  local run dicom http pid out="" per=""
  run=$(mktemp -d "$work/run-XXXXXX"); dicom=$(port); http=$(port)
  RemoteDx__Archive__Durability=$3 "$1" serve --data "$run/data" --dicom-port "$dicom" --http-url "http://127.0.0.1:$http" >"$run/log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$http/healthz" >/dev/null && break; sleep 0.1; done
  for k in 0 1 2 3; do
    local c0 t0 t1 c1
    c0=$(awk '{print $14+$15}' /proc/$pid/stat); t0=$(date +%s.%N)
    storescu -aet BENCH -aec REMOTEDX 127.0.0.1 "$dicom" "$work/ct$k"/*.dcm
    t1=$(date +%s.%N); c1=$(awk '{print $14+$15}' /proc/$pid/stat)
    out+=" $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", 200/(b-a)}')"
    per+=" $(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", (b-a)*1000/hz/200}')"
  done
  kill -TERM "$pid"; wait "$pid" || true
  echo "$3 $2 img/s:$out   cpu ms/instance:$per"
  sync
}
for ((r = 1; r <= ${ROUNDS:-2}; r++)); do
  for m in ${MODES:-deferred full}; do one "$old" old "$m"; one "$new" new "$m"; done
done
rm -rf "$work"/run-*
