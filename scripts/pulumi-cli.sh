#!/usr/bin/env bash
# Provides the Pulumi CLI, the Node.js language host and the dynamic-provider plugin.
# A `pulumi` already on PATH is used as is. Otherwise the CLI is built from the Go module proxy (the
# CLI's download site is not reachable from every machine) and cached, so that only the first run
# pays for the build. The proxy refuses the upstream language host module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3: 403 for every version), so
# pulumi-language-nodejs is our own, built from tools/pulumi-language-nodejs (with its launcher.js installed
# beside it) and rebuilt whenever its source changes. Progress goes to stderr; the last stdout line is the
# folder to put on PATH.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.248.0}"
CACHE_DIR="${PULUMI_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipsec-pulumi/pulumi-$PULUMI_VERSION}"
BIN_DIR="$CACHE_DIR/bin"
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LANGUAGE_HOST_SRC="$PROJECT_DIR/tools/pulumi-language-nodejs"

log() { echo "[pulumi-cli] $*" >&2; }
fail() { echo "[pulumi-cli] ERROR: $*" >&2; exit 1; }

write_dynamic_provider_plugin() {
  # The engine looks for `pulumi-resource-pulumi-nodejs` on PATH to host dynamic providers.
  # It runs the SDK's dynamic-provider entry point of the project that is being deployed.
  # Written beside it and renamed over it: rewriting the file in place while another run's engine
  # starts it fails that start with "text file busy" (the cache is shared by concurrent test runs).
  local tmp="$BIN_DIR/pulumi-resource-pulumi-nodejs.$$.tmp"
  cat >"$tmp" <<'PLUGIN'
#!/bin/sh
entry=$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || {
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed in $(pwd); run npm ci" >&2; exit 1; }
exec node "$entry" "$@"
PLUGIN
  chmod 0755 "$tmp"
  mv -f "$tmp" "$BIN_DIR/pulumi-resource-pulumi-nodejs"
}

require_go() {
  command -v go >/dev/null 2>&1 || fail "Go is needed to build $1 (apt-get install golang, or put Go 1.25+ on PATH)"
}

language_host_stamp() { # hash of the sources the cached language host and its launcher were built from
  (cd "$LANGUAGE_HOST_SRC" && cat go.mod go.sum ./*.go launcher.js) | sha256sum | cut -d' ' -f1
}

ensure_language_host() {
  [ -f "$LANGUAGE_HOST_SRC/go.mod" ] || fail "missing $LANGUAGE_HOST_SRC/go.mod: the language host source is part of this repository"
  local stamp; stamp="$(language_host_stamp)"
  if [ -x "$BIN_DIR/pulumi-language-nodejs" ] && [ -f "$BIN_DIR/pulumi-language-nodejs-launcher.js" ] \
     && [ "$(cat "$BIN_DIR/pulumi-language-nodejs.stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  require_go pulumi-language-nodejs
  mkdir -p "$BIN_DIR"
  # Checkouts with other host sources share this cache: one build at a time, and a build another
  # process finished while we waited for the lock is used as is.
  exec 9>"$CACHE_DIR/langhost.lock"
  flock 9
  if [ -x "$BIN_DIR/pulumi-language-nodejs" ] && [ -f "$BIN_DIR/pulumi-language-nodejs-launcher.js" ] \
     && [ "$(cat "$BIN_DIR/pulumi-language-nodejs.stamp" 2>/dev/null)" = "$stamp" ]; then
    exec 9>&-
    return 0
  fi
  local t0; t0=$(date +%s)
  log "compiling pulumi-language-nodejs from $LANGUAGE_HOST_SRC"
  (cd "$LANGUAGE_HOST_SRC" && go build -mod=readonly \
     -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}" \
     -o "$BIN_DIR/pulumi-language-nodejs.tmp" . >"$CACHE_DIR/build-langhost.log" 2>&1) \
    || { tail -20 "$CACHE_DIR/build-langhost.log" >&2; fail "go build of pulumi-language-nodejs failed (see $CACHE_DIR/build-langhost.log)"; }
  # The host runs every program through this script (why: see its header), found beside the binary.
  install -m 0644 "$LANGUAGE_HOST_SRC/launcher.js" "$BIN_DIR/pulumi-language-nodejs-launcher.js.tmp"
  mv "$BIN_DIR/pulumi-language-nodejs-launcher.js.tmp" "$BIN_DIR/pulumi-language-nodejs-launcher.js"
  mv "$BIN_DIR/pulumi-language-nodejs.tmp" "$BIN_DIR/pulumi-language-nodejs"
  echo "$stamp" >"$BIN_DIR/pulumi-language-nodejs.stamp"
  log "pulumi-language-nodejs built in $(( $(date +%s) - t0 )) s"
  exec 9>&-
}

if [ -z "${PULUMI_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "$BIN_DIR/pulumi" ]; then
  existing="$(dirname "$(command -v pulumi)")"
  log "using the pulumi on PATH: $(command -v pulumi) ($(pulumi version 2>/dev/null || echo unknown))"
  mkdir -p "$BIN_DIR"
  # That installation's own language host wins; ours is built only when PATH has none (or only ours).
  host_on_path="$(command -v pulumi-language-nodejs || true)"
  if [ -z "$host_on_path" ] || [ "$host_on_path" = "$BIN_DIR/pulumi-language-nodejs" ]; then ensure_language_host; fi
  if ! command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1; then write_dynamic_provider_plugin; fi
  echo "$existing:$BIN_DIR"
  exit 0
fi

mkdir -p "$BIN_DIR"
if [ -x "$BIN_DIR/pulumi" ]; then
  log "cached CLI: $BIN_DIR ($("$BIN_DIR/pulumi" version 2>/dev/null || echo unknown))"
  ensure_language_host
  write_dynamic_provider_plugin
  echo "$BIN_DIR"
  exit 0
fi

require_go "the Pulumi CLI from source"
mkdir -p "$CACHE_DIR/build-cli"
started=$(date +%s)

build_module() { # dir module-require-lines package output
  local dir="$1" requires="$2" pkg="$3" out="$4"
  cat >"$dir/go.mod" <<GOMOD
module ipsecpulumi/build

go 1.24

require (
$requires
)

// pkg/v3 carries replace lines of its own, which Go ignores for dependencies.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
GOMOD
  cat >"$dir/tools.go" <<GOSRC
//go:build tools

package build

import _ "$pkg"
GOSRC
  (cd "$dir" && log "resolving modules for $pkg" && GOFLAGS=-mod=mod go mod tidy >"$dir/tidy.log" 2>&1) \
    || { tail -20 "$dir/tidy.log" >&2; fail "go mod tidy failed for $pkg (see $dir/tidy.log)"; }
  (cd "$dir" && log "compiling $pkg (the first build takes many minutes)" && \
     go build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${PULUMI_VERSION}" -o "$out.tmp" "$pkg" >"$dir/build.log" 2>&1) \
    || { tail -20 "$dir/build.log" >&2; fail "go build failed for $pkg (see $dir/build.log)"; }
  mv "$out.tmp" "$out"
}

build_module "$CACHE_DIR/build-cli" \
  "	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$BIN_DIR/pulumi"
log "pulumi built after $(( $(date +%s) - started )) s"
ensure_language_host
write_dynamic_provider_plugin
log "ready: $("$BIN_DIR/pulumi" version)"
echo "$BIN_DIR"
