#!/usr/bin/env bash
# Builds Pathways and starts the server on config/pathways.yaml: the RocksDB store under
# ./var, the AMIGO pathway, demo users (tokens in var/demo-tokens.txt, workspace passwords in
# var/demo-passwords.txt) and, on first
# start, a few dozen synthetic participants spread over the pathway. Prints the URLs and a
# curl example once the server answers. Ctrl-C stops it cleanly.
#   PATHWAYS_LISTEN=127.0.0.1:9090 tools/run.sh    # another address
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bash "$root/tools/build.sh"
bin="$build/tools/pathways"
config="$root/config/pathways.yaml"
var="$root/var"
mkdir -p "$var"
listen=${PATHWAYS_LISTEN:-127.0.0.1:8080}
url="http://$listen"

# Demo tokens: issued once (only their hashes are in var/tokens.json) and kept here so every
# run can print them. A real deployment issues tokens with `pathways token issue USER`.
# A user the file does not have yet (a demo from an earlier release) gets one now.
tokens="$var/demo-tokens.txt"
token_of() { [ -f "$tokens" ] && awk -v u="$1" '$1 == u { print $2 }' "$tokens"; }
(
  umask 077
  for user in anne bo clara karin kasper tove tim admin revisor; do
    if [ -z "$(token_of "$user")" ]; then
      echo "$user $("$bin" token --config "$config" issue "$user")" >>"$tokens"
    fi
  done
)

# Demo passwords for the workspace, the same way: random, set once, kept here for the printout.
# A real deployment sets them with `pathways user set-password USER` (read without echo).
passwords="$var/demo-passwords.txt"
password_of() { [ -f "$passwords" ] && awk -v u="$1" '$1 == u { print $2 }' "$passwords"; }
(
  umask 077
  for user in anne bo clara karin kasper tove tim admin revisor; do
    if [ -z "$(password_of "$user")" ]; then
      pw="demo-$(head -c 9 /dev/urandom | base64 | tr '+/' 'xy')"
      echo "$pw" | "$bin" user set-password "$user" --config "$config" >/dev/null
      echo "$user $pw" >>"$passwords"
    fi
  done
)

"$bin" serve --config "$config" --listen "$listen" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server' INT TERM
for _ in $(seq 1 100); do
  if curl -fsS "$url/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 $server 2>/dev/null; then wait $server; exit 1; fi
  sleep 0.1
done

cat <<EOT

Pathways is running at $url (store: $var/store, stop with Ctrl-C)

The workspace: open $url/ in a browser and sign in as a demo user ($passwords):
$(sed 's/^/  /' "$passwords")

  $url/healthz           health            $url/metrics   Prometheus metrics
  $url/v1/caseload       a counsellor's pathways (filters: ?state= &risk= &overdue=true)
  $url/v1/tasks          the caller's task inbox
  $url/v1/stats          counts by state and milestone, by school, progress toward the target of 200
  $url/v1/team           a school's counsellors, their load and overdue tasks (team leads)
  $url/v1/companies      the company records the caller sees (consultants: their school's)
  $url/v1/live           live updates of the caller's pathways (Server-Sent Events)
  $url/v1/admin/dead-letters   notifications no party received (none in the demo)

Two schools share the partnership: AMIGO-skolen Aarhus (counsellors anne and bo, company
consultant karin, team lead tove) and Erhvervsskolen Nordvest (counsellor clara, consultant
kasper, team lead tim). The consultants keep six companies' records at every stage of the
dialogue (docs/companies.md). Each participant has an
employer and a municipality of their own, so the notices go to that employer's contact and
that municipality's job centre; they are written as emails into $var/mail, in Danish: open a
.eml file with any mail client, or read the newest:
  less "$var/mail/\$(ls -t $var/mail | head -1)"

Demo users and their tokens ($tokens):
$(sed 's/^/  /' "$tokens")
  (anne, bo and clara are counsellors, karin and kasper company consultants, tove and tim
   team leads, admin administrates the partnership, revisor audits and changes nothing)

Try:
  curl -H "Authorization: Bearer $(token_of anne)" $url/v1/caseload
  curl -H "Authorization: Bearer $(token_of anne)" $url/v1/pathways/demo-1
  curl -N -H "Authorization: Bearer $(token_of anne)" "$url/v1/live?after=0"   # Ctrl-C ends it
  curl -H "Authorization: Bearer $(token_of anne)" -X POST $url/v1/pathways \\
       -d '{"referral_source":"jobcenter","personal":{"identity":{"name":"Test Deltager"}}}'
  curl -H "Authorization: Bearer $(token_of tove)" $url/v1/team
  curl -H "Authorization: Bearer $(token_of karin)" $url/v1/companies/31245672
  curl -H "Authorization: Bearer $(token_of admin)" "$url/v1/stats"
  curl -H "Authorization: Bearer $(token_of anne)" -X POST $url/v1/pathways/demo-1/appointments \\
       -d '{"starts_at":"2027-02-03T10:00","ends_at":"2027-02-03T11:00","place":"Lokale 2"}'
  curl -H "Authorization: Bearer $(token_of admin)" "$url/v1/admin/dead-letters?limit=5"
  $bin verify --data $var/store          # works beside the running server
  $bin replay --data $var/store --pathway demo-1

EOT
wait $server
