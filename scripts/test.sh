#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests over SSH against the lab (IOS emulators and
# real strongSwan in network namespaces), and end-to-end tests with the real Pulumi CLI.
# Run as root (the lab needs network namespaces). Brings the lab up and down itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (the lab uses network namespaces)" >&2; exit 1; }
[ -d node_modules/@pulumi/pulumi ] || npm ci --no-audit --no-fund
npm run build

PULUMI_BIN="$(bash scripts/pulumi-cli.sh | tail -n 1)"
export PATH="$PULUMI_BIN:$PATH"

keep_lab="${KEEP_LAB:-}"
# A fresh lab: configuration left on the devices (by scripts/demo.sh, say) would collide with the tests.
bash lab/lab.sh down
bash lab/lab.sh up
[ -n "$keep_lab" ] || trap 'bash lab/lab.sh down' EXIT

log="$(mktemp)"
set +e
npx mocha "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^ *[0-9]+ passing' "$log" | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ failing' "$log" | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
