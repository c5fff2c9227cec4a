#!/usr/bin/env bash
# Peak RSS of frame-level access on a ~1.5 GB native multi-frame instance (512x512, 16-bit, 3000 frames):
# (a) `remotedx render --frame 1500`, `remotedx pixels --frame 1500`, (b) `remotedx score`, (c) `remotedx serve`:
# one instance stored with storescu, scored, a frame and the thumbnail fetched through the API; then two instances
# stored and scored at once. Generated files live under WORKDIR and are deleted at the end.
#   bench/bigframes/run.sh [WORKDIR]      default /tmp/rdx-bigframes
#   REMOTEDX=/path/to/remotedx bench/bigframes/run.sh     measures that build instead (nothing is built)
# Needs: python3-pydicom, python3-numpy, dcmtk (storescu, dcmcrle), curl, GNU time (/usr/bin/time). Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=${1:-/tmp/rdx-bigframes}
frames=${FRAMES:-3000}
size=${SIZE:-512}
py=/usr/bin/python3
if [ -n "${REMOTEDX:-}" ]; then
  exe=$REMOTEDX  # another build, e.g. an older commit for a before/after comparison
else
  dotnet build -c Release src/RemoteDx -v q -nologo >/dev/null
  exe=$repo/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx
fi
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
rm -rf "$work"; mkdir -p "$work"
$py "$repo/bench/bigframes/make_big.py" "$work/big1.dcm" "$frames" "$size" 1
$py "$repo/bench/bigframes/make_big.py" "$work/big2.dcm" "$frames" "$size" 2
echo "instance: $(du -m "$work/big1.dcm" | cut -f1) MB, ${size}x${size} 16-bit x $frames frames, native"
mid=$((frames / 2))

measure() {  # measure LABEL CMD...: peak RSS (MB) and wall time of one command
  local label=$1; shift
  /usr/bin/time -f "%M %e" -o "$work/time" "$@" >"$work/cmd.out" 2>&1 || { cat "$work/cmd.out"; exit 1; }
  read -r kb secs <"$work/time"
  printf '%-44s peak RSS %5d MB  %6s s\n' "$label" $((kb / 1024)) "$secs"
}
measure "render --frame $mid" "$exe" render "$work/big1.dcm" "$work/out.png" --frame "$mid"
measure "pixels --frame $mid" "$exe" pixels "$work/big1.dcm" "$work/out.raw" --frame "$mid"
measure "score (cxr-triage, CPU)" "$exe" score "$work/big1.dcm" --out "$work/x.csv" --models-dir "$repo/models" --provider cpu
echo "  first row: $(sed -n 2p "$work/x.csv")"

# Encapsulated: the same frames as RLE Lossless (DCMTK), with a Basic Offset Table and without one (one fragment per
# frame either way); only the frame's fragment is read.
dcmcrle "$work/big1.dcm" "$work/rle_bot.dcm"
dcmcrle -ot "$work/big1.dcm" "$work/rle_nobot.dcm"
measure "RLE with offset table: render --frame $mid" "$exe" render "$work/rle_bot.dcm" "$work/out.png" --frame "$mid"
measure "RLE without offset table: render --frame $mid" "$exe" render "$work/rle_nobot.dcm" "$work/out.png" --frame "$mid"
measure "RLE with offset table: score" "$exe" score "$work/rle_bot.dcm" --out "$work/y.csv" --models-dir "$repo/models" --provider cpu
rm -f "$work/rle_bot.dcm" "$work/rle_nobot.dcm"

serve() {  # serve LABEL FILE...: fresh serve; store FILEs at once; wait until scored; GET a frame and the thumbnail
  local label=$1; shift
  rm -rf "$work/data"
  echo "bench-password-1" | "$exe" users add bench --role radiologist --data "$work/data" --password-stdin >/dev/null
  RemoteDx__Inference__Provider=cpu "$exe" serve --data "$work/data" --dicom-port 0 --http-url http://127.0.0.1:0 >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do grep -q "Now listening on" "$work/serve.log" && grep -q "DICOM listener REMOTEDX on port" "$work/serve.log" && break; sleep 0.5; done
  local dport url
  dport=$(sed -n 's/.*DICOM listener REMOTEDX on port \([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
  url=$(sed -n 's/.*Now listening on: \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
  local start=$SECONDS senders=()
  for f in "$@"; do storescu -aec REMOTEDX 127.0.0.1 "$dport" "$f" & senders+=($!); done
  for s in "${senders[@]}"; do wait "$s"; done
  local stored=$((SECONDS - start)) rss_stored
  rss_stored=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
  local jar=$work/cookies
  curl -sf -c "$jar" -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' "$url/api/login" >/dev/null
  for _ in $(seq 1 600); do
    curl -sf -b "$jar" "$url/api/worklist" >"$work/worklist.json"
    $py -c "import json,sys; i=json.load(open(sys.argv[1]))['items']; sys.exit(0 if len(i)==int(sys.argv[2]) and all(x['status']!='scoring' for x in i) else 1)" "$work/worklist.json" $# && break
    sleep 1
  done
  local scored=$((SECONDS - start)) rss_scored
  rss_scored=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
  local sop t0 t1
  sop=$($py -c "import pydicom,sys; print(pydicom.dcmread(sys.argv[1], stop_before_pixels=True).SOPInstanceUID)" "$1")
  t0=$(date +%s.%N)
  curl -sf -b "$jar" -o "$work/frame.png" "$url/api/instances/$sop/frames/$((mid + 1))?size=512"
  t1=$(date +%s.%N)
  curl -sf -b "$jar" -o "$work/thumb.jpg" "$url/api/instances/$sop/thumbnail"
  local t2 rss_end
  t2=$(date +%s.%N)
  rss_end=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
  printf '%-44s peak RSS after store %5d MB (%d s), after scoring %5d MB (%d s), after frame+thumbnail %5d MB (frame %.2f s, thumbnail %.2f s)\n' \
    "$label" "$rss_stored" "$stored" "$rss_scored" "$scored" "$rss_end" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  grep -c '"status"' "$work/worklist.json" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}
serve "serve, one instance" "$work/big1.dcm"
serve "serve, two instances at once" "$work/big1.dcm" "$work/big2.dcm"
