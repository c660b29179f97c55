# Shared definitions of the lab: sites, addresses, names and paths. Sourced by lab.sh and
# lab-exec.sh; defines nothing that runs on its own.

LAB_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$LAB_SRC")"
LAB_DIR="${LAB_DIR:-$REPO/.lab}"
case "$LAB_DIR" in /*) ;; *) LAB_DIR="$PWD/$LAB_DIR" ;; esac
KEYS="$LAB_DIR/keys"

# Every namespace, the management link, the holder processes and the deploy user start with this,
# so `down` finds them all. LAB_PREFIX gives a lab a prefix of its own, so that several labs can
# exist on one machine, each built from its own network namespace (scripts/test.sh runs its lab so).
# No '-' in it: `down` of prefix "ikl" matches "ikl-*" and must never match another lab's names.
PREFIX="${LAB_PREFIX:-ikl}"
[[ "$PREFIX" =~ ^[a-z][a-z0-9]{1,9}$ ]] || {
    echo "lab: LAB_PREFIX must be 2-10 lowercase letters and digits starting with a letter (got '$PREFIX')" >&2
    exit 2
}
# A non-root login on the strongSwan sites that may run everything through `sudo -n`, to test the
# provider's `sudo: true` path against real sudo.
DEPLOY_USER="$PREFIX-deploy"
INET_NS="$PREFIX-inet"
# The main namespace reaches the "internet" over this veth (benchmark range, never routed).
MGMT_LINK="$PREFIX-inet"
MGMT_MAIN=198.18.0.1
MGMT_INET=198.18.0.2
MGMT_NET=198.18.0.0/30

# The story's four sites.
STORY_SITES=(home parents vps branch)
SITES=("${STORY_SITES[@]}")
declare -A KIND=([home]=ios [parents]=ios [vps]=strongswan [branch]=strongswan)
declare -A WAN=([home]=198.51.100.1 [parents]=192.0.2.50 [vps]=203.0.113.7 [branch]=203.0.113.9)
declare -A GATEWAY=([home]=198.51.100.254 [parents]=192.0.2.254 [vps]=203.0.113.254 [branch]=203.0.113.254)
declare -A LAN=([home]=10.1.0.0/24 [parents]=10.3.0.0/24 [vps]=10.2.0.0/24 [branch]=10.4.0.0/24)
declare -A LAN_ADDRESS=([home]=10.1.0.1 [parents]=10.3.0.1 [vps]=10.2.0.1 [branch]=10.4.0.1)
# The "internet" segments: one bridge each in the inet namespace (named after the gateway), gateway .254.
declare -A SEGMENT_BRIDGE=([198.51.100.254]=seg198 [192.0.2.254]=seg192 [203.0.113.254]=seg203)

# Spokes: strongSwan sites spoke1..spokeN (lab.sh up --spokes N), for hubs with many real peers.
# The three documentation ranges are the story's segments (each a /24 on-link for its sites), so the
# spokes' segment is in 198.18.0.0/15, reserved for benchmarks (RFC 2544) like the management link
# and never routed on the Internet: spokeN has WAN 198.18.1.N/24 and LAN 10.100.N.0/24.
SPOKE_GATEWAY=198.18.1.254
SPOKE_MAX=253
SEGMENT_BRIDGE[$SPOKE_GATEWAY]=segspokes
# The number of spokes of the lab that is up (lab.sh up records it; down removes it).
SPOKES_FILE="$LAB_DIR/spokes"

# set_spokes N: SITES = the story's sites + spoke1..spokeN, with their addresses.
set_spokes() {
    local i site
    SITES=("${STORY_SITES[@]}")
    for ((i = 1; i <= $1; i++)); do
        site="spoke$i"
        SITES+=("$site")
        KIND[$site]=strongswan
        WAN[$site]="198.18.1.$i"
        GATEWAY[$site]="$SPOKE_GATEWAY"
        LAN[$site]="10.100.$i.0/24"
        LAN_ADDRESS[$site]="10.100.$i.1"
    done
}

recorded_spokes() { if [ -s "$SPOKES_FILE" ]; then cat "$SPOKES_FILE"; else echo 0; fi; }
set_spokes "$(recorded_spokes)"

site_ns() { echo "$PREFIX-$1"; }
site_dir() { echo "$LAB_DIR/sites/$1"; }
# The bridge in the inet namespace for a site's segment.
segment_bridge() { echo "${SEGMENT_BRIDGE[${GATEWAY[$1]}]}"; }

is_story_site() {
    local s
    for s in "${STORY_SITES[@]}"; do [ "$s" = "$1" ] && return 0; done
    return 1
}

is_site() {
    local s
    for s in "${SITES[@]}"; do [ "$s" = "$1" ] && return 0; done
    return 1
}

# pid_alive PIDFILE PATTERN: the process in PIDFILE runs and its command line contains PATTERN
# (guards against a recycled pid).
pid_alive() {
    local pid
    [ -s "$1" ] || return 1
    pid="$(cat "$1")"
    [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# The process holding a site's private mount namespace (and living in its network namespace).
holder_pid() {
    local file
    file="$(site_dir "$1")/pids/holder.pid"
    pid_alive "$file" "$PREFIX-holder-$1" || return 1
    cat "$file"
}
