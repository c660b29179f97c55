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
# a private ~/.pulumi), no PULUMI_* or other variables of the caller (only TERM and CI), and a PATH of
# the system's folders, node's and the Pulumi CLI's (not, say, a pyenv's shims from the caller's
# shell). KEEP_LAB=1 leaves the run's lab up (and says how to enter it) instead of taking it down.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"

[ "$(id -u)" = 0 ] || { echo "scripts/test.sh: run as root (the lab uses network namespaces)" >&2; exit 1; }

# Everything that needs the network happens here, before the run enters its own namespace.
[ -d node_modules/@pulumi/pulumi ] || npm ci --no-audit --no-fund
npm run build
npm run lint
# The machine's CLI cache (the last folder pulumi-cli.sh prints is its bin/), built if missing.
shared_cli="$(bash scripts/pulumi-cli.sh | tail -n 1)"
shared_cli_cache="$(dirname "${shared_cli##*:}")"
# npm keeps the machine's cache although the tests get a private HOME.
NPM_CACHE="$(npm config get cache)"
# The release check (tests/e2e/release.test.ts) installs the packed package into a new project with
# `npm install --offline`: put what that install needs into npm's cache now.
node dist/scripts/release-check.js prepare-cache
bash lab/install-deps.sh
# netmiko: an independent client the emulator's safety-net tests drive (tests/emulator/safety.test.ts).
dpkg-query -W -f='${Status}' python3-netmiko 2>/dev/null | grep -q 'install ok installed' || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-netmiko >/dev/null; }
# Debian's Ansible with paramiko: the benchmark's smoke run (tests/e2e/bench.test.ts) compares with ios_config.
for pkg in ansible python3-paramiko; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends ansible python3-paramiko >/dev/null; break; }
done

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

# The run's own copy of the cached CLI: other checkouts on this machine rebuild the shared cache's
# language host from their own source (scripts/pulumi-cli.sh keys it by a hash of that source), and
# the tests run pulumi-cli.sh again, inside the run namespace, where nothing can be built. The big
# binaries are hard links (a rebuild replaces the shared file by a rename, the link keeps ours);
# pulumi-cli.sh against the copy then rebuilds here, now, only if the copy is not this checkout's.
export PULUMI_CLI_CACHE="$LAB_DIR/pulumi-cli"
mkdir -p "$PULUMI_CLI_CACHE/bin"
for f in "$shared_cli_cache/bin"/*; do
    case "$(basename "$f")" in
        pulumi | pulumi-language-nodejs) ln "$f" "$PULUMI_CLI_CACHE/bin/" 2>/dev/null || cp -p "$f" "$PULUMI_CLI_CACHE/bin/" ;;
        *) cp -p "$f" "$PULUMI_CLI_CACHE/bin/" ;;
    esac
done
PULUMI_BIN="$(bash scripts/pulumi-cli.sh | tail -n 1)"

# Inside the run namespace, with a clean environment: the lab, then mocha, with the Pulumi CLI on PATH.
clean_env=(
    PATH="$PULUMI_BIN:$(dirname "$(command -v node)"):/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    TERM="${TERM:-dumb}" LANG=C.UTF-8
    HOME="$LAB_DIR/home" PULUMI_HOME="$LAB_DIR/home/.pulumi"
    PULUMI_CLI_CACHE="$PULUMI_CLI_CACHE" npm_config_cache="$NPM_CACHE"
    LAB_PREFIX="$LAB_PREFIX" LAB_DIR="$LAB_DIR"
)
if [ -n "${CI:-}" ]; then clean_env+=(CI="$CI"); fi

log="$(mktemp)"
set +e
# --norc: a `bash -c` that takes itself for a command of sshd (stdin a socket, no SHLVL) would read
# the machine's /etc/bash.bashrc.
in_netns "$run_ns" env -i "${clean_env[@]}" bash --norc -c '
    bash lab/lab.sh up || exit
    [ "$#" -gt 0 ] || set -- "dist/tests/**/*.test.js"
    exec npx mocha "$@"' inner "$@" </dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^ *[0-9]+ passing' "$log" | grep -Eo '[0-9]+' || echo 0)
failed=$(grep -Eo '^ *[0-9]+ failing' "$log" | grep -Eo '[0-9]+' || echo 0)
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed"
exit "$status"
