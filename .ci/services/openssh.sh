# shellcheck shell=bash
# OpenSSH for pool-ssh's integration tests (*IT). Sourced by .ci/run (bash, set -euo pipefail) as
# root; idempotent. Installs Debian's openssh-server when sshd is missing, then prepares a folder of
# test material (never a system sshd config, never a running daemon: each IT starts its own sshd on a
# loopback port from this material and stops it):
#
#   $POOLKIT_SSH_DIR/host_ed25519_key(.pub)   the host key every test sshd presents
#   $POOLKIT_SSH_DIR/other_host_ed25519_key   a second host key ("the host key changed" test)
#   $POOLKIT_SSH_DIR/client_ed25519(.pub)     the test user's key, no passphrase
#   $POOLKIT_SSH_DIR/authorized_keys          client_ed25519.pub
#
# Exports POOLKIT_SSH_DIR, POOLKIT_SSHD (the daemon) and POOLKIT_SSH_USER (an unprivileged user the
# tests log in as). Without root, or without CI, a failure here only warns: the ITs then skip
# themselves with the reason (and fail when CI=true).

poolkit_openssh_prepare() {
  local dir="${POOLKIT_SSH_DIR:-/tmp/poolkit-openssh}"
  local user="poolkit-ssh"

  if [ ! -x /usr/sbin/sshd ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "openssh: /usr/sbin/sshd missing and not root: the SSH integration tests will skip" >&2
      return 0
    fi
    echo "openssh: installing openssh-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends openssh-server openssh-client
  fi
  # JumpHostIT puts its two sshd in network namespaces (ip netns): iproute2
  if ! command -v ip >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    echo "openssh: installing iproute2"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends iproute2
  fi
  # Debian's package may have started (or enabled) its own daemon on port 22: the tests never use it.

  if [ "$(id -u)" -eq 0 ]; then
    if ! id "$user" >/dev/null 2>&1; then
      useradd --create-home --shell /bin/sh "$user"
    fi
    # no password, but not locked: without PAM, sshd refuses even key logins to a locked account ('!')
    usermod -p '*' "$user"
    # privilege separation directory sshd insists on
    mkdir -p /run/sshd
    chmod 0755 /run/sshd
  else
    user="$(id -un)"
  fi

  mkdir -p "$dir"
  chmod 0755 "$dir"
  [ -f "$dir/host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C poolkit-test-host -f "$dir/host_ed25519_key"
  [ -f "$dir/other_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C poolkit-other-host -f "$dir/other_host_ed25519_key"
  [ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C poolkit-test-client -f "$dir/client_ed25519"
  cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
  chmod 0600 "$dir/host_ed25519_key" "$dir/other_host_ed25519_key" "$dir/client_ed25519"
  chmod 0644 "$dir/authorized_keys" "$dir"/*.pub

  export POOLKIT_SSH_DIR="$dir"
  export POOLKIT_SSHD=/usr/sbin/sshd
  export POOLKIT_SSH_USER="$user"
  echo "openssh: $($POOLKIT_SSHD -V 2>&1 | head -n 1); material in $POOLKIT_SSH_DIR; tests log in as $POOLKIT_SSH_USER"
}

poolkit_openssh_prepare
