#!/usr/bin/env bash
# The lab: four sites in network namespaces joined by an "internet" namespace (see lab/README.md).
#   bash lab/lab.sh up            build the network, start what is not running (idempotent)
#   bash lab/lab.sh up --spokes N ... with N strongSwan spoke sites (or LAB_SPOKES=N); default: as many
#                                 as the lab has now (none at first)
#   bash lab/lab.sh down          stop everything, remove namespaces, links and runtime state
#   bash lab/lab.sh down --purge  ... and the generated keys and passwords too
#   bash lab/lab.sh status        hosts, addresses, SSH users, host keys, processes
# Run as root. LAB_DIR (default <repo>/.lab) holds keys, per-site state and lab.json.
set -euo pipefail
umask 077
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

die() { echo "lab: $*" >&2; exit 1; }
log() { echo "lab: $*" >&2; }

# ---------------------------------------------------------------- credentials

ensure_keys() {
    mkdir -p "$KEYS"
    chmod 0700 "$LAB_DIR" "$KEYS"
    local site
    for site in "${SITES[@]}"; do
        [ -s "$KEYS/$site.host_ed25519" ] ||
            ssh-keygen -q -t ed25519 -N '' -C "lab-$site" -f "$KEYS/$site.host_ed25519"
        if [ "${KIND[$site]}" = ios ]; then
            [ -s "$KEYS/$site.password" ] || random_secret >"$KEYS/$site.password"
            [ -s "$KEYS/$site.enable" ] || random_secret >"$KEYS/$site.enable"
        fi
    done
    [ -s "$KEYS/client_ed25519" ] ||
        ssh-keygen -q -t ed25519 -N '' -C lab-client -f "$KEYS/client_ed25519"
    cp "$KEYS/client_ed25519.pub" "$KEYS/authorized_keys"
    chmod 0600 "$KEYS"/*
}

# The deploy user (see common.sh): a system account, passwordless sudo for the lab only. sshd reads
# a user's authorized keys with that user's rights, so its key sits in the site's /run (0755), not in
# the root-only key folder. Its home exists only inside the sites, which mount a lab-made /home.
ensure_deploy_user() {
    local home="/home/$DEPLOY_USER"
    if ! id -u "$DEPLOY_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir "$home" --shell /bin/sh "$DEPLOY_USER"
        # '*': no password, but not locked ('!'), which sshd without PAM would refuse for keys too.
        usermod -p '*' "$DEPLOY_USER"
    elif [ "$(getent passwd "$DEPLOY_USER" | cut -d: -f6)" != "$home" ]; then
        usermod --home "$home" "$DEPLOY_USER"
    fi
    local rule="/etc/sudoers.d/$DEPLOY_USER"
    if [ ! -s "$rule" ]; then
        printf '%s ALL=(root) NOPASSWD: ALL\n' "$DEPLOY_USER" >"$rule.tmp"
        chmod 0440 "$rule.tmp"
        visudo -cqf "$rule.tmp" || die "visudo refused $rule.tmp"
        mv "$rule.tmp" "$rule"
    fi
}

remove_deploy_user() {
    rm -f "/etc/sudoers.d/$DEPLOY_USER"
    if id -u "$DEPLOY_USER" >/dev/null 2>&1; then userdel "$DEPLOY_USER"; fi
}

# 24 alphanumerics: nothing the IOS CLI or a shell would interpret.
random_secret() {
    local s=""
    while [ "${#s}" -lt 24 ]; do s+="$(head -c 64 /dev/urandom | tr -dc 'A-Za-z0-9')"; done
    printf '%s\n' "${s:0:24}"
}

fingerprint() { ssh-keygen -lf "$KEYS/$1.host_ed25519.pub" | awk '{print $2}'; }

# ---------------------------------------------------------------- network

ensure_ns() {
    if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; then
        [ -n "$(netns_inode "$1")" ] ||
            die "namespace $1 exists, but only in another mount namespace (a lab.sh that ran under 'ip netns exec' or 'unshare -m'): take it down with lab.sh down, and run lab.sh in the machine's mount namespace (to run it in a network namespace: nsenter --net=/run/netns/NAME, not ip netns exec)"
    else
        ip netns add "$1"
    fi
    ip -n "$1" link set lo up
}

# ensure_rule NS PREF ARGS...: one `ip rule` at a fixed preference.
ensure_rule() {
    local ns="$1" pref="$2"
    shift 2
    ip -n "$ns" rule show pref "$pref" | grep -q . || ip -n "$ns" rule add "$@" pref "$pref"
}

ensure_network() {
    local site ns seg br i gateway
    local -A gateways=()
    ensure_ns "$INET_NS"
    ip netns exec "$INET_NS" sysctl -qw net.ipv4.ip_forward=1
    # The "internet" never routes private addresses: without a tunnel, LAN-to-LAN traffic dies here.
    i=0
    for seg in 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16; do
        ensure_rule "$INET_NS" $((50 + i)) to "$seg" prohibit
        ensure_rule "$INET_NS" $((60 + i)) from "$seg" prohibit
        i=$((i + 1))
    done
    for site in "${SITES[@]}"; do gateways[${GATEWAY[$site]}]=1; done
    for gateway in "${!gateways[@]}"; do
        br="${SEGMENT_BRIDGE[$gateway]}"
        ip -n "$INET_NS" link show "$br" >/dev/null 2>&1 || ip -n "$INET_NS" link add "$br" type bridge
        ip -n "$INET_NS" addr replace "$gateway/24" dev "$br"
        ip -n "$INET_NS" link set "$br" up
    done

    # Management: main namespace <-> inet. Host routes only: this machine's own uplink may sit in
    # a documentation range too (192.0.2.0/24 here), and must keep working.
    ip link show "$MGMT_LINK" >/dev/null 2>&1 ||
        ip link add "$MGMT_LINK" type veth peer name mgmt0 netns "$INET_NS"
    ip addr replace "$MGMT_MAIN/30" dev "$MGMT_LINK"
    ip link set "$MGMT_LINK" up
    ip -n "$INET_NS" addr replace "$MGMT_INET/30" dev mgmt0
    ip -n "$INET_NS" link set mgmt0 up

    for site in "${SITES[@]}"; do
        ns="$(site_ns "$site")"
        br="$(segment_bridge "$site")"
        ensure_ns "$ns"
        ip -n "$ns" link show wan0 >/dev/null 2>&1 ||
            ip link add wan0 netns "$ns" type veth peer name "$site" netns "$INET_NS"
        ip -n "$INET_NS" link set "$site" master "$br" up
        ip -n "$ns" addr replace "${WAN[$site]}/24" dev wan0
        ip -n "$ns" link set wan0 up
        # The site's LAN is its router's LAN address (this kernel has no dummy interfaces).
        ip -n "$ns" addr replace "${LAN_ADDRESS[$site]}/32" dev lo
        ip -n "$ns" route replace default via "${GATEWAY[$site]}"
        # Management replies never enter a tunnel, whatever routes charon installs in table 220.
        ensure_rule "$ns" 100 to "$MGMT_NET" lookup main
        ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
        # An IOS site is a router: the hub (home) forwards LAN traffic from one tunnel into another
        # (in on ipsec0, out on ipsec0). strongSwan sites are hosts and do not forward.
        if [ "${KIND[$site]}" = ios ]; then
            ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
        fi
        ip route replace "${WAN[$site]}/32" via "$MGMT_INET" dev "$MGMT_LINK"
    done
}

# ---------------------------------------------------------------- per-site files

write_strongswan_conf() {
    local site="$1" dir routing_prio=220
    dir="$(site_dir "$site")"
    # IOS sites negotiate 0.0.0.0/0 selectors (route-based, like a Tunnel interface), and
    # kernel-libipsec installs a route per outbound policy in table 220 whatever
    # charon.install_routes says (strongSwan 5.9): a 0.0.0.0/0 route there would pull all traffic,
    # IKE to other peers included, into ipsec0. So on IOS sites table 220 is consulted only after
    # main (whose default route always answers): only routes the emulator adds to main for
    # `ip route PREFIX MASK TunnelN` (`PREFIX dev ipsec0 src LAN-ADDRESS`) lead into the tunnel.
    # strongSwan sites use LAN subnets as selectors, so charon's own routes are right there.
    [ "${KIND[$site]}" = ios ] && routing_prio=32800
    cat >"$dir/strongswan.conf.new" <<EOF
# Generated by lab/lab.sh for site $site.
charon {
    load_modular = yes
    routing_table = 220
    routing_table_prio = $routing_prio
    plugins {
        include /etc/strongswan.d/charon/*.conf
        # This kernel has no ESP in XFRM: userspace data path over the TUN device ipsec0.
        kernel-libipsec {
            load = yes
        }
        # IKE (and libipsec's UDP-encapsulated ESP) is marked so it bypasses table 220.
        socket-default {
            fwmark = 0x42
        }
        kernel-netlink {
            fwmark = !0x42
        }
    }
    filelog {
        lab {
            path = $dir/charon.log
            time_format = %b %e %T
            default = 1
            ike = 2
            cfg = 2
            flush_line = yes
        }
    }
}
include /etc/strongswan.d/*.conf
EOF
    # A changed file (a newer lab.sh) takes effect at this `up`: charon restarts.
    if cmp -s "$dir/strongswan.conf.new" "$dir/strongswan.conf"; then
        rm "$dir/strongswan.conf.new"
    else
        mv "$dir/strongswan.conf.new" "$dir/strongswan.conf"
        touch "$dir/pids/charon.restart"
    fi
}

write_site_files() {
    local site="$1" dir
    dir="$(site_dir "$site")"
    mkdir -p "$dir/pids" "$dir/run" "$dir/swanctl/conf.d" "$dir/state"
    for sub in x509 x509ca x509aa x509ocsp x509crl x509ac pubkey private rsa ecdsa bliss pkcs8 pkcs12; do
        mkdir -p "$dir/swanctl/$sub"
    done
    [ -s "$dir/swanctl/swanctl.conf" ] || echo 'include conf.d/*.conf' >"$dir/swanctl/swanctl.conf"
    write_strongswan_conf "$site"
    if [ "${KIND[$site]}" = strongswan ]; then
        chmod 0755 "$dir/run"
        install -m 0644 "$KEYS/client_ed25519.pub" "$dir/run/deploy_authorized_keys"
        cat >"$dir/sshd_config" <<EOF
# Generated by lab/lab.sh for site $site: root and $DEPLOY_USER, by key only.
Port 22
ListenAddress 0.0.0.0
HostKey $KEYS/$site.host_ed25519
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $KEYS/authorized_keys /run/deploy_authorized_keys
# The lab may live in a clone under a world-writable folder such as /tmp, whose modes StrictModes
# refuses; the key folder itself is 0700 and root's.
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PrintMotd no
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
    else
        local password enable
        password="$(cat "$KEYS/$site.password")"
        enable="$(cat "$KEYS/$site.enable")"
        # The emulator drives its site's charon (emulator/ios/ike) unless the lab runs without it.
        local ike=true
        [ "${LAB_IOS_CHARON:-1}" = 1 ] || ike=false
        cat >"$dir/emulator.json.new" <<EOF
{
  "hostname": "$site",
  "listenHost": "0.0.0.0",
  "port": 22,
  "hostKeyFile": "$KEYS/$site.host_ed25519",
  "users": [{ "username": "admin", "password": "$password", "privilege": 1 }],
  "enableSecret": "$enable",
  "stateDir": "$dir/state",
  "interfaces": [
    { "name": "GigabitEthernet1", "address": "${WAN[$site]}", "mask": "255.255.255.0" },
    { "name": "GigabitEthernet2", "address": "${LAN_ADDRESS[$site]}", "mask": "255.255.255.0" }
  ],
  "costModel": {},
  "ike": { "enabled": $ike, "lanAddress": "${LAN_ADDRESS[$site]}" }
}
EOF
        # A changed file (a newer lab.sh) takes effect at this `up`: the emulator restarts.
        if cmp -s "$dir/emulator.json.new" "$dir/emulator.json"; then
            rm "$dir/emulator.json.new"
        else
            mv "$dir/emulator.json.new" "$dir/emulator.json"
            touch "$dir/pids/emulator.restart"
        fi
    fi
}

# ---------------------------------------------------------------- processes

# The holder keeps the site's private mount namespace (per-site /run and /etc/swanctl bind-mounted)
# alive; every daemon of the site is started inside its mount and network namespaces. A site with an
# sshd also gets a login environment of its own (lab/login-env.sh): lab-made home directories and
# shell start-up files over the machine's, so that no start-up file of the machine runs in a login.
start_holder() {
    local site="$1" dir ns login=()
    dir="$(site_dir "$site")"
    ns="$(site_ns "$site")"
    stop_site_processes "$site"
    rm -f "$dir/pids/holder.pid"
    if [ "${KIND[$site]}" = strongswan ]; then
        bash "$LAB_SRC/login-env.sh" make "$dir/login" "lab site $site" "$DEPLOY_USER"
        login=(bash "$LAB_SRC/login-env.sh" enter "$dir/login" "$LAB_DIR" --)
    fi
    setsid ip netns exec "$ns" unshare -m --propagation private "${login[@]}" bash -c '
        mount --bind "$1/run" /run && mount --bind "$1/swanctl" /etc/swanctl || exit 1
        echo $$ >"$1/pids/holder.pid"
        exec -a "$2" sleep infinity' holder "$dir" "$PREFIX-holder-$site" </dev/null >/dev/null 2>"$dir/holder.out" &
    wait_for "holder of $site" 50 holder_pid "$site"
}

# spawn SITE NAME CMD...: run CMD inside the site's namespaces, detached, pid in pids/NAME.pid.
spawn() {
    local site="$1" name="$2" dir holder
    shift 2
    dir="$(site_dir "$site")"
    holder="$(holder_pid "$site")"
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' spawn "$dir/pids/$name.pid" \
        nsenter -t "$holder" -m -n -- "$@" </dev/null >>"$dir/$name.out" 2>&1 &
}

# wait_for WHAT TENTHS CMD...: poll CMD every 0.1 s.
wait_for() {
    local what="$1" tries="$2"
    shift 2
    while ! "$@" >/dev/null 2>&1; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || { log "$what did not come up"; return 1; }
        sleep 0.1
    done
}

# The hook for IOS sites too: the emulator drives this charon over its default VICI socket
# (/run/charon.vici inside the site's mount namespace).
start_charon() {
    local site="$1" dir
    dir="$(site_dir "$site")"
    if pid_alive "$dir/pids/charon.pid" /usr/lib/ipsec/charon; then
        [ -e "$dir/pids/charon.restart" ] || return 0
        log "$site: strongswan.conf changed, restarting charon"
        kill "$(cat "$dir/pids/charon.pid")"
        wait_for "charon of $site to stop" 50 charon_stopped "$site"
    fi
    rm -f "$dir/pids/charon.restart"
    rm -f "$dir/run/charon.pid" "$dir/run/charon.vici"
    spawn "$site" charon env STRONGSWAN_CONF="$dir/strongswan.conf" /usr/lib/ipsec/charon
    wait_for "charon of $site (see $dir/charon.log)" 100 test -S "$dir/run/charon.vici"
}

emulator_stopped() { ! pid_alive "$(site_dir "$1")/pids/emulator.pid" "$(emulator_main)"; }

charon_stopped() { ! pid_alive "$(site_dir "$1")/pids/charon.pid" /usr/lib/ipsec/charon; }

start_sshd() {
    local site="$1" dir
    dir="$(site_dir "$site")"
    pid_alive "$dir/pids/sshd.pid" /usr/sbin/sshd && return 0
    mkdir -p "$dir/run/sshd"
    chmod 0755 "$dir/run/sshd"
    spawn "$site" sshd /usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log"
    wait_for "sshd of $site (see $dir/sshd.log)" 50 port_open "$site" 22
}

port_open() {
    ip netns exec "$(site_ns "$1")" bash -c "exec 3<>/dev/tcp/127.0.0.1/$2" 2>/dev/null
}

emulator_main() { echo "$REPO/dist/emulator/ios/main.js"; }

ensure_emulator_built() {
    [ -f "$(emulator_main)" ] && return 0
    log "building (dist/emulator/ios/main.js is missing)"
    (cd "$REPO" && npm run build >&2) || true
    [ -f "$(emulator_main)" ] ||
        { log "the IOS emulator is not built: $(emulator_main) is missing after 'npm run build'"; return 1; }
}

start_emulator() {
    local site="$1" dir
    dir="$(site_dir "$site")"
    if pid_alive "$dir/pids/emulator.pid" "$(emulator_main)"; then
        [ -e "$dir/pids/emulator.restart" ] || return 0
        log "$site: emulator.json changed, restarting the emulator"
        kill "$(cat "$dir/pids/emulator.pid")"
        wait_for "emulator of $site to stop" 50 emulator_stopped "$site"
    fi
    rm -f "$dir/pids/emulator.restart"
    ensure_emulator_built || return 1
    : >"$dir/emulator.out"
    spawn "$site" emulator node "$(emulator_main)" --config "$dir/emulator.json"
    wait_for "IOS emulator of $site (see $dir/emulator.out)" 150 grep -q 'listening on' "$dir/emulator.out"
}

# netns_inode NAME: the inode of the network namespace that `ip netns add NAME` made, if the name
# still leads to it here. A namespace made by a lab.sh that ran in another mount namespace (under
# `ip netns exec` or `unshare -m`) is mounted only there: here its name is an empty file.
netns_inode() {
    local file="/run/netns/$1"
    [ "$(stat -f -c %T "$file" 2>/dev/null)" = nsfs ] || return 0
    stat -L -c %i "$file"
}

# site_netns_inodes SITE: the site's network namespace, by its name and through the live processes
# of its pid files (each checked to be the site's own: a pid may have been reused). Never the
# namespace this script runs in.
site_netns_inodes() {
    local site="$1" dir file pid own
    dir="$(site_dir "$site")"
    own="$(stat -L -c %i /proc/self/ns/net)"
    {
        netns_inode "$(site_ns "$site")"
        for file in "$dir"/pids/*.pid; do
            [ -s "$file" ] || continue
            pid="$(cat "$file")"
            case "$(basename "$file" .pid)" in
                holder) pid_alive "$file" "$PREFIX-holder-$site" || continue ;;
                sshd) pid_alive "$file" "$dir/sshd_config" || continue ;;
                emulator) pid_alive "$file" "$dir/emulator.json" || continue ;;
                charon) tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "STRONGSWAN_CONF=$dir/strongswan.conf" || continue ;;
                *) continue ;;
            esac
            stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null || true
        done
    } | sort -u | grep -vx "$own" || true
}

# netns_pids INODE...: the processes (not zombies) in those network namespaces.
netns_pids() {
    [ "$#" -gt 0 ] || return 0
    # Processes come and go while stat runs: its complaints about vanished ones are expected.
    { stat -L -c '%i %n' /proc/[0-9]*/ns/net 2>/dev/null || true; } | awk -v want=" $* " '
        index(want, " " $1 " ") { split($2, p, "/"); print p[3] }'
}

