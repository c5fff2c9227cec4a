#!/usr/bin/env bash
# Builds and runs the service with its embedded defaults (README). Extra arguments go to `remotedx serve`.
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet run -c Release --project src/RemoteDx -- serve "$@"
