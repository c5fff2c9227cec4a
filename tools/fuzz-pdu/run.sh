#!/usr/bin/env bash
# Fuzzes the upper layer PDU reader with afl++ and SharpFuzz (README.md).
#   tools/fuzz-pdu/run.sh [SECONDS] [WORKDIR]
# SECONDS: how long afl-fuzz runs (default 1800). WORKDIR: build, corpus and findings (default tools/fuzz-pdu/work,
# ignored by git). Re-running with the same WORKDIR resumes the campaign.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-1800}"
work="${2:-$here/work}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
sharpfuzz="${SHARPFUZZ:-$(command -v sharpfuzz || echo /tmp/sf/sharpfuzz)}"

command -v afl-fuzz >/dev/null || { echo "run.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 3; }
[ -x "$sharpfuzz" ] || { echo "run.sh: sharpfuzz not found; dotnet tool install --tool-path /tmp/sf SharpFuzz.CommandLine --version 2.3.0" >&2; exit 3; }

# 1. Publish; write the seed corpus (one valid example of each PDU type) with the harness before instrumenting it:
#    instrumented code writes coverage into afl's shared memory and faults when run outside afl.
dotnet publish "$here/RemoteDx.FuzzPdu.csproj" -c Release -o "$work/bin" -p:UseAppHost=false --nologo -v quiet
[ -d "$work/corpus" ] || dotnet "$work/bin/RemoteDx.FuzzPdu.dll" --write-seeds "$work/corpus"

# 2. Instrument only RemoteDx.Dicom.dll (paths through the PDU reader, not the BCL).
"$sharpfuzz" "$work/bin/RemoteDx.Dicom.dll"
input="$work/corpus"
[ -f "$work/findings/default/fuzzer_stats" ] && input="-"

# 3. Fuzz. The target is `dotnet`, which afl cannot see instrumented, hence AFL_SKIP_BIN_CHECK.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1
export DOTNET_TieredPGO=0 DOTNET_gcServer=0
exec afl-fuzz -i "$input" -o "$work/findings" -t 5000 -m none -V "$seconds" -- dotnet "$work/bin/RemoteDx.FuzzPdu.dll"
