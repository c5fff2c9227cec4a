#!/bin/sh
# Regenerates sample-dicom/ (deterministic: the same bytes every time) and checks that models/cxr-triage ranks
# every abnormal sample above every normal one (tools/train/check_samples.py).
set -eu
cd "$(dirname "$0")/../.."
dotnet build src/RemoteDx -c Release -nologo -v q
rm -rf sample-dicom
src/RemoteDx/bin/Release/net10.0/linux-x64/remotedx phantoms --samples --out sample-dicom
/usr/bin/python3 tools/train/check_samples.py
du -sh sample-dicom
