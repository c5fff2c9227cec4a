#!/usr/bin/env bash
# The one command that runs every test (README). Installs the Debian packages the tests use as second
# implementations and native codecs, or stops with a message that says how.
set -euo pipefail
cd "$(dirname "$0")"

# Every package named in tests/debian-packages.tsv (the tool → package map the tests' "apt-get install X" hints come
# from): the last field of each line that is not blank or a comment.
mapfile -t packages < <(awk -F'\t' '!/^[[:space:]]*(#|$)/ { print $NF }' tests/debian-packages.tsv | awk '!seen[$0]++')
if ((${#packages[@]} == 0)); then
  echo "test.sh: tests/debian-packages.tsv names no packages" >&2; exit 3
fi
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