# stop_netns_processes INODE...: TERM every process in those network namespaces (daemons, SSH
# sessions, holders), wait up to 3 s, then KILL what is left.
stop_netns_processes() {
    local pids tries=30
    pids="$(netns_pids "$@")"
    [ -n "$pids" ] || return 0
    kill $pids 2>/dev/null || true
    while [ -n "$(netns_pids "$@")" ] && [ "$tries" -gt 0 ]; do
        sleep 0.1
        tries=$((tries - 1))
    done
    pids="$(netns_pids "$@")"
    [ -z "$pids" ] || kill -9 $pids 2>/dev/null || true
}

# Stops every process of a site.
stop_site_processes() {
    local inodes
    inodes="$(site_netns_inodes "$1")"
    [ -z "$inodes" ] || stop_netns_processes $inodes
}

# Killed daemons were orphans of this script: this machine's PID 1 reaps them within a few
# seconds. Wait for that (bounded), so `down` returning means no process is left.
wait_reaped() {
    local pid tries=60
    for pid in "$@"; do
        while [ -e "/proc/$pid" ] && [ "$tries" -gt 0 ]; do
            sleep 0.1
            tries=$((tries - 1))
        done
    done
    for pid in "$@"; do [ ! -e "/proc/$pid" ] || log "process $pid not reaped yet (zombie)"; done
}

