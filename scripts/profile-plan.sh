#!/usr/bin/env bash
# make profile-plan: where the time of a `terraform plan` reading many sessions goes, inside
# Terraform itself. Builds Terraform (default v1.14.8) the way ../shared/tools/build-terraform.sh
# does, plus a hook that writes a CPU profile to $TFPROF_OUT, then plans a data source reading
# SESSIONS sessions (default 10000) from the emulator, once with the state empty and once with a
# state already holding them, and prints the top of each profile (cumulative). READ=ephemeral
# plans a check block reading them through the ephemeral resource instead (no state to hold).
# The first build takes minutes; the binary is cached beside the plain one.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_TERRAFORM:-$root/../shared/tools/build-terraform.sh}
ver=${TERRAFORM_VERSION:-v1.14.8}
sessions=${SESSIONS:-10000}
read=${READ:-data}
case "$read" in data | ephemeral) ;; *) echo "profile-plan: READ must be data or ephemeral, got $read" >&2; exit 1 ;; esac
[ -f "$build" ] || { echo "profile-plan: $build not found (set BUILD_TERRAFORM)" >&2; exit 1; }

work=$(mktemp -d)
emulator_pid=""
cleanup() {
  if [ -n "$emulator_pid" ]; then kill "$emulator_pid" 2>/dev/null || true; wait "$emulator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The build script with the hook added: a file that starts the CPU profile in init, and main.go
# stopping it before os.Exit. The anchor line must exist, or the script stops here.
anchor='rm -f internal/command/views/hook_count_test.go'
grep -qF "$anchor" "$build" || { echo "profile-plan: $build changed; no line '$anchor' to add the hook after" >&2; exit 1; }
cat >"$work/hook.go" <<'EOF'
package main

import (
	"os"
	"runtime/pprof"
)

var stopProfile = func() {}

func init() {
	if p := os.Getenv("TFPROF_OUT"); p != "" {
		f, err := os.Create(p)
		if err != nil || pprof.StartCPUProfile(f) != nil {
			return
		}
		stopProfile = func() { pprof.StopCPUProfile(); _ = f.Close() }
	}
}
EOF
awk -v anchor="$anchor" -v hook="$work/hook.go" '
  { print }
  $0 == anchor {
    print "cp \"" hook "\" tfprof_hook.go"
    print "sed -i \"s/os.Exit(realMain())/code := realMain(); stopProfile(); os.Exit(code)/\" main.go"
    print "grep -q stopProfile main.go"
  }' "$build" >"$work/build.sh"
out=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-from-module/$ver-cpuprofile/terraform
# The build prints the binary's path last; a first build may exit non-zero after caching it.
bash "$work/build.sh" "$ver" "$out" >/dev/null || true
tf=$out
[ -x "$tf" ] || { echo "profile-plan: no Terraform built at $tf" >&2; exit 1; }

rc=$(cd "$root" && go run ./internal/tools/devoverrides -dir "$work")
(cd "$root" && go build -o "$work/dtcluster-emulator" ./cmd/dtcluster-emulator)
token=dt0c01.PROFILE.profile-plan-token
"$work/dtcluster-emulator" -listen 127.0.0.1:0 -token "$token" -sessions "$sessions" -url-file "$work/url" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(cat "$work/url")

mkdir "$work/plan"
cat >"$work/plan/main.tf" <<EOF
terraform {
  required_providers {
    dtcluster = { source = "dtcluster/dtcluster" }
  }
}
provider "dtcluster" {
  host  = "$url"
  token = "$token"
}
EOF
if [ "$read" = ephemeral ]; then
  cat >>"$work/plan/main.tf" <<'EOF'
ephemeral "dtcluster_user_sessions" "all" {}
check "jane_has_no_sessions" {
  assert {
    condition     = length([for s in ephemeral.dtcluster_user_sessions.all.sessions : s if s.user_id == "jane.doe"]) == 0
    error_message = "jane.doe still has sessions."
  }
}
EOF
else
  echo 'data "dtcluster_user_sessions" "all" {}' >>"$work/plan/main.tf"
fi
cd "$work/plan"
export TF_CLI_CONFIG_FILE=$rc TF_IN_AUTOMATION=1
"$tf" plan -no-color >/dev/null # warm the file cache
states="empty holding"
if [ "$read" = ephemeral ]; then states=empty; fi
for state in $states; do
  if [ "$state" = holding ]; then "$tf" apply -auto-approve -no-color >/dev/null; fi
  start=$(date +%s%N)
  TFPROF_OUT="$work/$state.prof" "$tf" plan -no-color >/dev/null
  end=$(date +%s%N)
  echo "== terraform plan reading $sessions sessions ($read), state $state: $(( (end - start) / 1000000 )) ms"
  go tool pprof -top -cum "$work/$state.prof" 2>/dev/null | sed -n '4,5p;7,40p'
done
