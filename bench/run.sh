#!/usr/bin/env bash
# The benchmark (bench/README.md): installs what it needs, brings up a lab of its own, runs
# node dist/bench/main.js with the arguments given (none: everything), takes the lab down.
#   bash bench/run.sh                                  # full run, report in bench/results/
#   bash bench/run.sh --scenarios hub-10 --cost off    # a part of it
# Run as root (the lab uses network namespaces). Like scripts/test.sh, the lab has a prefix and a
# network namespace of its own, so it coexists with other labs and test runs on the machine; the
# hub scenarios use emulated routers the benchmark starts itself on 127.0.0.1 in that namespace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

[ "$(id -u)" = 0 ] || { echo "bench/run.sh: run as root (the lab uses network namespaces)" >&2; exit 1; }

# Everything that needs the network happens here, before the run enters its own namespace.
[ -d node_modules/@pulumi/pulumi ] || npm ci --no-audit --no-fund
npm run build
PULUMI_BIN="$(bash scripts/pulumi-cli.sh | tail -n 1)"
bash lab/install-deps.sh
# Debian's Ansible (ansible-core 2.14 with the cisco.ios collection); network_cli needs paramiko.
if ! /usr/bin/python3 -c 'import paramiko' 2>/dev/null || ! [ -x /usr/bin/ansible-playbook ]; then
    echo "bench/run.sh: installing Debian's ansible and python3-paramiko" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends ansible python3-paramiko >/dev/null
fi
/usr/bin/ansible-galaxy collection list cisco.ios 2>/dev/null | grep -q '^cisco\.ios ' ||
    { echo "bench/run.sh: Debian's ansible has no cisco.ios collection here" >&2; exit 1; }

echo "bench/run.sh: load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (the report records it; ratios within one run are what compare)" >&2

# Runs a command in a network namespace, in the machine's mount namespace. (`ip netns exec` would
# give it a mount namespace of its own, where the namespaces lab.sh makes would be mounted only, so
# that a later `lab.sh down` could not reach them; lab/README.md, "Several labs on one machine".)
in_netns() {
    local ns="$1"
    shift
    nsenter --net="/run/netns/$ns" -- "$@"
}

# Labs of benchmark runs that ended without cleaning up (killed), whose process is gone.
remove_stale_labs() {
    local stale prefix pid
    for stale in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^ikb[0-9]+run$' || true); do
        prefix="${stale%run}"
        pid="${prefix#ikb}"
        kill -0 "$pid" 2>/dev/null && continue
        echo "bench/run.sh: removing the lab of an earlier run that ended without cleaning up ($prefix)" >&2
        LAB_PREFIX="$prefix" LAB_DIR="$repo/.lab-runs/$prefix" in_netns "$stale" bash lab/lab.sh down || true
        ip netns del "$stale" || true
        rm -rf "$repo/.lab-runs/$prefix"
    done
}
remove_stale_labs

export LAB_PREFIX="ikb$$"
export LAB_DIR="$repo/.lab-runs/$LAB_PREFIX"
run_ns="${LAB_PREFIX}run"
ip netns add "$run_ns"
ip -n "$run_ns" link set lo up
mkdir -p "$LAB_DIR/home"

cleanup() {
    in_netns "$run_ns" bash lab/lab.sh down >/dev/null 2>&1 || true
    ip netns del "$run_ns" 2>/dev/null || true
    rm -rf "$LAB_DIR"
}
trap cleanup EXIT

# Inside the run namespace, with a clean environment (as scripts/test.sh): nothing of the caller's
# home or shell (PULUMI_* variables, ~/.pulumi) changes a result.
in_netns "$run_ns" env -i PATH="$PATH" TERM="${TERM:-dumb}" LANG=C.UTF-8 HOME="$LAB_DIR/home" \
    PULUMI_BIN="$PULUMI_BIN" LAB_PREFIX="$LAB_PREFIX" LAB_DIR="$LAB_DIR" bash -c '
    bash lab/lab.sh up || exit
    exec node dist/bench/main.js "$@"' inner "$@"
