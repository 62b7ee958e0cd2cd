#!/usr/bin/env bash
# make demo: the main job of the provider, run against the emulator on this machine.
# Builds the provider and the emulator, starts the emulator on a free loopback port, points
# Terraform at both through a temporary CLI configuration (dev_overrides), then applies a session
# policy, lists sessions, detects and repairs drift, and ends a user's sessions. Everything it
# writes stays under .work/demo; it leaves no process running and exits non-zero if a step does
# not do what it says.
set -euo pipefail
# Shell that cannot flake: under pipefail, no command's output is piped into something that may
# stop reading early (head, grep -q); output is captured into a variable or a file first.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work="$root/.work/demo"
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
emulator_pid=""
step="setting up"

say()  { step=$*; printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
reason="a command failed (see above)"
fail() { reason=$*; exit 1; }

# stop_emulator ends the emulator, if it runs, and waits for it.
stop_emulator() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
}

# finish runs on every exit: it says what failed (a command that failed under set -e included),
# shows the emulator's log when something went wrong, stops the emulator and removes .work/demo.
finish() {
  local code=$?
  trap - EXIT INT TERM
  if [ "$code" -ne 0 ]; then
    printf '\nDEMO FAILED (exit %d) during "%s": %s\n' "$code" "$step" "$reason" >&2
    if [ -f "$work/emulator.log" ]; then
      printf -- '--- last lines of the emulator log ---\n' >&2
      tail -n 20 "$work/emulator.log" >&2 || true
    fi
  fi
  stop_emulator
  rm -rf "$work"
  exit "$code"
}
trap finish EXIT
trap 'reason="interrupted"; exit 130' INT
trap 'reason="terminated"; exit 143' TERM
# A command that fails under set -e names itself before the EXIT trap runs. A successful demo
# prints no such line: a command whose failure is expected is written "cmd || code=$?", and the
# end checks that the trap never fired.
failed_commands=0
trap 'last=$?; failed_commands=$((failed_commands + 1)); printf "\ncommand failed (exit %d) at scripts/demo.sh:%d: %s\n" "$last" "$LINENO" "$BASH_COMMAND" >&2' ERR

# TERRAFORM picks the binary (default: terraform on PATH), for example a Terraform 1.14 build.
terraform=${TERRAFORM:-terraform}
command -v "$terraform" >/dev/null || fail "$terraform is not on PATH (install Terraform 1.11 or later, or set TERRAFORM)"
command -v go >/dev/null || fail "go is not on PATH (install Go 1.25 or later)"

rm -rf "$work"
mkdir -p "$work/main" "$work/console" "$work/confirm"

say "Building the provider and the emulator"
# The provider and its CLI configuration (dev_overrides) the way the Go tests make them.
rc=$(cd "$root" && go run ./internal/tools/devoverrides -dir "$work")
(cd "$root" && go build -o "$work/emulator/dtcluster-emulator" ./cmd/dtcluster-emulator)

say "Starting the emulator on a free loopback port with 40 seeded sessions"
"$work/emulator/dtcluster-emulator" -listen 127.0.0.1:0 -sessions 40 -url-file "$work/emulator.url" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
url=""
for _ in $(seq 1 100); do
  # -url-file is written (atomically) once the emulator serves.
  if [ -s "$work/emulator.url" ]; then url=$(<"$work/emulator.url"); break; fi
  kill -0 "$emulator_pid" 2>/dev/null || fail "the emulator exited: $(<"$work/emulator.log")"
  sleep 0.1
done
[ -n "$url" ] || fail "the emulator did not become ready within 10 s"
note "emulator: $url (pid $emulator_pid)"

export TF_CLI_CONFIG_FILE="$rc"
export DYNATRACE_CLUSTER_URL="$url"
export DYNATRACE_CLUSTER_API_TOKEN="dt0c01.EMULATOR.local-emulator-token"
note "Terraform uses the local build through dev_overrides; host and token come from DYNATRACE_CLUSTER_URL and DYNATRACE_CLUSTER_API_TOKEN"

