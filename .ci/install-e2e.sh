#!/usr/bin/env bash
# Installs what the VS Code end-to-end test (test/vscode, test/e2e/vscode.test.ts) needs:
#   - from Debian: chromium (the browser that drives the workbench), ripgrep (seeds
#     @vscode/ripgrep, which would otherwise download rg), libkrb5-dev (headers for
#     code-server's native `kerberos` addon);
#   - from npm, pinned by test/vscode/tools/package-lock.json: code-server 4.100.3
#     (VS Code 1.100.3 on Node 20) and playwright-core, into .e2e/tools.
# Idempotent: when .e2e/tools already holds what the lockfile pins, it only checks.
# Nothing is written to the home folder: npm's cache, TMPDIR and XDG_* live under .e2e/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
E2E=$ROOT/.e2e
TOOLS=$E2E/tools
SPEC=$ROOT/test/vscode/tools
RG_VERSION_DIR=vscode-ripgrep-cache-1.15.11
RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
say() { echo "[install-e2e +$(( $(date +%s) - start ))s] $*"; }

# The fingerprint of what .e2e/tools must hold: the pinned manifests and Node's major version (native addons).
fingerprint=$(cat "$SPEC/package.json" "$SPEC/package-lock.json" | sha256sum | cut -c1-16)-node$(node -p 'process.versions.node.split(".")[0]')
tools_ok() {
  [ -f "$TOOLS/.installed" ] && [ "$(cat "$TOOLS/.installed")" = "$fingerprint" ] &&
    [ -x "$TOOLS/node_modules/.bin/code-server" ] && [ -f "$TOOLS/node_modules/playwright-core/package.json" ]
}

# ---- Debian packages
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
if ! tools_ok && ! dpkg -s libkrb5-dev >/dev/null 2>&1; then missing+=(libkrb5-dev); fi
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  mkdir -p "$E2E"
  # Another apt-get may hold the lock (CI installs neovim too): wait for it rather than fail.
  if ! (apt-get -o DPkg::Lock::Timeout=600 update -qq &&
        apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}") >"$E2E/apt.log" 2>&1; then
    echo "apt-get failed:"; tail -20 "$E2E/apt.log"; exit 1
  fi
fi

# ---- code-server and playwright-core
if tools_ok; then
  say "code-server $(node -p "require('$TOOLS/node_modules/code-server/package.json').version") and playwright-core $(node -p "require('$TOOLS/node_modules/playwright-core/package.json').version") already in .e2e/tools"
else
  rm -rf "$TOOLS"
  mkdir -p "$TOOLS" "$E2E/tmp" "$E2E/xdg/config" "$E2E/xdg/data" "$E2E/xdg/cache" "$E2E/rg"
  export TMPDIR=$E2E/tmp XDG_CONFIG_HOME=$E2E/xdg/config XDG_DATA_HOME=$E2E/xdg/data XDG_CACHE_HOME=$E2E/xdg/cache
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache has the tarball: seed it with Debian's rg.
  mkdir -p "$TMPDIR/$RG_VERSION_DIR"
  cp "$(command -v rg)" "$E2E/rg/rg"
  tar czf "$TMPDIR/$RG_VERSION_DIR/$RG_TARBALL" -C "$E2E/rg" rg
  cp "$SPEC/package.json" "$SPEC/package-lock.json" "$TOOLS/"
  say "npm ci code-server + playwright-core (builds native addons; a few minutes cold)"
  # As root, code-server's postinstall needs unsafe-perm; node-pty's postinstall calls npx, which needs yes;
  # native addons build against Node's headers in /usr/include/node; JOBS lets node-gyp use every core.
  if ! (cd "$TOOLS" && npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir=/usr JOBS=max \
          npm ci --no-audit --no-fund) >"$E2E/npm-install.log" 2>&1; then
    echo "npm ci in .e2e/tools failed:"; tail -40 "$E2E/npm-install.log"; exit 1
  fi
  [ -x "$TOOLS/node_modules/.bin/code-server" ] || { echo "code-server is missing after npm ci"; tail -40 "$E2E/npm-install.log"; exit 1; }
  echo "$fingerprint" >"$TOOLS/.installed"
fi
say "ready: code-server $(node -p "require('$TOOLS/node_modules/code-server/package.json').version"), chromium $(chromium --version 2>/dev/null | awk '{print $2}'), rg $(rg --version 2>/dev/null | head -1 | awk '{print $2}')"
