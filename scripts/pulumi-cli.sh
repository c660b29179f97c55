#!/usr/bin/env bash
# Provides the Pulumi CLI, the Node.js language host and the dynamic-provider plugin.
# A `pulumi` already on PATH is used as is. Otherwise both Go binaries are built from the Go module
# proxy (the CLI's download site is not reachable from every machine) and cached, so that only the
# first run pays for the build. Prints the folder to put on PATH as its last line.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.248.0}"
# pulumi-language-nodejs has no tags of its own: it is the commit of release v3.248.0.
LANGUAGE_HOST_VERSION="${LANGUAGE_HOST_VERSION:-v3.0.0-20260624120734-a88168d865b7}"
CACHE_DIR="${PULUMI_CLI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ipsec-pulumi/pulumi-$PULUMI_VERSION}"
BIN_DIR="$CACHE_DIR/bin"
PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

log() { echo "[pulumi-cli] $*" >&2; }
fail() { echo "[pulumi-cli] ERROR: $*" >&2; exit 1; }

write_dynamic_provider_plugin() {
  # The engine looks for `pulumi-resource-pulumi-nodejs` on PATH to host dynamic providers.
  # It runs the SDK's dynamic-provider entry point of the project that is being deployed.
  cat >"$BIN_DIR/pulumi-resource-pulumi-nodejs" <<'PLUGIN'
#!/bin/sh
entry=$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || {
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi is not installed in $(pwd); run npm ci" >&2; exit 1; }
exec node "$entry" "$@"
PLUGIN
  chmod 0755 "$BIN_DIR/pulumi-resource-pulumi-nodejs"
}

if [ -z "${PULUMI_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "$BIN_DIR/pulumi" ]; then
  existing="$(dirname "$(command -v pulumi)")"
  log "using the pulumi on PATH: $(command -v pulumi) ($(pulumi version 2>/dev/null || echo unknown))"
  mkdir -p "$BIN_DIR"
  if ! command -v pulumi-resource-pulumi-nodejs >/dev/null 2>&1; then write_dynamic_provider_plugin; fi
  echo "$existing:$BIN_DIR"
  exit 0
fi

if [ -x "$BIN_DIR/pulumi" ] && [ -x "$BIN_DIR/pulumi-language-nodejs" ]; then
  log "cached CLI: $BIN_DIR ($("$BIN_DIR/pulumi" version 2>/dev/null || echo unknown))"
  write_dynamic_provider_plugin
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null 2>&1 || fail "Go is needed to build the Pulumi CLI from source (apt-get install golang, or put Go 1.22+ on PATH)"
mkdir -p "$BIN_DIR" "$CACHE_DIR/build-cli" "$CACHE_DIR/build-langhost"
started=$(date +%s)

build_module() { # dir module-require-lines package output
  local dir="$1" requires="$2" pkg="$3" out="$4"
  cat >"$dir/go.mod" <<GOMOD
module ipsecpulumi/build

go 1.24

require (
$requires
)

// pkg/v3 and the language host carry replace lines of their own, which Go ignores for dependencies.
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

if [ ! -x "$BIN_DIR/pulumi" ]; then
  build_module "$CACHE_DIR/build-cli" \
    "	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$BIN_DIR/pulumi"
  log "pulumi built after $(( $(date +%s) - started )) s"
fi
if [ ! -x "$BIN_DIR/pulumi-language-nodejs" ]; then
  build_module "$CACHE_DIR/build-langhost" \
    "	github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 $LANGUAGE_HOST_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION" \
    github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3 "$BIN_DIR/pulumi-language-nodejs"
  log "pulumi-language-nodejs built after $(( $(date +%s) - started )) s"
fi
write_dynamic_provider_plugin
log "ready: $("$BIN_DIR/pulumi" version)"
echo "$BIN_DIR"
