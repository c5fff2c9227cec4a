#!/usr/bin/env bash
# Offline batch scoring, end to end: `remotedx score` vs bench/batch/baseline.py (pydicom + numpy + torch on CPU, the
# same network and preprocessing) on 2048x2048 12-bit radiographs, uncompressed and JPEG Lossless SV1, interleaved in
# one run; then remotedx's peak RSS over 10,000 files.
#   bench/batch/run.sh [WORKDIR] [ROUNDS]      default /tmp/rdx-batch-bench, 2 rounds
# Needs: dcmtk (dcmcjpeg, dcmdjpeg, dcmdrle, dcmdump), python3-pydicom, python3-numpy, python3-torch, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=${1:-/tmp/rdx-batch-bench}
rounds=${2:-2}
per_set=${PER_SET:-128}        # files per timed set (hard links to 16 distinct images)
rss_files=${RSS_FILES:-10000}
py=/usr/bin/python3
dotnet build -c Release src/RemoteDx -v q -nologo >/dev/null
exe=$repo/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx
mkdir -p "$work"
cd "$work"

if [ ! -d raw ]; then
  # The uncompressed set must be native pixel data (dcmcjpeg cannot re-encode what is already compressed, and the
  # phantoms' default encoding mixes in RLE and JPEG Lossless): ask for native, and decompress whatever is not.
  if "$exe" phantoms --help 2>/dev/null | grep -q -- '--encoding'; then
    "$exe" phantoms --count 16 --out raw --seed 7 --size 2048 --encoding native >/dev/null
    corpus="remotedx phantoms --size 2048 --encoding native"
  else
    $py "$repo/bench/batch/make_corpus.py" raw 16
    corpus="bench/batch/make_corpus.py (pydicom/numpy stand-in; remotedx phantoms not on this branch)"
  fi
  for f in $(find raw -name '*.dcm' | sort); do
    case $(dcmdump -s +P 0002,0010 "$f") in
      *=LittleEndianExplicit* | *=LittleEndianImplicit*) ;;
      *=RLELossless*) dcmdrle "$f" "$f.tmp" && mv "$f.tmp" "$f" ;;
      *) dcmdjpeg "$f" "$f.tmp" && mv "$f.tmp" "$f" ;;
    esac
  done
  echo "$corpus" > corpus.txt
  mkdir -p jpll
  for f in $(find raw -name '*.dcm' | sort); do dcmcjpeg +e1 "$f" "jpll/$(basename "$f")"; done
fi
if [ ! -d models/benchnet ]; then
  $py "$repo/tools/inference/make_test_model.py" models --name benchnet --height 256 --width 256 >/dev/null
  $py - <<'PY'
import json
p = "models/benchnet/manifest.json"
m = json.load(open(p))
m["batching"] = {"maxBatch": 16, "maxWaitMs": 5}
m["preprocessing"]["intensity"] = {"mode": "percentile", "low": 0.5, "high": 99.5}
json.dump(m, open(p, "w"), indent=2)
PY
fi
for set in raw jpll; do
  if [ ! -d "$set-$per_set" ]; then
    mkdir -p "$set-$per_set"
    mapfile -t src < <(find "$set" -name '*.dcm' | sort)
    for ((i = 0; i < per_set; i++)); do ln -f "${src[i % ${#src[@]}]}" "$set-$per_set/$(printf %05d "$i").dcm"; done
  fi
done

echo "# $(date -u +%F) $(nproc) cores; $(uptime | sed 's/.*load average/load average/'); corpus: $(cat corpus.txt)"
echo "| round | set | files | remotedx img/s | baseline img/s | ratio | remotedx peak RSS MB | baseline peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
for ((r = 1; r <= rounds; r++)); do
  for set in raw jpll; do
    dir="$set-$per_set"
    /usr/bin/time -f "%M" -o rdx.rss "$exe" score "$dir" --out rdx.csv --models-dir models --provider cpu >rdx.out 2>rdx.err
    rdx=$(sed -n 's/.*s (\([0-9.]*\)\/s).*/\1/p' rdx.out)
    /usr/bin/time -f "%M" -o py.rss $py "$repo/bench/batch/baseline.py" models/benchnet py.csv "$dir" >py.out 2>py.err || true
    pyrate=$(sed -n 's/.*(\([0-9.]*\) images\/s), \([0-9]*\) failed/\1 \2/p' py.out)
    read -r pyr pyfail <<<"$pyrate"
    if [ "${pyfail:-0}" != 0 ]; then
      if grep -q "handlers are available" py.err; then why="pydicom has no JPEG Lossless decoder here (needs python3-gdcm or pylibjpeg)"; else why=$(grep -m1 'failed: ' py.err | cut -c1-80); fi
      pycell="n/a ($pyfail of $per_set failed: $why)"
      ratio="n/a"
    else
      pycell=$pyr
      ratio=$(awk -v a="$rdx" -v b="$pyr" 'BEGIN { printf "%.2f", a / b }')
    fi
    echo "| $r | $set | $per_set | $rdx | $pycell | $ratio | $(( $(tail -1 rdx.rss) / 1024 )) | $(( $(tail -1 py.rss) / 1024 )) |"
  done
done

# Peak memory over many files: hard links to the 16 uncompressed images.
if [ "$rss_files" -gt 0 ]; then
  if [ ! -d "raw-$rss_files" ]; then
    mkdir -p "raw-$rss_files"
    mapfile -t src < <(find raw -name '*.dcm' | sort)
    for ((i = 0; i < rss_files; i++)); do ln -f "${src[i % ${#src[@]}]}" "raw-$rss_files/$(printf %05d "$i").dcm"; done
  fi
  /usr/bin/time -f "%M %e" -o big.rss "$exe" score "raw-$rss_files" --out big.csv --models-dir models --provider cpu >big.out 2>big.err
  read -r kb secs < <(tail -1 big.rss)
  echo
  echo "remotedx score over $rss_files files: peak RSS $((kb / 1024)) MB, wall ${secs} s; $(cat big.out)"
fi
