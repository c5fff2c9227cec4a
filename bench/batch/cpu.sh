#!/usr/bin/env bash
# CPU time per image (user + sys) of `remotedx score` and of bench/batch/baseline.py, for a machine too busy for
# images/s to mean much: each runs on N and 4N files of the uncompressed set, and the difference of the two CPU times
# over the 3N extra files is the per-image cost, start-up, imports and model load cancelled out. Then
# `remotedx score --timings` on the 4N files for the per-stage breakdown. Run bench/batch/run.sh first (it builds
# the corpus and the model in WORKDIR).
#   bench/batch/cpu.sh [WORKDIR] [N] [ROUNDS]     default /tmp/rdx-batch-bench, 16, 2
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=${1:-/tmp/rdx-batch-bench}
n=${2:-16}
rounds=${3:-2}
py=/usr/bin/python3
exe=$repo/src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx
cd "$work"
mapfile -t src < <(find raw -name '*.dcm' | sort)
for count in "$n" $((4 * n)); do
  if [ ! -d "cpu-$count" ]; then
    mkdir -p "cpu-$count"
    for ((i = 0; i < count; i++)); do ln -f "${src[i % ${#src[@]}]}" "cpu-$count/$(printf %05d "$i").dcm"; done
  fi
done
cpu() { /usr/bin/time -f "%U %S" -o cpu.t "$@" >/dev/null 2>&1; awk '{ printf "%.3f", $1 + $2 }' cpu.t; }
echo "# $(date -u +%F) $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
echo "| round | remotedx CPU ms/image | baseline CPU ms/image | ratio |"
echo "|---|---|---|---|"
for ((r = 1; r <= rounds; r++)); do
  a1=$(cpu "$exe" score "cpu-$n" --out cpu.csv --models-dir models --provider cpu)
  a4=$(cpu "$exe" score "cpu-$((4 * n))" --out cpu.csv --models-dir models --provider cpu)
  b1=$(cpu $py "$repo/bench/batch/baseline.py" models/benchnet cpu.csv "cpu-$n")
  b4=$(cpu $py "$repo/bench/batch/baseline.py" models/benchnet cpu.csv "cpu-$((4 * n))")
  awk -v r="$r" -v a1="$a1" -v a4="$a4" -v b1="$b1" -v b4="$b4" -v k=$((3 * n)) \
    'BEGIN { a = (a4 - a1) * 1000 / k; b = (b4 - b1) * 1000 / k; printf "| %d | %.1f | %.1f | %.1f |\n", r, a, b, b / a }'
done
echo
"$exe" score "cpu-$((4 * n))" --out cpu.csv --models-dir models --provider cpu --timings 2>&1 >/dev/null | grep -v '^progress\|^remotedx:'
echo "# $(uptime | sed 's/.*load average/load average/')"
