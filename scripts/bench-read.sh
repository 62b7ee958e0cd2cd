#!/usr/bin/env bash
# make bench-read: the data source's read path in Go at 1k, 10k and 100k sessions; with BASELINE
# set to a git revision, that revision's BenchmarkUserSessionsRead runs too, in the same run, from
# an export of that revision (the working tree is not touched).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
echo "== this tree"
go test -run '^$' -bench . -benchmem -benchtime=2x -count=3 ./internal/provider/
if [ -n "${BASELINE:-}" ]; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
  git archive --format=tar "$BASELINE" >"$dir/src.tar"
  mkdir "$dir/src" && tar -x -C "$dir/src" -f "$dir/src.tar"
  echo "== $BASELINE"
  (cd "$dir/src" && go test -run '^$' -bench 'BenchmarkUserSessionsRead$' -benchmem -benchtime=2x -count=3 ./internal/provider/)
fi
