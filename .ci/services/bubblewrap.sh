# shellcheck shell=bash
# Sourced by .ci/run (bash, set -euo pipefail, as root on a clean Debian machine): installs
# bubblewrap for pool-session's sandbox tests when `bwrap` is missing, then checks that it can
# really build a sandbox here (user namespaces). Idempotent. Exports POOLKIT_BWRAP (the binary).
# Also gcc: SandboxTest compiles a small native probe that must be refused what the seccomp
# filter denies. Never `exit`: this file is sourced, an exit would end .ci/run itself.

poolkit_bubblewrap() {
  local missing=()
  command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc libc6-dev)
  if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" = 0 ]; then
    echo "bubblewrap: installing ${missing[*]} (apt-get install -y)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v gcc >/dev/null 2>&1; then
    echo "bubblewrap: gcc is missing (the seccomp test compiles a native probe): 'sudo apt-get install -y gcc libc6-dev'" >&2
    [ "${CI:-}" = "true" ] && return 1
  fi
  if ! command -v bwrap >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      echo "bubblewrap: bwrap is missing and this is not root: install it with 'sudo apt-get install -y bubblewrap'" >&2
      [ "${CI:-}" = "true" ] && return 1
      return 0
    fi
    echo "bubblewrap: installing (apt-get install -y bubblewrap)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  fi
  local bwrap
  bwrap="$(command -v bwrap)"
  echo "bubblewrap: $("$bwrap" --version 2>&1 | head -n 1) at $bwrap"
  # A smoke sandbox with the flags pool-session relies on: if this fails, the tests would too.
  if ! "$bwrap" --unshare-all --unshare-user --uid 65534 --gid 65534 --die-with-parent --new-session \
      --cap-drop ALL --clearenv --ro-bind / / --proc /proc --dev /dev true 2>/tmp/poolkit-bwrap-check.err; then
    echo "bubblewrap: cannot build a sandbox here: $(cat /tmp/poolkit-bwrap-check.err)" >&2
    echo "bubblewrap: user namespaces may be off (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04" \
      "kernel.apparmor_restrict_unprivileged_userns=0)" >&2
    [ "${CI:-}" = "true" ] && return 1
  fi
  # (the help text is read whole first: under pipefail, grep -q closing the pipe early would fail the check)
  local help
  help="$("$bwrap" --help 2>&1 || true)"
  if ! grep -q -- '--disable-userns' <<<"$help"; then
    echo "bubblewrap: this bwrap has no --disable-userns (needs 0.8.0+): pool-session refuses to sandbox without it" >&2
    [ "${CI:-}" = "true" ] && return 1
  fi
  export POOLKIT_BWRAP="$bwrap"
  return 0
}
poolkit_bubblewrap
