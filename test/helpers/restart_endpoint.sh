#!/bin/sh
# The restart: command of a node in the rollout tests: stops the node's TLS endpoint (pid file)
# and starts it again on the keystore as it now is, detached, so the SSH command returns.
# usage: restart_endpoint.sh <dir-for-pid> <keystore> <password-file> <alias> <port>
set -e
dir=$1; shift
if [ -f "$dir/endpoint.pid" ]; then
  kill "$(cat "$dir/endpoint.pid")" 2>/dev/null || true
  # the port is free once the old process is gone
  i=0; while kill -0 "$(cat "$dir/endpoint.pid")" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
fi
here=$(dirname "$0")
nohup "${NODE:-node}" "$here/tls_endpoint.mjs" "$@" >/dev/null 2>&1 </dev/null &
echo $! > "$dir/endpoint.pid"
