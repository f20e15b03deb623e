# shellcheck shell=bash
# Sourced by .ci/run (bash, set -euo pipefail, as root on a clean Debian machine): installs the
# interpreters pool-session's Python and R sessions run in the sandbox when they are missing: Debian's
# python3 at /usr/bin/python3 (a pyenv shim on the PATH is not it: the sandbox binds the real binary
# and its standard library under /usr/lib), and Debian's R (r-base-core: R_HOME /usr/lib/R, the binary
# /usr/lib/R/bin/exec/R the sandbox runs). Idempotent: apt-get runs only when one is missing. Never
# `exit`: this file is sourced.

poolkit_interpreters() {
  local missing=()
  [ -x /usr/bin/python3 ] || missing+=(python3)
  [ -x /usr/lib/R/bin/exec/R ] || missing+=(r-base-core)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "interpreters: ${missing[*]} missing and this is not root: 'sudo apt-get install -y ${missing[*]}'" >&2
      [ "${CI:-}" = "true" ] && return 1
      return 0
    fi
    echo "interpreters: installing ${missing[*]} (apt-get install -y)"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  echo "interpreters: $(/usr/bin/python3 --version 2>&1) at /usr/bin/python3"
  echo "interpreters: $(R_HOME=/usr/lib/R /usr/lib/R/bin/exec/R --version 2>&1 | head -n 1) at /usr/lib/R"
  return 0
}
poolkit_interpreters
