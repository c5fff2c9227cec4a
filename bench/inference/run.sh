#!/usr/bin/env bash
# Inference engine overhead: images/s of the whole path (decoded pixels -> findings) vs bare InferenceSession.Run on
# prepared tensors, batch 1 and 16, CPU, side by side in one process (remotedx-bench inference).
#   bench/inference/run.sh [MODEL_DIR_ROOT] [MODEL_NAME]      default: models cxr-triage
# Images: 8 phantoms (1024x1024, 12-bit) from `remotedx phantoms`, decoded before timing.
set -euo pipefail
cd "$(dirname "$0")/../.."
models=${1:-models}
name=${2:-cxr-triage}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release bench/RemoteDx.Bench -v q -nologo >/dev/null
dotnet build -c Release src/RemoteDx -v q -nologo >/dev/null
exe=src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx
bench=bench/RemoteDx.Bench/bin/Release/net10.0/linux-x64/remotedx-bench
"$exe" phantoms --count 8 --out "$work/img" --seed 7 --size 1024 >/dev/null
mapfile -t files < <(find "$work/img" -name '*.dcm' | sort)
echo "# $(date -u +%F) $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
for threads in 0; do
  for batch in 1 16; do
    "$bench" inference --models "$models" --model "$name" --batch "$batch" --images 256 --threads "$threads" "${files[@]}"
  done
done
