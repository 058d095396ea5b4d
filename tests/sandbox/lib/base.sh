# shellcheck shell=bash
# The base root filesystem shared (read-only, as the overlay's lower layer) by every host, and the
# Debian mirror it comes from. Sourced by sandbox.sh.

readonly SUITE=bookworm
# Enough for sshd, sudo, init scripts and apt; deliberately no python (provision must not need it).
readonly BASE_PACKAGES=(openssh-server sudo ca-certificates iproute2 procps less apt-utils netbase mount)
# Bump when configure_base changes, so every machine rebuilds its cached base.
readonly BASE_RECIPE=5

base_dir() {
  local key
  key=$(printf '%s\n' "$SUITE" minbase "$BASE_RECIPE" "${BASE_PACKAGES[@]}" | sha256sum | cut -c1-12)
  printf '%s/base-%s-%s\n' "$CACHE_DIR" "$SUITE" "$key"
}

# Prints "URI SUITE COMPONENTS..." for every enabled binary ("deb") entry of this machine's apt
# sources whose suite belongs to this machine's Debian release (codename, codename-updates,
# codename-security, ...). The suite is printed with the codename swapped for $SUITE, so a machine
# on another release still yields usable bookworm entries from the same mirrors.
apt_source_entries() {
  local codename files=()
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  [[ -n $codename ]] || codename=$SUITE
  shopt -s nullglob
  files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources)
  shopt -u nullglob
  local f
  for f in "${files[@]}"; do
    [[ -r $f ]] || continue
    case $f in
      *.sources) parse_deb822_sources "$f" ;;
      *) parse_one_line_sources "$f" ;;
    esac
  done | awk -v cn="$codename" -v suite="$SUITE" '
    $1 ~ /^https?:\/\// {
      if ($2 == cn || index($2, cn "-") == 1) {
        $2 = suite substr($2, length(cn) + 1)
        sub(/\/+$/, "", $1)
        if (!seen[$0]++) print
      }
    }'
}

# One-line format: deb [options] URI SUITE COMPONENTS...
parse_one_line_sources() { # FILE
  sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$1" | awk '$1 == "deb" && NF >= 3 { $1 = ""; sub(/^ /, ""); print }'
}

# deb822 format: stanzas of "Key: value" separated by blank lines; URIs and Suites may list several.
parse_deb822_sources() { # FILE
  awk '
    function flush(   i, j, nu, ns, u, s) {
      if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no") {
        nu = split(uris, u, " "); ns = split(suites, s, " ")
        for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j], comps
      }
      types = uris = suites = comps = enabled = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    /^[A-Za-z-]+:/ {
      key = tolower($1); sub(/:$/, "", key)
      val = $0; sub(/^[^:]*:[ \t]*/, "", val)
      if (key == "types") types = val
      else if (key == "uris") uris = val
      else if (key == "suites") suites = val
      else if (key == "components") comps = val
      else if (key == "enabled") enabled = val
    }
    END { flush() }
  ' "$1"
}

# The mirror debootstrap uses: the URI of the machine's main release entry.
debian_mirror() {
  [[ -n ${PROVISION_SANDBOX_MIRROR:-} ]] && {
    printf '%s\n' "$PROVISION_SANDBOX_MIRROR"
    return
  }
  local uri
  uri=$(apt_source_entries | awk -v s="$SUITE" '$2 == s { print $1; exit }')
  [[ -n $uri ]] || die "no Debian '$SUITE' entry found in this machine's apt sources (set PROVISION_SANDBOX_MIRROR)"
  printf '%s\n' "$uri"
}

