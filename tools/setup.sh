#!/usr/bin/env bash
# Installs what onnxify needs on a Debian 12 machine; safe to re-run.
#
#   - Debian packages (apt-get update runs once, only if something is missing)
#   - protobuf-c C sources for the wasm build: `apt-get source protobuf-c` into
#     build/deps/ (deb-src entries are added if the machine has none)
#   - npm devDependencies (onnxruntime-node, playwright-core) into node_modules/
#
# Everything is checked first, so a machine that has it all returns quickly.
# Usage: tools/setup.sh   (or: make setup)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)

say() { printf 'setup: %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    fi
fi
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
    build-essential cmake pkg-config dpkg-dev
    libprotobuf-c-dev protobuf-c-compiler
    emscripten
    python3-torch python3-torchvision python3-onnx
    chromium
)
# Node: keep whatever node/npm the machine has (e.g. a v20 from another
# repository, whose nodejs package conflicts with Debian's npm); install
# Debian's only when the commands are missing.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do
    installed "$p" || missing+=("$p")
done

# --- protobuf-c sources (for the wasm build) ---------------------------------
DEPS="$ROOT/build/deps"
have_pbc_src() {
    local d
    for d in "$DEPS"/protobuf-c-*/; do
        [ -f "${d}protobuf-c/protobuf-c.c" ] && return 0
    done
    return 1
}

deb_src_enabled() {
    # an active deb-src entry, in either the deb822 or the one-line format
    grep -Eqs '^[[:space:]]*Types:.*\bdeb-src\b' /etc/apt/sources.list.d/*.sources 2>/dev/null && return 0
    grep -Eqs '^[[:space:]]*deb-src[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null && return 0
    return 1
}

enable_deb_src() {
    local src
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        src=/etc/apt/sources.list.d/debian.sources
    else
        src=$(grep -ls '^URIs:.*debian' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
    fi
    if [ -n "$src" ]; then
        say "enabling deb-src (copy of $src)"
        sed -E 's/^([[:space:]]*)Types:.*/\1Types: deb-src/' "$src" \
            | $SUDO tee /etc/apt/sources.list.d/onnxify-deb-src.sources >/dev/null
    elif grep -Eqs '^[[:space:]]*deb[[:space:]].*debian' /etc/apt/sources.list; then
        # only Debian's own archives: third-party ones may publish no sources
        say "enabling deb-src (from /etc/apt/sources.list)"
        grep -E '^[[:space:]]*deb[[:space:]].*debian' /etc/apt/sources.list \
            | sed -E 's/^([[:space:]]*)deb([[:space:]])/\1deb-src\2/' \
            | $SUDO tee /etc/apt/sources.list.d/onnxify-deb-src.list >/dev/null
    else
        say "error: no apt sources entry found to derive deb-src from" >&2
        exit 1
    fi
}

need_src=0
have_pbc_src || need_src=1

# --- apt: one update, then install ---------------------------------------------
if [ ${#missing[@]} -gt 0 ] || [ $need_src -eq 1 ]; then
    if [ $need_src -eq 1 ] && ! deb_src_enabled; then
        enable_deb_src
    fi
    say "apt-get update"
    $SUDO apt-get update -qq
fi

if [ ${#missing[@]} -gt 0 ]; then
    say "installing: ${missing[*]} (log: build/setup-apt.log)"
    mkdir -p build
    if ! $SUDO apt-get install -y -qq -o Dpkg::Use-Pty=0 "${missing[@]}" >build/setup-apt.log 2>&1; then
        tail -n 30 build/setup-apt.log >&2
        say "error: apt-get install failed" >&2
        exit 1
    fi
else
    say "Debian packages present"
fi

if [ $need_src -eq 1 ]; then
    say "fetching protobuf-c sources into build/deps/"
    mkdir -p "$DEPS"
    (cd "$DEPS" && apt-get source -qq -o APT::Sandbox::User=root protobuf-c >/dev/null)
    have_pbc_src || { say "error: apt-get source protobuf-c gave no protobuf-c/protobuf-c.c" >&2; exit 1; }
else
    say "protobuf-c sources present"
fi

# --- npm devDependencies ----------------------------------------------------------
npm_ok() {
    # installed after the last change of package.json, and both packages there
    [ -f node_modules/.package-lock.json ] &&
        [ ! package.json -nt node_modules/.package-lock.json ] &&
        [ -f node_modules/onnxruntime-node/package.json ] &&
        [ -f node_modules/playwright-core/package.json ]
}
if npm_ok; then
    say "npm packages present"
else
    # --ignore-scripts: onnxruntime-node's install script downloads (and fails
    # here); its Linux x64 binaries ship inside the package. playwright-core
    # must never download a browser either: tests use Debian's chromium.
    say "npm install --ignore-scripts"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --ignore-scripts --no-audit --no-fund --loglevel=error
fi

say "done"
