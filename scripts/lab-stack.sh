#!/usr/bin/env bash
# Points the current Pulumi stack at the lab: hosts, users and pinned host keys as plain config,
# passwords, enable secrets, the VPS's private key and the pre-shared keys as secrets.
# Usage: bash scripts/lab-stack.sh   (in the folder of the Pulumi project; the stack must be selected)
set -euo pipefail
LAB_JSON="${LAB_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.lab}/lab.json"
[ -f "$LAB_JSON" ] || { echo "lab-stack.sh: $LAB_JSON is missing; run sudo bash lab/lab.sh up first" >&2; exit 1; }

field() { node -e 'const h=require(process.argv[1]).hosts[process.argv[2]]; const v=process.argv[3].split(".").reduce((o,k)=>o&&o[k],h); if(v===undefined) process.exit(3); process.stdout.write(String(v))' "$LAB_JSON" "$1" "$2"; }

for site in home parents; do
  pulumi config set "${site}Host" "$(field "$site" ssh.host)"
  pulumi config set "${site}User" "$(field "$site" ssh.username)"
  pulumi config set "${site}HostKey" "$(field "$site" ssh.hostKey)"
  # Secrets go through stdin, never through a process argument.
  pulumi config set --secret "${site}Password" <"$(field "$site" ssh.passwordFile)"
  pulumi config set --secret "${site}EnableSecret" <"$(field "$site" ssh.enableSecretFile)"
  pulumi config set "${site}Wan" "$(field "$site" wan)"
  pulumi config set "${site}Lan" "$(field "$site" lan)"
  pulumi config set "${site}LanAddress" "$(field "$site" lanAddress)"
done
pulumi config set vpsHost "$(field vps ssh.host)"
pulumi config set vpsUser "$(field vps ssh.username)"
pulumi config set vpsHostKey "$(field vps ssh.hostKey)"
pulumi config set --secret vpsPrivateKey <"$(field vps ssh.privateKeyFile)"
pulumi config set vpsWan "$(field vps wan)"
pulumi config set vpsLan "$(field vps lan)"
pulumi config set vpsLanAddress "$(field vps lanAddress)"

# Pre-shared keys: generated once per stack, kept in the stack's encrypted config.
for key in vpsPsk parentsPsk; do
  if ! pulumi config get "$key" >/dev/null 2>&1; then
    head -c 24 /dev/urandom | base64 | tr -d '/+=' | pulumi config set --secret "$key"
  fi
done
echo "lab-stack.sh: stack $(pulumi stack --show-name) now points at the lab ($LAB_JSON)" >&2
