#!/usr/bin/env bash
# Bytes on the wire for the viewer's image requests: the values rendition (/frames/1/values, Brotli and gzip) at each
# size step against the server-rendered JPEG q90 and PNG the viewer used before, for the ten sample radiographs
# (sample-dicom/, 1024x1024, 12-bit), and the server time per request (loopback, warm). Serve runs with scoring off.
#   bench/viewer/run.sh [WORKDIR]          default /tmp/rdx-viewer-bench
#   REMOTEDX=/path/to/remotedx bench/viewer/run.sh     measures that build instead (nothing is built)
# Needs: curl, /usr/bin/python3. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=${1:-/tmp/rdx-viewer-bench}
py=/usr/bin/python3
if [ -n "${REMOTEDX:-}" ]; then
  exe=$REMOTEDX
else
  dotnet build -c Release src/RemoteDx -v q -nologo >/dev/null
  exe=$repo/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx
fi
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
rm -rf "$work"; mkdir -p "$work"
echo "bench-password-1" | "$exe" users add bench --role radiologist --data "$work/data" --password-stdin >/dev/null
RemoteDx__Scoring__Workers=0 "$exe" serve --data "$work/data" --dicom-port 0 --http-url http://127.0.0.1:0 >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do grep -q "Now listening on" "$work/serve.log" && grep -q "DICOM listener REMOTEDX on port" "$work/serve.log" && break; sleep 0.5; done
dport=$(sed -n 's/.*DICOM listener REMOTEDX on port \([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
url=$(sed -n 's/.*Now listening on: \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
files=(sample-dicom/*/*.dcm)
"$exe" send 127.0.0.1 "$dport" "${files[@]}" --aet CLINIC_A --called-aet REMOTEDX >/dev/null
jar=$work/cookies
curl -sf -c "$jar" -H 'Content-Type: application/json' -d '{"username":"bench","password":"bench-password-1"}' "$url/api/login" >/dev/null
sops=$($py -c "import pydicom,sys; print(' '.join(pydicom.dcmread(f, stop_before_pixels=True).SOPInstanceUID for f in sys.argv[1:]))" "${files[@]}")
for _ in $(seq 1 120); do
  n=0; for s in $sops; do curl -sf -o /dev/null -b "$jar" "$url/api/instances/$s/thumbnail" && n=$((n + 1)); done
  [ "$n" -eq "${#files[@]}" ] && break; sleep 0.5
done
measure() {  # measure LABEL ENCODING PATH: mean bytes and mean seconds over the samples (second request of each: warm)
  local label=$1 enc=$2 path=$3 bytes=0 secs=0 out
  for s in $sops; do
    curl -sf -o /dev/null -b "$jar" -H "Accept-Encoding: $enc" "$url/api/instances/$s/$path" >/dev/null
    out=$(curl -sf -o /dev/null -b "$jar" -H "Accept-Encoding: $enc" -H 'Cache-Control: no-cache' -w '%{size_download} %{time_total}' "$url/api/instances/$s/$path")
    bytes=$((bytes + ${out% *})); secs=$(echo "$secs + ${out#* }" | bc -l)
  done
  printf '%-40s %-9s %9d B  %6.3f s\n' "$label" "$enc" $((bytes / ${#files[@]})) "$(echo "$secs / ${#files[@]}" | bc -l)"
}
echo "${#files[@]} samples, mean per image:"
measure "values size=512" br "frames/1/values?size=512"
measure "values size=512" gzip "frames/1/values?size=512"
measure "values size=full (1024, lossless)" br "frames/1/values?size=full"
measure "values size=full (1024, lossless)" gzip "frames/1/values?size=full"
measure "values size=full (1024, lossless)" identity "frames/1/values?size=full"
measure "JPEG q90 size=512 (before: per W/L)" identity "frames/1?format=jpeg&size=512"
measure "JPEG q90 full (before: per W/L)" identity "frames/1?format=jpeg"
measure "PNG full (8-bit, one window)" identity "frames/1?format=png"
