#!/usr/bin/env bash
# Power-cut loop: runs the power-cut tests (tests/RemoteDx.Interop.Tests/PowerCutTests: serve on the FUSE simulator
# tests/tools/powercut_fs.py, storescu sending, kill -9 + drop of everything unsynced at a random acknowledgement,
# restart on what survived) ROUNDS times (default 20), and counts failures. Each round is 2 cuts per mode.
#   bench/powercut/run.sh [ROUNDS]          NO_BUILD=1 to skip the build
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-20}
if [ "${NO_BUILD:-0}" != 1 ]; then dotnet build -c Release "$root/tests/RemoteDx.Interop.Tests" -v q -nologo >/dev/null; fi
failed=0
for ((i = 1; i <= rounds; i++)); do
  if dotnet test "$root/tests/RemoteDx.Interop.Tests" -c Release --no-build --filter "FullyQualifiedName~PowerCutTests" \
      --logger "console;verbosity=detailed" >"/tmp/powercut-round-$i.log" 2>&1; then
    echo "round $i: ok ($(grep -c 'round [01]: cut after' "/tmp/powercut-round-$i.log") cuts)"
    rm -f "/tmp/powercut-round-$i.log"
  else
    failed=$((failed + 1)); echo "round $i: FAILED (see /tmp/powercut-round-$i.log)"
  fi
done
echo "$failed of $rounds rounds failed"
[ "$failed" = 0 ]
