#!/usr/bin/env bash
# The main job on a fresh machine, as root: install what is missing, bring the lab up, deploy the
# story with `pulumi up`, then show what was configured on each device.
# State lives in .pulumi-state/ (local file backend); PULUMI_CONFIG_PASSPHRASE defaults to "lab".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (the lab uses network namespaces)" >&2; exit 1; }

[ -d node_modules/@pulumi/pulumi ] || npm ci --no-audit --no-fund
npm run build
export PATH="$(bash scripts/pulumi-cli.sh | tail -n 1):$PATH"
bash lab/lab.sh up

mkdir -p .pulumi-state
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state" PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-lab}"
pulumi stack select lab 2>/dev/null || pulumi stack init lab
bash scripts/lab-stack.sh
pulumi up --yes --non-interactive

echo
echo "=== home (IOS emulator) ==="
bash scripts/show-device.sh home
echo "=== parents (IOS emulator) ==="
bash scripts/show-device.sh parents
echo "=== vps (strongSwan) ==="
bash scripts/show-device.sh vps
echo
echo "Tear down: pulumi destroy --yes (with PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL), then sudo bash lab/lab.sh down"
