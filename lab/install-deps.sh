#!/usr/bin/env bash
# Installs the Debian packages the lab needs, only those missing; `apt-get update` runs only when
# something is missing. Idempotent. Run as root.
set -euo pipefail

packages=(
    strongswan-swanctl strongswan-charon libcharon-extra-plugins
    openssh-server openssh-client iproute2 iputils-ping util-linux sudo
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

echo "lab: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
