#!/usr/bin/env bash
# Data-layer benchmark: parse-only files/s and full-decode MB/s per transfer syntax, RemoteDx side by side with
# DCMTK (and GDCM where DCMTK has no decoder) and pydicom, on the same files in one run. See bench/README.md.
#   bench/dicom/run.sh [WORKDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/rdx-bench}
py=/usr/bin/python3
mkdir -p "$work"
dotnet build -c Release "$root/bench/RemoteDx.Bench" -v q -nologo >/dev/null
dotnet build -c Release "$root/src/RemoteDx" -v q -nologo >/dev/null
rb="$root/bench/RemoteDx.Bench/bin/Release/net10.0/remotedx-bench"
rdx="$root/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx"

if [ ! -d "$work/src" ]; then "$py" "$root/bench/dicom/make_corpus.py" "$work/src"; fi

# One folder per (set, syntax), made by the reference toolkits.
convert() { # set name tool args...
  local set=$1 name=$2; shift 2
  local d="$work/$set-$name"; [ -d "$d" ] && return; mkdir -p "$d"
  for f in "$work/src/$set"/*.dcm; do "$@" "$f" "$d/$(basename "$f")"; done
}
for set in ct16 cr16; do
  convert $set explicit-le cp
  convert $set implicit-le dcmconv +ti
  convert $set explicit-be dcmconv +tb
  convert $set deflated dcmconv +td
  convert $set rle dcmcrle
  convert $set jpeg-sv1 dcmcjpeg +e1
  convert $set jpeg-ext12 dcmcjpeg +ee
  convert $set jpegls dcmcjpls +el
  convert $set j2k gdcmconv --j2k
done
convert us8 explicit-le cp
convert us8 jpeg-baseline dcmcjpeg +eb
convert us8 rle dcmcrle

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
# best of two runs of a command (the page cache is warm for both tools alike); prints seconds
best2() { local best="" t0 t1 s; for _ in 1 2; do t0=$(now); "$@" >/dev/null 2>&1 || return 1; t1=$(now); s=$(secs $t0 $t1)
  if [ -z "$best" ] || awk -v a=$s -v b=$best 'BEGIN{exit !(a<b)}'; then best=$s; fi; done; echo "$best"; }
refloop() { local tmp; tmp=$(mktemp -d); for f in "${@:2}"; do $1 "$f" "$tmp/o.dcm"; done; rm -rf "$tmp"; }

pyparse='import sys,pydicom
for f in sys.argv[1:]: pydicom.dcmread(f)'
pydecode='import sys,pydicom
n=0
for f in sys.argv[1:]:
    n+=pydicom.dcmread(f).pixel_array.nbytes
print(n)'

printf "| set | syntax | files | MB on disk | parse RemoteDx files/s | parse dcmdump files/s | parse pydicom files/s | decode RemoteDx MB/s | decode reference | ref MB/s | decode pydicom MB/s |\n"
printf "|---|---|---|---|---|---|---|---|---|---|---|\n"
for d in "$work"/*-*/; do
  d=${d%/}; base=$(basename "$d"); set=${base%%-*}; ts=${base#*-}
  files=("$d"/*.dcm); n=${#files[@]}
  mb=$(du -sm "$d" | cut -f1)
  # parse only
  out=$("$rb" parse "${files[@]}"); rps=$(sed -n 's/.*files_per_s=\([0-9.]*\).*/\1/p' <<<"$out")
  t=$(best2 dcmdump -q "${files[@]}"); dps=$(awk -v n=$n -v s=$t 'BEGIN{printf "%.1f", n/s}')
  t=$(best2 "$py" -c "$pyparse" "${files[@]}"); pps=$(awk -v n=$n -v s=$t 'BEGIN{printf "%.1f", n/s}')
  # full decode
  out=$("$rb" decode "${files[@]}"); rmbs=$(sed -n 's/.*mb_per_s=\([0-9.]*\).*/\1/p' <<<"$out"); dmb=$(sed -n 's/.*decoded_mb=\([0-9.]*\).*/\1/p' <<<"$out")
  reftool=""; case $ts in
    rle) reftool="dcmdrle";; jpeg-*) reftool="dcmdjpeg";; jpegls) reftool="dcmdjpls";; j2k) reftool="gdcmconv --raw";;
    *) reftool="dcmconv +te";;
  esac
  t=$(best2 refloop "$reftool" "${files[@]}"); refmbs=$(awk -v m=$dmb -v s=$t 'BEGIN{printf "%.1f", m/s}')
  pymbs="n/a"
  if t=$(best2 "$py" -c "$pydecode" "${files[@]}"); then pymbs=$(awk -v m=$dmb -v s=$t 'BEGIN{printf "%.1f", m/s}'); fi
  printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$set" "$ts" "$n" "$mb" "$rps" "$dps" "$pps" "$rmbs" "$reftool" "$refmbs" "$pymbs"
done
