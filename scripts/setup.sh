#!/usr/bin/env bash
# Installs what provision needs to build and test on Debian 12, then configures and builds it.
# Usage: scripts/setup.sh [build-dir] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build pkg-config git ccache
  libssh-dev libyaml-cpp-dev libfmt-dev libspdlog-dev catch2 nlohmann-json3-dev libdtl-dev
  libssl-dev libcrypt-dev libpcre2-dev
  ansible python3-jinja2 python3-passlib python3-bcrypt openssh-client iproute2 debootstrap apt-cacher-ng bc util-linux
  apt-utils gnupg curl time gnuplot-nox iputils-ping
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ccache (when installed) keys objects by paths relative to the clone, so another clone of the same commit on this
# machine reuses them.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

build_dir="${1:-build}"
shift || true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
