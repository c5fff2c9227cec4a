#!/bin/sh
# Trains the demonstration model from scratch with fixed seeds and writes models/cxr-triage/{model.onnx,
# manifest.json, MODEL_CARD.md}: builds remotedx, generates phantoms (C#), preprocesses them with preprocess_ref.py,
# trains (tools/train/train.py), then evaluates model.onnx on a new-seed test set and writes the card
# (tools/train/evaluate.py --card). Work files go to $REMOTEDX_TRAIN_WORK (default /tmp/remotedx-train); generated
# phantoms and preprocessed arrays there are reused by a rerun with the same arguments.
# Needs Debian's python3-torch, python3-sklearn, python3-pydicom, python3-onnx, python3-scipy and dcmtk.
set -eu
cd "$(dirname "$0")/../.."
export REMOTEDX_TRAIN_WORK="${REMOTEDX_TRAIN_WORK:-/tmp/remotedx-train}"
start=$(date +%s)
dotnet build src/RemoteDx -c Release -nologo -v q
/usr/bin/python3 tools/train/train.py "$@"
trained=$(date +%s)
/usr/bin/python3 tools/train/evaluate.py --card
echo "train.sh: training $((trained - start)) s, evaluation $(($(date +%s) - trained)) s"
