#!/usr/bin/env bash
# Fuzzes the Part 10 reader with afl++ and SharpFuzz (README.md).
#   tools/fuzz/run.sh [SECONDS] [WORKDIR]
# SECONDS: how long afl-fuzz runs (default 1800). WORKDIR: where the build, corpus and findings go
# (default tools/fuzz/work, ignored by git). Re-running with the same WORKDIR resumes the campaign.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
seconds="${1:-1800}"
work="${2:-$here/work}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
sharpfuzz="${SHARPFUZZ:-$(command -v sharpfuzz || echo /tmp/sf/sharpfuzz)}"
testfiles="${PYDICOM_TEST_FILES:-/usr/lib/python3/dist-packages/pydicom/data/test_files}"

command -v afl-fuzz >/dev/null || { echo "run.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 3; }
[ -x "$sharpfuzz" ] || { echo "run.sh: sharpfuzz not found; dotnet tool install --tool-path /tmp/sf SharpFuzz.CommandLine --version 2.3.0" >&2; exit 3; }

# 1. Publish the harness, then rewrite RemoteDx.Dicom.dll with afl coverage hooks (only that assembly: the
#    reader is what we want paths through, not the BCL).
dotnet publish "$here/RemoteDx.Fuzz.csproj" -c Release -o "$work/bin" -p:UseAppHost=false --nologo -v quiet
"$sharpfuzz" "$work/bin/RemoteDx.Dicom.dll"

# 2. Seed corpus: the small pydicom test files (afl prefers small inputs; it caps them at 1 MB anyway).
if [ ! -d "$work/corpus" ]; then
  mkdir -p "$work/corpus"
  find "$testfiles" -maxdepth 1 -type f -name '*.dcm' -size -64k -exec cp {} "$work/corpus/" \;
  find "$testfiles" -maxdepth 1 -type f ! -name '*.*' -size -64k -exec cp {} "$work/corpus/" \; 2>/dev/null || true
fi
# afl resumes an existing campaign when given "-i -".
input="$work/corpus"
[ -f "$work/findings/default/fuzzer_stats" ] && input="-"

# 3. Fuzz. The target is `dotnet`, which afl cannot see instrumented, hence AFL_SKIP_BIN_CHECK.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1
export DOTNET_TieredPGO=0 DOTNET_gcServer=0
# The harness writes its lazily-read copy of each odd-length input to the temp directory: keep it in WORKDIR.
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
exec afl-fuzz -i "$input" -o "$work/findings" -t 5000 -m none -V "$seconds" -- dotnet "$work/bin/RemoteDx.Fuzz.dll"