# ---------------------------------------------------------------- lab.json

write_lab_json() {
    local site dir first=1 spokes=() out="$LAB_DIR/lab.json.tmp"
    for site in "${SITES[@]}"; do if ! is_story_site "$site"; then spokes+=("\"$site\""); fi; done
    {
        printf '{\n  "labDir": "%s",\n' "$LAB_DIR"
        printf '  "management": { "link": "%s", "address": "%s", "gateway": "%s" },\n' \
            "$MGMT_LINK" "$MGMT_MAIN" "$MGMT_INET"
        printf '  "spokes": [%s],\n' "$(IFS=,; echo "${spokes[*]}" | sed 's/,/, /g')"
        printf '  "hosts": {'
        for site in "${SITES[@]}"; do
            dir="$(site_dir "$site")"
            [ "$first" = 1 ] || printf ','
            first=0
            printf '\n    "%s": {\n' "$site"
            printf '      "kind": "%s",\n      "namespace": "%s",\n' "${KIND[$site]}" "$(site_ns "$site")"
            printf '      "wan": "%s",\n      "wanPrefixLength": 24,\n      "gateway": "%s",\n' "${WAN[$site]}" "${GATEWAY[$site]}"
            printf '      "lan": "%s",\n      "lanAddress": "%s",\n' "${LAN[$site]}" "${LAN_ADDRESS[$site]}"
            printf '      "ssh": { "host": "%s", "port": 22, ' "${WAN[$site]}"
            if [ "${KIND[$site]}" = ios ]; then
                printf '"username": "admin", "passwordFile": "%s", "enableSecretFile": "%s", ' \
                    "$KEYS/$site.password" "$KEYS/$site.enable"
            else
                printf '"username": "root", "sudoUser": "%s", "privateKeyFile": "%s", ' "$DEPLOY_USER" "$KEYS/client_ed25519"
            fi
            printf '"hostKey": "%s", "hostPublicKeyFile": "%s" },\n' "$(fingerprint "$site")" "$KEYS/$site.host_ed25519.pub"
            printf '      "vici": "unix://%s/run/charon.vici",\n' "$dir"
            printf '      "rundir": "%s/run",\n      "swanctlDir": "%s/swanctl",\n' "$dir" "$dir"
            printf '      "strongswanConf": "%s/strongswan.conf",\n      "charonLog": "%s/charon.log"' "$dir" "$dir"
            [ "${KIND[$site]}" = ios ] && printf ',\n      "emulatorConfig": "%s/emulator.json",\n      "stateDir": "%s/state"' "$dir" "$dir"
            printf '\n    }'
        done
        printf '\n  }\n}\n'
    } >"$out"
    mv "$out" "$LAB_DIR/lab.json"
}

