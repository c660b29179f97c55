#!/usr/bin/env bash
# Shows what is configured on a lab device, read over SSH: IOS crypto blocks, tunnels and routes
# (keys masked), or a strongSwan host's managed conf.d files (secret masked) and loaded connections.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
site="${1:?usage: show-device.sh SITE}"
node dist/scripts/show-device.js "$site"
