#!/usr/bin/env bash
# Inference engine overhead: images/s of the whole path (decoded pixels -> findings) vs bare InferenceSession.Run on
# prepared tensors, batch 1 and 16, CPU, side by side in one process (remotedx-bench inference).
#   bench/inference/run.sh            the bundled demo model (models/cxr-triage) and a DenseNet-121-sized network
# Images: 8 phantoms (1024x1024, 12-bit) from `remotedx phantoms`, decoded before timing. The DenseNet-121 (random
# weights, 1x224x224) is exported by tools/inference/make_densenet.py with Debian's python3-torchvision.
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet build -c Release bench/RemoteDx.Bench -v q -nologo >/dev/null
dotnet build -c Release src/RemoteDx -v q -nologo >/dev/null
exe=src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx
bench=bench/RemoteDx.Bench/bin/Release/net10.0/linux-x64/remotedx-bench
"$exe" phantoms --count 8 --out "$work/img" --seed 7 --size 1024 >/dev/null
mapfile -t files < <(find "$work/img" -name '*.dcm' | sort)
echo "# $(date -u +%F) $(nproc) cores; $(uptime | sed 's/.*load average/load average/')"
/usr/bin/python3 tools/inference/make_densenet.py "$work/models" >/dev/null 2>&1
for batch in 1 16; do
  "$bench" inference --models models --model cxr-triage --batch "$batch" --images 256 "${files[@]}"
done
for batch in 1 16; do
  "$bench" inference --models "$work/models" --model densenet121 --batch "$batch" --images 48 "${files[@]}"
done