# ---------------------------------------------------------------- commands

# Starts what is not running in one site; the holder first, then charon, then sshd or the emulator.
start_site() {
    local site="$1"
    write_site_files "$site"
    # A site with an sshd whose holder has no login environment was started by an older lab.sh.
    if ! holder_pid "$site" >/dev/null ||
        { [ "${KIND[$site]}" = strongswan ] && [ ! -d "$(site_dir "$site")/login/root" ]; }; then
        start_holder "$site" || return 1
    fi
    if [ "${KIND[$site]}" = strongswan ]; then
        start_charon "$site" && start_sshd "$site"
    else
        # LAB_IOS_CHARON=0 leaves IOS sites without charon.
        if [ "${LAB_IOS_CHARON:-1}" = 1 ]; then start_charon "$site" || return 1; fi
        [ "$emulator_ready" = 1 ] && start_emulator "$site"
    fi
}

# Removes one site completely: its processes, namespace (with its veth pair), host route and files.
remove_site() {
    local site="$1" ns inodes pids=()
    ns="$(site_ns "$site")"
    inodes="$(site_netns_inodes "$site")"
    if [ -n "$inodes" ]; then
        pids=($(netns_pids $inodes))
        stop_netns_processes $inodes
    fi
    if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$ns"; then ip netns del "$ns"; fi
    wait_reaped ${pids[@]+"${pids[@]}"}
    if [ -n "${WAN[$site]:-}" ]; then ip route del "${WAN[$site]}/32" dev "$MGMT_LINK" 2>/dev/null || true; fi
    rm -rf "$(site_dir "$site")"
}

