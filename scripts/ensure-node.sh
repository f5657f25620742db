#!/usr/bin/env bash
# Installs a Node.js of the given major version from the npm registry's `node` package into
# .tools/node<major>/ (git-ignored) when it is not there yet, and prints the path of its binary.
# Node 24 comes with `npm install` (devDependency `node`); this brings the other supported line,
# so that the suite can run on Node 22 as well on machines whose system Node is older.
# Usage: bash scripts/ensure-node.sh 22
set -euo pipefail
major="${1:?usage: ensure-node.sh <major>}"
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.tools/node$major"
bin="$prefix/node_modules/node/bin/node"
if [ ! -x "$bin" ] || [ "$("$bin" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "$major" ]; then
  echo "installing Node $major from the npm registry into .tools/node$major" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error "node@^$major" >&2
fi
echo "$bin"
