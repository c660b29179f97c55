#!/usr/bin/env bash
# The main job on a fresh machine, as root: install what is missing, bring the lab up, deploy the
# story (examples/story, a Pulumi TypeScript project of its own) with `pulumi up`, then show what
# was configured on each device.
# State lives in .pulumi-state/ (local file backend); PULUMI_CONFIG_PASSPHRASE defaults to "lab".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (the lab uses network namespaces)" >&2; exit 1; }

# The package itself is built once; the story's program is TypeScript that `pulumi up` compiles.
[ -d node_modules/@pulumi/pulumi ] || npm ci --no-audit --no-fund
npm run build
export PATH="$(bash scripts/pulumi-cli.sh | tail -n 1):$PATH"
bash lab/lab.sh up

mkdir -p .pulumi-state
export PULUMI_BACKEND_URL="file://$repo/.pulumi-state" PULUMI_SKIP_UPDATE_CHECK=1
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-lab}"
cd examples/story
pulumi stack select lab 2>/dev/null || pulumi stack init lab
bash "$repo/scripts/lab-stack.sh"
pulumi up --yes --non-interactive

echo
echo "=== home (IOS emulator) ==="
bash "$repo/scripts/show-device.sh" home
echo "=== parents (IOS emulator) ==="
bash "$repo/scripts/show-device.sh" parents
echo "=== vps (strongSwan) ==="
bash "$repo/scripts/show-device.sh" vps
echo
echo "Tear down: cd examples/story && pulumi destroy --yes (with PULUMI_BACKEND_URL=$PULUMI_BACKEND_URL), then bash lab/lab.sh down"
