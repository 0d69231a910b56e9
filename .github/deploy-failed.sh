#!/bin/bash
# The deploy workflow's alert, run when a `pulumi up` job failed (STACK: its stack): one notification of
# event deploy-failed through the stack's tenancy:alertWebhookUrl, sent by the hosts' own tenancy-notify
# (same JSON, same curl: the URL on its stdin, nothing printed holds it), with the run's URL and the last
# lines of `pulumi up` (the job's step tees them into $RUNNER_TEMP/pulumi-up.log). docs/deploy.md.
set -euo pipefail
errors="$RUNNER_TEMP/alert-webhook.err"
if ! url=$(pulumi config get tenancy:alertWebhookUrl --stack "$STACK" 2>"$errors"); then
  # Not set is a choice; anything else (the CLI missing, the passphrase wrong) is a failure of its own.
  grep -q "not found" "$errors" || { cat "$errors" >&2; exit 1; }
  url=""
fi
if [ -z "$url" ]; then
  echo "deploy-failed: no alert channel configured (tenancy:alertWebhookUrl of stack $STACK): not notified"
  exit 0
fi
# The config reaches tenancy-notify as a pipe (bash's printf is a builtin: no command line holds the URL).
TENANCY_ALERT_CONFIG=<(printf 'TENANCY_ALERT_WEBHOOK_URL=%s\n' "$url") \
  infra/host/files/tenancy-notify --event deploy-failed \
  --status "pulumi up of stack $STACK failed: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID" \
  --log "$RUNNER_TEMP/pulumi-up.log"