# Builds the base once; later calls only print its path. The build goes to a temporary directory
# that is renamed when complete, so an interrupted build is never used.
ensure_base() {
  local base tmp mirror started
  base=$(base_dir)
  [[ -d $base ]] && {
    printf '%s\n' "$base"
    return
  }
  ensure_package debootstrap debootstrap
  mkdir -p "$CACHE_DIR"
  exec 8>"$CACHE_DIR/.build.lock"
  flock 8
  if [[ ! -d $base ]]; then
    # Leftovers of interrupted builds (we hold the lock, so none is running).
    rm -rf --one-file-system "$CACHE_DIR"/.build-*
    mirror=$(debian_mirror)
    tmp=$(mktemp -d "$CACHE_DIR/.build-XXXXXX")
    log "building base root filesystem ($SUITE, minbase + ${BASE_PACKAGES[*]}) from $mirror"
    started=$(now_ms)
    local packages
    packages=$(IFS=,; printf '%s' "${BASE_PACKAGES[*]}")
    if ! debootstrap --variant=minbase --include="$packages" "$SUITE" "$tmp" "$mirror" \
      >"$tmp.log" 2>&1; then
      tail -n 20 "$tmp.log" >&2
      rm -rf --one-file-system "$tmp"
      die "debootstrap failed (full log: $tmp.log)"
    fi
    configure_base "$tmp"
    mv "$tmp" "$base"
    rm -f "$tmp.log"
    prune_old_bases "$base"
    log "base ready in $((($(now_ms) - started) / 1000)) s: $base"
  fi
  exec 8>&-
  printf '%s\n' "$base"
}

# Removes the cached base of this recipe, so that ensure_base builds it from nothing. CI does this once per
# run: a base built just before the tests once hid a failure that every new machine met.
drop_base() {
  local base
  base=$(base_dir)
  [[ -d $base ]] || return 0
  grep -qF "lowerdir=$base," /proc/mounts && die "the base is in use by running hosts; run 'sandbox.sh down' first"
  exec 8>"$CACHE_DIR/.build.lock"
  flock 8
  log "removing the cached base $base"
  rm -rf --one-file-system "$base"
  exec 8>&-
}

# Removes bases of earlier recipes, except any still mounted as a running host's lower layer.
prune_old_bases() { # KEEP
  local old
  for old in "$CACHE_DIR"/base-*; do
    [[ -d $old && $old != "$1" ]] || continue
    grep -qF "lowerdir=$old," /proc/mounts && continue
    log "removing outdated base $old"
    rm -rf --one-file-system "$old"
  done
}

# Settings every host shares. Per-host settings (host key, hostname, authorized keys, apt sources)
# are written into each host's own overlay layer at `up`.
configure_base() { # ROOT
  local root=$1
  # Host keys must differ per host: none in the base, each host generates its own.
  rm -f "$root"/etc/ssh/ssh_host_*

  # No systemd here: let invoke-rc.d start services, as on a normal host.
  printf '#!/bin/sh\nexit 0\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"

  cat >"$root/etc/ssh/sshd_config.d/sandbox.conf" <<'CONF'
# Sandbox host: key-only logins, one ed25519 host key per host.
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
PrintLastLog no
CONF
  # The client's LANG/LC_* would name locales this small system lacks, and every command would
  # then print setlocale warnings; C.UTF-8 is built in.
  sed -i 's/^AcceptEnv/#AcceptEnv/' "$root/etc/ssh/sshd_config"
  printf 'LANG=C.UTF-8\n' >"$root/etc/default/locale"
  # A container cannot always set the audit login uid; do not refuse logins over it.
  sed -i 's/^session\s\+required\s\+pam_loginuid.so/session optional pam_loginuid.so/' "$root/etc/pam.d/sshd"

  # deploy: passwordless sudo. secure: sudo asks for its password (become-password tests).
  chroot "$root" useradd --create-home --shell /bin/bash deploy
  chroot "$root" useradd --create-home --shell /bin/bash secure
  printf 'secure:sandbox-secret\n' | chroot "$root" chpasswd
  printf 'deploy ALL=(ALL:ALL) NOPASSWD: ALL\n' >"$root/etc/sudoers.d/deploy"
  printf 'secure ALL=(ALL:ALL) ALL\n' >"$root/etc/sudoers.d/secure"
  chmod 0440 "$root/etc/sudoers.d/deploy" "$root/etc/sudoers.d/secure"

  printf 'Acquire::Languages "none";\n' >"$root/etc/apt/apt.conf.d/90sandbox"
  # Throwaway hosts need no crash safety; skipping dpkg's fsyncs halves package install times.
  printf 'force-unsafe-io\n' >"$root/etc/dpkg/dpkg.cfg.d/90sandbox-unsafe-io"
  chroot "$root" apt-get clean
  rm -rf "$root"/var/lib/apt/lists/*
  # A fresh host must look like an image built long ago, as operators' cloud images do: apt's
  # cache_valid_time judges the lists by this folder's age, and lists emptied minutes before a run
  # would count as fresh, so the first apt task would find no packages.
  touch -d '2001-01-01 00:00:00 UTC' "$root/var/lib/apt/lists"
}
