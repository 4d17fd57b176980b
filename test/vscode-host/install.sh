#!/usr/bin/env bash
# Installs the Runlens test host: Debian's headless Chromium and code-server 4.100.3 (= VS Code 1.100)
# with playwright-core and @vscode/test-electron, into test/vscode-host/node_modules.
#
# Idempotent: apt is skipped when its packages are present, and `npm ci` is skipped when
# node_modules was installed from the same package-lock.json with the same Node (stamp file).
# Needs root (or password-less sudo) for apt; reaches only the npm registry and Debian apt.
set -euo pipefail
HOST_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HOST_DIR"

APT_PACKAGES=(chromium libkrb5-dev ripgrep)
# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable; it first looks in
# os.tmpdir()/vscode-ripgrep-cache-<pkg version>/ for the archive. Both names below are pinned by
# code-server 4.100.3's lib/vscode shrinkwrap (@vscode/ripgrep 1.15.11, VERSION v13.0.0-10, musl target,
# see its lib/postinstall.js and lib/download.js); re-read them when code-server is upgraded.
RG_PKG_VERSION=1.15.11
RG_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
STAMP="$HOST_DIR/node_modules/.runlens-install-stamp"

log() { echo "[vscode-host] $*"; }

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" != 20 ]; then
  log "code-server 4.100.3 needs Node 20 (its postinstall refuses others); this is Node $(node --version)." >&2
  exit 1
fi

# 1. Debian packages -----------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO=(sudo -n)
  else
    log "missing Debian packages: ${missing[*]}; installing them needs root. Run:" >&2
    log "  sudo apt-get update && sudo apt-get install -y ${APT_PACKAGES[*]}" >&2
    log "then run this script again (the rest does not need root)." >&2
    exit 1
  fi
  log "apt-get install ${APT_PACKAGES[*]}"
  t0=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
  "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${APT_PACKAGES[@]}" >/dev/null
  log "apt done in $((SECONDS - t0)) s"
else
  log "apt packages present: ${APT_PACKAGES[*]}"
fi

# 2. npm ci of code-server & co, unless already done from this lockfile ---------------------------
want_stamp="$(sha256sum package-lock.json | cut -d' ' -f1) node$(node --version)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want_stamp" ] && [ -f node_modules/code-server/out/node/entry.js ]; then
  log "node_modules up to date (stamp matches package-lock.json)"
  exit 0
fi

rg_cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-$RG_PKG_VERSION"
if [ ! -s "$rg_cache/$RG_ARCHIVE" ]; then
  log "seeding $rg_cache/$RG_ARCHIVE with Debian's rg"
  mkdir -p "$rg_cache"
  rg_tmp="$(mktemp -d)"
  cp "$(command -v rg)" "$rg_tmp/rg"
  tar czf "$rg_cache/$RG_ARCHIVE.partial" -C "$rg_tmp" rg
  mv "$rg_cache/$RG_ARCHIVE.partial" "$rg_cache/$RG_ARCHIVE"
  rm -rf "$rg_tmp"
fi

log "npm ci (code-server 4.100.3 compiles native modules; about 1-2 minutes)"
t0=$SECONDS
rm -f "$STAMP"
# npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it.
# npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which must not prompt.
npm_config_unsafe_perm=true npm_config_yes=true npm ci --no-audit --no-fund --loglevel=error
echo "$want_stamp" > "$STAMP"
log "npm ci done in $((SECONDS - t0)) s"
