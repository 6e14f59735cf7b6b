#!/usr/bin/env bash
# What `npm run conformance` needs beside ../shared/interop: the NIST PKITS certificates and CRLs,
# from Debian's python3-cryptography-vectors. `npm test` does not need this.
set -euo pipefail
if [ ! -d /usr/lib/python3/dist-packages/cryptography_vectors/x509/PKITS_data ]; then
  echo "conformance setup: installing python3-cryptography-vectors" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-cryptography-vectors >/dev/null
fi
