#!/usr/bin/env bash
# Everything hapki and its tests need on a fresh Debian machine: a JRE with keytool and
# openssl (the interop anchors), the npm dependencies, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v keytool >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -f /etc/ssl/certs/java/cacerts ] || missing+=(ca-certificates-java)
# the PKCS#11 tests run against SoftHSM; the optional binding (pkcs11js) builds with node-gyp
[ -f /usr/lib/softhsm/libsofthsm2.so ] || missing+=(softhsm2)
# OpenSC's pkcs11-tool reads the HSM's keys independently of hapki in those tests
command -v pkcs11-tool >/dev/null 2>&1 || missing+=(opensc)
# BouncyCastle 1.72, the keystore provider of test/interop/bouncycastle.test.ts (keytool -providerpath)
[ -f /usr/share/java/bcprov.jar ] || missing+=(libbcprov-java)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
# the SSH tests start real sshd processes on 127.0.0.1 and use sudo -n on them
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v sudo >/dev/null 2>&1 || missing+=(sudo)
# promtool checks `hapki audit --format prometheus`; without --no-install-recommends the package
# would pull in a whole monitoring stack
bare=()
command -v promtool >/dev/null 2>&1 || bare+=(prometheus)
if [ ${#missing[@]} -gt 0 ] || [ ${#bare[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} ${bare[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  [ ${#missing[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  [ ${#bare[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${bare[@]}" >/dev/null
fi

npm ci --no-audit --no-fund --loglevel=error
npm run build --silent
