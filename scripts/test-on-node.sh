#!/usr/bin/env bash
# Runs the built test suite (dist/test) on another supported Node line, e.g. `bash scripts/test-on-node.sh 22`.
# The Node of that line comes from scripts/ensure-node.sh and goes first on PATH, so that the
# suite and every child process it starts run on it. Run `npm test` first (it installs the test
# tools and builds dist/).
set -euo pipefail
major="${1:?usage: test-on-node.sh <major>}"
cd "$(dirname "$0")/.."
bin="$(bash scripts/ensure-node.sh "$major")"
export PATH="$(dirname "$bin"):$PATH"
echo "running the test suite on Node $(node --version)" >&2
exec node --test --test-concurrency=2 --test-timeout=180000 $(find dist/test -name '*.test.js' | sort)
