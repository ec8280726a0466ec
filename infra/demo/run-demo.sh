#!/usr/bin/env bash
# The demo pipeline behind `./slipway up`: registers the application demo-shop, sends a signed
# GitHub push for it, sends the same delivery again (answered with the same run, published
# once), and shows where the run went: build-service's queue and the audit timeline.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
state="$top/.slipway"
say() { printf '[demo] %s\n' "$*" >&2; }
token() { "$top/slipway" token --role "$1" --user "$2" 2>/dev/null | tail -1; }

admin=$(token admin demo-admin)
viewer=$(token viewer demo-viewer)
secret_file="$state/demo-webhook-secret"
[ -f "$secret_file" ] || openssl rand -hex 20 >"$secret_file"
secret=$(cat "$secret_file")

say "registering demo-shop (dev -> staging -> prod) in trigger-service"
app=$(sed "s/@SECRET@/$secret/" "$here/demo-shop.json")
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST localhost:8081/api/apps \
  -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "$app")
if [ "$status" = 409 ]; then
  status=$(curl -s -o /dev/null -w '%{http_code}' -X PUT localhost:8081/api/apps/demo-shop \
    -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' -d "$app")
fi
say "  -> HTTP $status"

sha=$(openssl rand -hex 20)
body=$(sed -e "s/@SHA@/$sha/g" -e "s/@TIME@/$(date -u +%Y-%m-%dT%H:%M:%SZ)/g" "$here/github-push.json")
signature=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)
delivery=$(cat /proc/sys/kernel/random/uuid)
push() {
  curl -s -w '  (HTTP %{http_code})\n' -X POST localhost:8081/webhooks/github \
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
    -H "X-GitHub-Delivery: $delivery" -H 'X-GitHub-Hook-ID: 4242' \
    -H "X-Hub-Signature-256: sha256=$signature" --data-binary "$body"
}
say "sending a signed GitHub push of commit $sha"
first=$(push)
echo "$first"
say "sending the same delivery again (a Git host retry): same run, nothing published twice"
push
run=$(printf '%s' "$first" | grep -o '"runId" *: *"[^"]*"' | head -1 | sed 's/.*"\([^"]*\)"$/\1/')

say "build-service queued the build:"
for _ in $(seq 1 30); do
  builds=$(curl -s "localhost:8082/api/builds?application=demo-shop&limit=1" \
    -H "Authorization: Bearer $viewer")
  printf '%s' "$builds" | grep -q "$sha" && break
  sleep 1
done
echo "$builds"
if [ -n "$run" ]; then
  say "the run's timeline in audit-service (GET /api/audit/runs/$run):"
  for _ in $(seq 1 30); do
    timeline=$(curl -s "localhost:8085/api/audit/runs/$run" -H "Authorization: Bearer $viewer" || true)
    printf '%s' "$timeline" | grep -q 'commit.received' && break
    sleep 1
  done
  echo "$timeline"
fi
say "try it yourself: TOKEN=\$(./slipway token --role viewer --user you | tail -1)"
say "  curl -H \"Authorization: Bearer \$TOKEN\" localhost:8085/api/audit/events?application=demo-shop"
