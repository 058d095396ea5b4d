#!/usr/bin/env bash
# What the deployment needs from outside that the sandbox cannot reach, served from the sandbox gateway:
#   - the fixture Django app (tests/deployment/app) as a git repository, by `git daemon` on port 9418;
#   - a signed apt repository laid out as Elastic's, holding a stand-in `elasticsearch` package built here with
#     dpkg-deb from tests/deployment/elasticsearch, and its key, over HTTP on port 8088.
# inventory/sandbox/group_vars point the roles at these; only variables differ from the real sources.
#
#   fixtures.sh start   build (once) and serve; idempotent
#   fixtures.sh stop    stop serving (the built files stay in <state>/deployment)
# State lives in $PROVISION_SANDBOX_DIR (default <repo>/.sandbox), beside the sandbox's own.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${PROVISION_SANDBOX_DIR:-$repo/.sandbox}/deployment
gateway=10.213.0.1
git_port=9418
http_port=8088

die() { echo "fixtures.sh: $*" >&2; exit 1; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pid() { # PIDFILE
  if alive "$1"; then
    local pid
    pid=$(cat "$1")
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$1"
}

wait_port() { # PORT
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$gateway/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  die "nothing listens on $gateway:$1"
}

# The app as a bare repository with one commit on `main`; rebuilt when the app's files change.
build_app_repo() {
  local sum bare=$state/git/series-tiempo-ar-api.git
  sum=$(cd "$here/app" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  [ -f "$bare/fixture-sum" ] && [ "$(cat "$bare/fixture-sum")" = "$sum" ] && return 0
  rm -rf "$bare" "$state/app-work"
  cp -a "$here/app" "$state/app-work"
  (
    cd "$state/app-work"
    git init -q -b main
    git add -A
    GIT_AUTHOR_DATE=2024-01-01T00:00:00Z GIT_COMMITTER_DATE=2024-01-01T00:00:00Z \
      git -c user.name=fixture -c user.email=fixture@provision.invalid commit -q -m "fixture app"
  )
  git clone -q --bare "$state/app-work" "$bare"
  rm -rf "$state/app-work"
  echo "$sum" >"$bare/fixture-sum"
}

# A repository with Elastic's layout (packages/8.x/apt, suite stable, component main) signed by a key made here.
build_apt_repo() {
  local root=$state/www sum
  sum=$(cd "$here/elasticsearch" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  [ -f "$root/fixture-sum" ] && [ "$(cat "$root/fixture-sum")" = "$sum" ] && return 0
  rm -rf "$root" "$state/pkg" "$state/gnupg"
  mkdir -p "$root/packages/8.x/apt/pool/main/e/elasticsearch" "$root/packages/8.x/apt/dists/stable/main/binary-amd64"
  cp -a "$here/elasticsearch" "$state/pkg"
  mkdir -p "$state/pkg/etc/elasticsearch/jvm.options.d"
  local version
  version=$(awk '$1 == "Version:" { print $2 }' "$here/elasticsearch/DEBIAN/control")
  dpkg-deb --root-owner-group -Zxz --build "$state/pkg" \
    "$root/packages/8.x/apt/pool/main/e/elasticsearch/elasticsearch-$version-all.deb" >/dev/null
  rm -rf "$state/pkg"
  (
    cd "$root/packages/8.x/apt"
    apt-ftparchive packages pool >dists/stable/main/binary-amd64/Packages
    gzip -9n <dists/stable/main/binary-amd64/Packages >dists/stable/main/binary-amd64/Packages.gz
    apt-ftparchive -o APT::FTPArchive::Release::Origin=fixture -o APT::FTPArchive::Release::Suite=stable \
      -o APT::FTPArchive::Release::Codename=stable -o APT::FTPArchive::Release::Components=main \
      -o APT::FTPArchive::Release::Architectures=amd64 release dists/stable >dists/stable/Release.tmp
    mv dists/stable/Release.tmp dists/stable/Release
  )
  export GNUPGHOME=$state/gnupg
  mkdir -m 0700 "$GNUPGHOME"
  gpg --batch --quiet --passphrase '' --quick-gen-key 'provision test repository <repo@provision.invalid>' \
    ed25519 sign never 2>/dev/null
  gpg --batch --quiet --armor --export >"$root/GPG-KEY-elasticsearch"
  gpg --batch --quiet --yes --clearsign -o "$root/packages/8.x/apt/dists/stable/InRelease" \
    "$root/packages/8.x/apt/dists/stable/Release"
  gpg --batch --quiet --yes --armor --detach-sign -o "$root/packages/8.x/apt/dists/stable/Release.gpg" \
    "$root/packages/8.x/apt/dists/stable/Release"
  gpgconf --kill all 2>/dev/null || true
  echo "$sum" >"$root/fixture-sum"
}

start() {
  ip -4 addr show 2>/dev/null | grep -qF " $gateway/" || die "the sandbox is not up (tests/sandbox/sandbox.sh up N)"
  for tool in git dpkg-deb apt-ftparchive gpg python3; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup.sh installs it)"
  done
  mkdir -p "$state/git"
  build_app_repo
  build_apt_repo
  if ! alive "$state/git-daemon.pid"; then
    git daemon --reuseaddr --export-all --base-path="$state/git" --listen="$gateway" --port="$git_port" \
      --detach --pid-file="$state/git-daemon.pid" "$state/git"
  fi
  wait_port "$git_port"
  if ! alive "$state/http.pid"; then
    python3 -m http.server "$http_port" --bind "$gateway" --directory "$state/www" \
      </dev/null >>"$state/http.log" 2>&1 &
    echo $! >"$state/http.pid"
  fi
  wait_port "$http_port"
  echo "fixtures: git://$gateway/series-tiempo-ar-api.git and http://$gateway:$http_port/"
}

stop() {
  stop_pid "$state/git-daemon.pid"
  stop_pid "$state/http.pid"
}

[ "$(id -u)" -eq 0 ] || die "run as root (the sandbox network is root's)"
case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 64 ;;
esac
