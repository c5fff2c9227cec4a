#!/usr/bin/env bash
# The one command that runs every test (README). Installs the Debian packages the tests use as second
# implementations and native codecs, or stops with a message that says how.
set -euo pipefail
cd "$(dirname "$0")"

packages=(dcmtk libgdcm-tools python3-pydicom python3-numpy libcharls2 libopenjp2-7 orthanc openssl python3-torch python3-sklearn postgresql chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "test.sh: missing Debian packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2; exit 3; fi
  $SUDO apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2 || {
    echo "test.sh: could not install ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2; exit 3; }
fi

rm -rf TestResults
dotnet test RemoteDx.sln -c Release --logger "trx" --logger "console;verbosity=minimal" --results-directory TestResults "$@"