tf() { local dir=$1; shift; "$terraform" -chdir="$dir" "$@" -no-color 2>&1 | grep -v -e 'Provider development overrides' -e 'dev_overrides' -e 'may therefore not match' -e 'applying changes may cause' -e 'published releases' -e '^ - dtcluster/dtcluster in' -e 'The following provider development' -e 'configuration:$' -e 'releases\.$' -e '^│ *$' -e '^╷' -e '^╵' -e 'Warning: Provider development' || true; }
out() { "$terraform" -chdir="$1" output -raw "$2"; }

policy() {
  cat <<HCL
terraform {
  required_providers {
    dtcluster = { source = "dtcluster/dtcluster" }
  }
}

provider "dtcluster" {}

resource "dtcluster_user_sessions_config" "this" {
  concurrent_session_policy = {
    user_limit  = $1
    admin_limit = $2
  }
  automatic_logout = {
    logout_inactive_users_enabled = $3
    user_inactivity_timeout       = $4
  }
}
HCL
}

policy 5 2 true 900 >"$work/main/main.tf"
cat >>"$work/main/main.tf" <<'HCL'

data "dtcluster_user_sessions" "all" {
  depends_on = [dtcluster_user_sessions_config.this]
}

output "user_limit" {
  value = dtcluster_user_sessions_config.this.concurrent_session_policy.user_limit
}

output "sessions_per_user" {
  value = {
    for user in distinct(data.dtcluster_user_sessions.all.sessions[*].user_id) :
    user => length([for s in data.dtcluster_user_sessions.all.sessions : s if s.user_id == user])
  }
}

output "jane_sessions" {
  value = length([for s in data.dtcluster_user_sessions.all.sessions : s if s.user_id == "jane.doe"])
}
HCL

say "1. Apply the session policy: 5 sessions per user, 2 per admin, logout after 15 minutes"
tf "$work/main" apply -auto-approve | sed -n '/Terraform will perform/,$p'
[ "$(out "$work/main" user_limit)" = 5 ] || fail "the applied user_limit is not 5"
if ! tf "$work/main" plan -detailed-exitcode >/dev/null; then fail "the plan right after apply is not empty"; fi
note "a plan right after the apply is empty"

say "2. Who is logged in: the dtcluster_user_sessions data source"
tf "$work/main" output sessions_per_user
jane=$(out "$work/main" jane_sessions)
[ "$jane" -gt 0 ] || fail "jane.doe has no sessions to end later"
note "jane.doe has $jane session(s)"

say "3. Someone changes the policy in the Cluster Management Console (another Terraform state stands in for it)"
policy 1 1 false 60 >"$work/console/main.tf"
tf "$work/console" apply -auto-approve | grep -E 'Apply complete' || fail "the out-of-band change failed"
note "the cluster now allows 1 session per user, outside this configuration"

say "4. terraform plan -detailed-exitcode sees the drift"
# "|| code=$?" rather than set +e: the ERR trap fires for a failing command even under set +e,
# and exit code 2 is the expected answer here.
code=0
"$terraform" -chdir="$work/main" plan -detailed-exitcode -no-color >"$work/drift.txt" 2>&1 || code=$?
sed -n '/Terraform will perform/,/Plan:/p' "$work/drift.txt"
[ "$code" -eq 2 ] || fail "plan -detailed-exitcode returned $code, want 2 (changes)"
note "exit code 2: the cluster differs from the code"

say "5. terraform apply repairs it"
tf "$work/main" apply -auto-approve | grep -E 'Apply complete' || fail "the repair failed"
if ! tf "$work/main" plan -detailed-exitcode >/dev/null; then fail "the plan after the repair is not empty"; fi
[ "$(out "$work/main" user_limit)" = 5 ] || fail "user_limit was not restored"
note "the cluster is back at 5 sessions per user; the next plan is empty"

say "6. The ephemeral read: a check block sees jane.doe's sessions, and no plan or state keeps them"
cat >"$work/confirm/main.tf" <<'HCL'
terraform {
  required_providers {
    dtcluster = { source = "dtcluster/dtcluster" }
  }
}

provider "dtcluster" {}

ephemeral "dtcluster_user_sessions" "jane" {
  user_id               = "jane.doe"
  exclude_personal_data = true
}

