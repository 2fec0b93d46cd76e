#!/usr/bin/env bash
# pdsadmin for Nix: runs the subcommand scripts shipped in this package.
# Upstream's pdsadmin.sh downloads each subcommand from the main branch of
# bluesky-social/pds at run time and insists on root; this one runs the
# pinned copies and only needs read access to the PDS environment file.
set -o errexit
set -o nounset
set -o pipefail

commands=@commands@

command="${1:-help}"
shift || true

if [[ "${command}" == update ]]; then
  echo "ERROR: 'pdsadmin update' manages Docker Compose installs; update the PDS through Nix instead" >&2
  exit 2
fi

# Only the bundled scripts, never a path: reject anything but a plain name.
if [[ ! "${command}" =~ ^[a-z][a-z-]*$ || ! -f "${commands}/${command}.sh" ]]; then
  echo "ERROR: ${command} not found (see 'pdsadmin help')" >&2
  exit 2
fi

# Every subcommand but help reads PDS_HOSTNAME and PDS_ADMIN_PASSWORD from
# this file; say so plainly instead of failing inside `source`.
env_file="${PDS_ENV_FILE:-/pds/pds.env}"
if [[ "${command}" != help && ! -r "${env_file}" ]]; then
  echo "ERROR: cannot read the PDS environment file ${env_file}" >&2
  echo "Set PDS_ENV_FILE to a file defining PDS_HOSTNAME and PDS_ADMIN_PASSWORD, and run pdsadmin as a user allowed to read it." >&2
  exit 1
fi

exec "${commands}/${command}.sh" "$@"
