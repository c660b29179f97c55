#!/usr/bin/env bash
# lab-exec.sh SITE CMD...: run CMD inside a site's network and mount namespaces, as the site's
# own processes see them (its /etc/swanctl, its /run with charon.vici, its routes).
#   bash lab/lab-exec.sh vps swanctl --list-sas
#   bash lab/lab-exec.sh vps ping -c1 -I 10.2.0.1 10.4.0.1
#   bash lab/lab-exec.sh inet ip route      (the "internet" router: network namespace only)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ "$#" -ge 2 ] || { echo "usage: lab-exec.sh SITE|inet CMD..." >&2; exit 2; }
site="$1"
shift
if [ "$site" = inet ]; then exec ip netns exec "$INET_NS" "$@"; fi
is_site "$site" || { echo "lab-exec.sh: unknown site '$site' (sites: ${SITES[*]} inet)" >&2; exit 2; }
holder="$(holder_pid "$site")" || { echo "lab-exec.sh: site $site is not running (bash lab/lab.sh up)" >&2; exit 1; }
exec nsenter -t "$holder" -m -n -- env STRONGSWAN_CONF="$(site_dir "$site")/strongswan.conf" "$@"