check "jane_has_no_sessions" {
  assert {
    condition     = length(ephemeral.dtcluster_user_sessions.jane.sessions) == 0
    error_message = "jane.doe still has sessions."
  }
}
HCL
confirm=$(tf "$work/confirm" plan -out="$work/confirm/confirm.tfplan")
grep -E 'ephemeral\.dtcluster_user_sessions\.jane: Open|still has sessions' <<<"$confirm" || true
grep -q 'jane.doe still has sessions' <<<"$confirm" || fail "the check on the ephemeral read did not see jane.doe's sessions"
saved=$("$terraform" -chdir="$work/confirm" show -json confirm.tfplan)
if grep -q '"session_id"' <<<"$saved"; then fail "the saved plan holds a session"; fi
note "the check warns while jane.doe has sessions; the saved plan holds none of them (no session_id in terraform show -json)"

# The whole output is captured first: piping it into head could kill terraform with SIGPIPE.
version_text=$("$terraform" version)
[[ $version_text =~ v([0-9]+)\.([0-9]+) ]] || fail "cannot read the Terraform version from: $version_text"
major=${BASH_REMATCH[1]}; minor=${BASH_REMATCH[2]}; version="$major.$minor"
tool=Terraform
if [[ $version_text == *OpenTofu* ]]; then tool=OpenTofu; fi
if [ "$tool" = Terraform ] && { [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 14 ]; }; }; then
  say "7. End jane.doe's sessions with the dtcluster_remove_user_sessions action ($tool $version)"
  cat >>"$work/main/main.tf" <<'HCL'

action "dtcluster_remove_user_sessions" "offboard" {
  config {
    user_id = "jane.doe"
  }
}
HCL
  invoked=$(tf "$work/main" apply -auto-approve -invoke=action.dtcluster_remove_user_sessions.offboard)
  # Only the action's own lines: the outputs printed after an invoke are those of the last refresh.
  grep -iE 'action|ended|ending|listing|complete' <<<"$invoked" | grep -vE '^[a-z_]+ = ' || true
  grep -qE 'Ended [0-9]+ session|has no sessions' <<<"$invoked" || fail "the action did not report the sessions it ended"
else
  say "7. End jane.doe's sessions with the dtcluster_user_sessions_removal resource ($tool $version has no actions; Terraform 1.14+ uses the action)"
  cat >>"$work/main/main.tf" <<'HCL'

resource "dtcluster_user_sessions_removal" "offboard" {
  user_id  = "jane.doe"
  triggers = { ticket = "OPS-1234" }
}

output "sessions_ended" {
  value = dtcluster_user_sessions_removal.offboard.sessions_removed
}
HCL
  tf "$work/main" apply -auto-approve | grep -E 'Creation complete|Apply complete' || fail "the removal failed"
  note "sessions ended: $(out "$work/main" sessions_ended)"
fi
tf "$work/main" apply -auto-approve >/dev/null
left=$(out "$work/main" jane_sessions)
[ "$left" = 0 ] || fail "jane.doe still has $left session(s)"
note "the data source now lists 0 sessions for jane.doe (it listed $jane)"
confirm=$(tf "$work/confirm" plan)
if grep -q 'still has sessions' <<<"$confirm"; then fail "the check on the ephemeral read still sees jane.doe's sessions"; fi
note "the check on the ephemeral read passes: jane.doe has no sessions left"

say "8. Clean up"
note "destroy leaves the policy on the cluster (restore_on_destroy is false here: the setting cannot be deleted),"
note "so the warning below is expected; with restore_on_destroy = true it would put back the policy from before"
tf "$work/main" destroy -auto-approve | grep -E 'Destroy complete|Warning: User Sessions' || fail "destroy failed"
stop_emulator
if kill -0 "$emulator_pid" 2>/dev/null; then fail "the emulator is still running"; fi
note "emulator stopped; .work/demo is removed on exit"
[ "$failed_commands" -eq 0 ] || fail "$failed_commands command(s) failed along the way (see above), though every step passed"
printf '\nDemo complete: policy applied, sessions listed, drift detected and repaired, a user'"'"'s sessions ended and confirmed by the ephemeral read.\n'
