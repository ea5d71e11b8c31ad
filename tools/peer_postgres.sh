#!/usr/bin/env bash
# The peer benchmark: the PostgreSQL 15 application a team would write instead of Pathways,
# measured beside `pathways bench pathways` in the same run, on the same disk and cores.
#
#   tools/peer_postgres.sh [--participants N] [--writers N] [--seconds S] [--dir DIR]
#
# The peer does what one pathway command writes, in one synced transaction (synchronous_commit
# and fsync on, PostgreSQL's defaults): the pathway's row locked and its version checked, four
# events appended under a global position, the state row rewritten (as large as Pathways'),
# the timer row moved, the caseload row upserted, an outbox row and an idempotency row added.
# It keeps no hash chain and seals nothing, which only favours it. pgbench drives it with as
# many clients as the benchmark has writers, on participants picked at random, with prepared
# statements as an application's driver would (simple queries cost it about a third).
#
# Needs Debian's postgresql-15 (apt-get install postgresql-15); the product never does. A
# throwaway cluster is made under a temp dir, listens on a Unix socket there only, and is
# stopped and removed at the end. PostgreSQL will not run as root: as root the cluster
# belongs to the `postgres` user. Prints one JSON object with both rates and their ratio.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
participants=2000
writers=32
seconds=10
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --participants) participants=$2; shift 2 ;;
    --writers) writers=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "peer_postgres.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for n in "$participants" "$writers" "$seconds"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "peer_postgres.sh: $n is not a positive number" >&2; exit 2; }
done
pg=/usr/lib/postgresql/15/bin
if [ ! -x "$pg/initdb" ] || [ ! -x "$pg/pgbench" ]; then
  echo "peer_postgres.sh: needs Debian's PostgreSQL 15 server (apt-get install postgresql-15)" >&2
  exit 2
fi
pathways=$root/build/tools/pathways
[ -x "$pathways" ] || bash "$root/tools/build.sh" >&2

tmp=$(mktemp -d "${dir:-/tmp}/pathways-peer-XXXXXX")
as=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$tmp"
  as=(runuser -u postgres --)
fi
data=$tmp/pg
cleanup() {
  "${as[@]}" "$pg/pg_ctl" -D "$data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

"${as[@]}" "$pg/initdb" -D "$data" -U bench -A trust --no-sync >"$tmp/initdb.log" 2>&1 ||
  { cat "$tmp/initdb.log" >&2; exit 1; }
"${as[@]}" "$pg/pg_ctl" -D "$data" -l "$tmp/server.log" -w -o \
  "-k $tmp -c listen_addresses='' -c max_connections=$((writers + 10)) -c shared_buffers=256MB" \
  start >/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
psql() { "${as[@]}" "$pg/psql" -h "$tmp" -U bench -d postgres -v ON_ERROR_STOP=1 -q "$@"; }

psql <<SQL
CREATE TABLE pathway (id int PRIMARY KEY, version bigint NOT NULL, state text NOT NULL,
                      body text NOT NULL);
CREATE TABLE event (position bigserial PRIMARY KEY, stream int NOT NULL, version bigint NOT NULL,
                    type text NOT NULL, occurred_at timestamptz NOT NULL DEFAULT now(),
                    data text NOT NULL, UNIQUE (stream, version));
CREATE TABLE timer (due_at timestamptz NOT NULL, pathway int NOT NULL, timer text NOT NULL,
                    PRIMARY KEY (due_at, pathway, timer));
CREATE INDEX timer_pathway ON timer (pathway);
CREATE TABLE caseload (counsellor text NOT NULL, pathway int NOT NULL, summary text NOT NULL,
                       PRIMARY KEY (counsellor, pathway));
CREATE TABLE outbox (position bigserial PRIMARY KEY, pathway int NOT NULL, body text NOT NULL);
CREATE TABLE command (id uuid PRIMARY KEY, pathway int NOT NULL);
INSERT INTO pathway SELECT g, 0, 'lead', repeat('s', 1150) FROM generate_series(1, $participants) g;
SQL

# One command. The sizes are Pathways' own per command (bench pathways): events of about 360
# bytes, a state row of 1,150, a caseload summary of 90, an outbox row of 600.
cat >"$tmp/command.sql" <<'SQL'
\set p random(1, :participants)
BEGIN;
SELECT version AS cur FROM pathway WHERE id = :p FOR UPDATE \gset
INSERT INTO event (stream, version, type, data) VALUES
  (:p, :cur + 1, 'TransitionTaken', repeat('e', 360)),
  (:p, :cur + 2, 'MilestoneReached', repeat('e', 360)),
  (:p, :cur + 3, 'TimerArmed', repeat('e', 360)),
  (:p, :cur + 4, 'NotificationRequested', repeat('e', 360));
UPDATE pathway SET version = :cur + 4, state = 'in_dialogue', body = repeat('s', 1150)
  WHERE id = :p AND version = :cur;
DELETE FROM timer WHERE pathway = :p;
INSERT INTO timer VALUES (now() + interval '14 days', :p, 'first_contact');
INSERT INTO caseload VALUES ('vejleder-' || (:p % 8), :p, repeat('c', 90))
  ON CONFLICT (counsellor, pathway) DO UPDATE SET summary = excluded.summary;
INSERT INTO outbox (pathway, body) VALUES (:p, repeat('o', 600));
INSERT INTO command VALUES (gen_random_uuid(), :p);
END;
SQL
chmod a+r "$tmp/command.sql"

"${as[@]}" "$pg/pgbench" -h "$tmp" -U bench -n -M prepared -c "$writers" -j "$(nproc)" -T "$seconds" \
  -D participants="$participants" -f "$tmp/command.sql" postgres >"$tmp/pgbench.log" 2>&1 ||
  { cat "$tmp/pgbench.log" >&2; exit 1; }
peer=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)$/\1/p' "$tmp/pgbench.log")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$tmp/pgbench.log")
[ -n "$peer" ] || { cat "$tmp/pgbench.log" >&2; exit 1; }

# Pathways on the same disk, right after: the AMU route, the same participants and writers.
ours=$("$pathways" bench pathways --dir "$tmp/pathways" --participants "$participants" \
  --writers "$writers" --rounds 1 --timers 100 2>/dev/null)

python3 - "$peer" "${failed:-0}" "$ours" <<'PY'
import json, sys
peer, failed, ours = float(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps({
    "bench": "peer-postgres",
    "writers": ours["writers"],
    "participants": ours["participants"],
    "pathways_commands_per_s": ours["commands_per_s"],
    "pathways_cpu_us_per_command": ours["cpu_us_per_command"],
    "postgres_commands_per_s": round(peer),
    "postgres_failed": failed,
    "ratio": round(ours["commands_per_s"] / peer, 2),
}))
PY
