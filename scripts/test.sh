#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests over SSH against the lab (IOS emulators and
# real strongSwan in network namespaces), and end-to-end tests with the real Pulumi CLI.
# Run as root (the lab needs network namespaces). Arguments go to mocha instead of every test file
# (e.g. `bash scripts/test.sh dist/tests/integration/ios-provider.test.js`).
#
# The run is hermetic: its lab has a prefix of its own (LAB_PREFIX) and lives in a network namespace
# of its own (the "run namespace", where the lab's management link and routes are made), with its
# files in .lab-runs/PREFIX. A lab brought up by hand or by scripts/demo.sh, or another test run at
# the same time, is neither touched nor seen. The tests get a clean environment: a private HOME (so
# a private ~/.pulumi), no PULUMI_* or other variables of the caller, only PATH, TERM, CI and what is
# set below. KEEP_LAB=1 leaves the run's lab up (and says how to enter it) instead of taking it down.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (the lab uses network namespaces)" >&2; exit 1; }

# Everything that needs the network happens here, before the run enters its own namespace.
[ -d node_modules/@pulumi/pulumi ] || npm ci --no-audit --no-fund
npm run build
npm run lint
PULUMI_BIN="$(bash scripts/pulumi-cli.sh | tail -n 1)"
# The tests run pulumi-cli.sh again, with a private HOME: point them at the same cached CLI (the
# last folder it printed is the cache's bin/), and npm at the machine's cache.
PULUMI_CLI_CACHE="$(dirname "${PULUMI_BIN##*:}")"
NPM_CACHE="$(npm config get cache)"
bash lab/install-deps.sh
# netmiko: an independent client the emulator's safety-net tests drive (tests/emulator/safety.test.ts).
dpkg-query -W -f='${Status}' python3-netmiko 2>/dev/null | grep -q 'install ok installed' || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-netmiko >/dev/null; }

# Runs a command in a network namespace, in the machine's mount namespace. (`ip netns exec` would
# give it a mount namespace of its own, where namespaces that lab.sh makes would be mounted only.)
in_netns() {
    local ns="$1"
    shift
    nsenter --net="/run/netns/$ns" -- "$@"
}

# Labs of runs that ended without cleaning up (killed): this script's (ikt<pid>, run namespace
# ikt<pid>run) and second labs that tests bring up (iks<pid>, see tests/lab/second-lab.test.ts),
# whose process is gone.
remove_stale_labs() {
    local stale prefix pid
    for stale in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^ik[ts][0-9]+run$' || true); do
        prefix="${stale%run}"
        pid="${prefix#ik?}"
        kill -0 "$pid" 2>/dev/null && continue
        echo "scripts/test.sh: removing the lab of an earlier run that ended without cleaning up ($prefix)" >&2
        if [ "$(stat -f -c %T "/run/netns/$stale" 2>/dev/null)" = nsfs ]; then
            LAB_PREFIX="$prefix" LAB_DIR="$repo/.lab-runs/$prefix" in_netns "$stale" bash lab/lab.sh down || true
        else
            # Made in a mount namespace that is gone: its management link went with it.
            LAB_PREFIX="$prefix" LAB_DIR="$repo/.lab-runs/$prefix" bash lab/lab.sh down || true
        fi
        ip netns del "$stale" || true
        rm -rf "$repo/.lab-runs/$prefix"
    done
}
remove_stale_labs

export LAB_PREFIX="ikt$$"
export LAB_DIR="$repo/.lab-runs/$LAB_PREFIX"
run_ns="${LAB_PREFIX}run"
ip netns add "$run_ns"
ip -n "$run_ns" link set lo up
mkdir -p "$LAB_DIR/home"

cleanup() {
    if [ -n "${KEEP_LAB:-}" ]; then
        echo "scripts/test.sh: the lab is kept: nsenter --net=/run/netns/$run_ns env LAB_PREFIX=$LAB_PREFIX LAB_DIR=$LAB_DIR bash" >&2
        return
    fi
    in_netns "$run_ns" bash lab/lab.sh down || true
    ip netns del "$run_ns" 2>/dev/null || true
    rm -rf "$LAB_DIR"
    remove_stale_labs
}
trap cleanup EXIT

# Inside the run namespace, with a clean environment: the lab, then mocha, with the Pulumi CLI on PATH.
clean_env=(
    PATH="$PULUMI_BIN:$PATH" TERM="${TERM:-dumb}" LANG=C.UTF-8
    HOME="$LAB_DIR/home" PULUMI_HOME="$LAB_DIR/home/.pulumi"
    PULUMI_CLI_CACHE="$PULUMI_CLI_CACHE" npm_config_cache="$NPM_CACHE"
    LAB_PREFIX="$LAB_PREFIX" LAB_DIR="$LAB_DIR"
)
if [ -n "${CI:-}" ]; then clean_env+=(CI="$CI"); fi

log="$(mktemp)"
set +e
in_netns "$run_ns" env -i "${clean_env[@]}" bash -c '
    bash lab/lab.sh up || exit
    [ "$#" -gt 0 ] || set -- "dist/tests/**/*.test.js"
    exec npx mocha "$@"' inner "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^ *[0-9]+ passing' "$log" | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ failing' "$log" | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