# Spokes beyond N (recorded, or left by an `up` that was interrupted) go.
remove_spokes_beyond() {
    local n="$1" ns site
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$PREFIX-spoke[0-9]+\$" || true); do
        site="${ns#"$PREFIX-"}"
        [ "${site#spoke}" -gt "$n" ] || continue
        log "removing $site"
        remove_site "$site"
    done
}

cmd_up() {
    local started site emulator_ready=1 failed=() spokes="${LAB_SPOKES:-}"
    local -A jobs=()
    started=$(date +%s%N)
    while [ "$#" -gt 0 ]; do
        case "$1" in
            --spokes) [ "$#" -ge 2 ] || die "--spokes needs a number"; spokes="$2"; shift 2 ;;
            --spokes=*) spokes="${1#--spokes=}"; shift ;;
            *) die "unknown argument '$1' (usage: lab.sh up [--spokes N])" ;;
        esac
    done
    [ -n "$spokes" ] || spokes="$(recorded_spokes)"
    [[ "$spokes" =~ ^[0-9]{1,3}$ ]] && [ "$((10#$spokes))" -le "$SPOKE_MAX" ] ||
        die "the number of spokes (--spokes or LAB_SPOKES) must be 0 to $SPOKE_MAX (got '$spokes')"
    spokes=$((10#$spokes))
    bash "$LAB_SRC/install-deps.sh"
    remove_spokes_beyond "$spokes"
    set_spokes "$spokes"
    ensure_keys
    echo "$spokes" >"$SPOKES_FILE"
    ensure_deploy_user
    ensure_network
    ensure_emulator_built || emulator_ready=0
    # Sites are independent: start them in parallel.
    for site in "${SITES[@]}"; do
        start_site "$site" &
        jobs[$site]=$!
    done
    for site in "${SITES[@]}"; do
        wait "${jobs[$site]}" || failed+=("$site")
    done
    write_lab_json
    log "up in $(( ($(date +%s%N) - started) / 1000000 )) ms; $LAB_DIR/lab.json"
    [ "${#failed[@]}" -eq 0 ] || die "not running: ${failed[*]} (bash lab/lab.sh status; logs in $LAB_DIR/sites/SITE/)"
}

cmd_down() {
    local started ns site inodes pids
    started=$(date +%s%N)
    # Every namespace named PREFIX-*, and every site that has files (pid files lead to a namespace
    # whose name no longer does, see netns_inode).
    inodes="$(
        for ns in $(lab_namespaces); do netns_inode "$ns"; done
        for site in $(ls "$LAB_DIR/sites" 2>/dev/null); do site_netns_inodes "$site"; done
    )"
    inodes="$(echo $inodes | tr ' ' '\n' | sort -u)"
    pids="$(netns_pids $inodes)"
    [ -z "$inodes" ] || stop_netns_processes $inodes
    for ns in $(lab_namespaces); do ip netns del "$ns"; done
    wait_reaped $pids
    ip link show "$MGMT_LINK" >/dev/null 2>&1 && ip link del "$MGMT_LINK"
    rm -rf "$LAB_DIR/sites" "$LAB_DIR/lab.json" "$SPOKES_FILE"
    remove_deploy_user
    if [ "${1:-}" = --purge ]; then rm -rf "$LAB_DIR"; fi
    log "down in $(( ($(date +%s%N) - started) / 1000000 )) ms"
}

lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-" || true; }

process_state() {
    local site="$1" name="$2" pattern="$3" file
    file="$(site_dir "$site")/pids/$name.pid"
    if pid_alive "$file" "$pattern"; then echo "$name($(cat "$file"))"; else echo "$name(DOWN)"; fi
}

cmd_status() {
    local site ok=0 procs user
    if ! ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$INET_NS"; then
        echo "lab is down"
        return 1
    fi
    printf '%-8s %-11s %-15s %-14s %-6s %-52s %s\n' SITE KIND WAN LAN SSH HOSTKEY PROCESSES
    for site in "${SITES[@]}"; do
        procs="$(process_state "$site" holder "$PREFIX-holder-$site")"
        procs+=" $(process_state "$site" charon /usr/lib/ipsec/charon)"
        if [ "${KIND[$site]}" = strongswan ]; then
            user=root
            procs+=" $(process_state "$site" sshd /usr/sbin/sshd)"
        else
            user=admin
            procs+=" $(process_state "$site" emulator "$(emulator_main)")"
        fi
        case "$procs" in *DOWN*) ok=1 ;; esac
        printf '%-8s %-11s %-15s %-14s %-6s %-52s %s\n' "$site" "${KIND[$site]}" "${WAN[$site]}" \
            "${LAN[$site]}" "$user" "$(fingerprint "$site" 2>/dev/null || echo '?')" "$procs"
    done
    echo "management: $MGMT_LINK $MGMT_MAIN (main namespace) <-> mgmt0 $MGMT_INET (namespace $INET_NS); lab.json: $LAB_DIR/lab.json"
    echo "IOS passwords: $KEYS/<site>.password, enable secrets: $KEYS/<site>.enable; root key: $KEYS/client_ed25519"
    return "$ok"
}

[ "$(id -u)" = 0 ] || die "run as root (the lab uses network namespaces)"
case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    down) cmd_down "${2:-}" ;;
    status) cmd_status ;;
    *) die "usage: lab.sh up [--spokes N] | down [--purge] | status" ;;
esac
