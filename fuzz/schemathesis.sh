#!/usr/bin/env bash
# Property-based API testing: schemathesis (PyPI) generates requests from /api/openapi.json
# against a fresh Simpul (SQLite in a temporary directory) as the first admin, and checks
# that no response is a 5xx and every response matches the documented schema.
#   fuzz/schemathesis.sh [max examples per operation, default 50]
# Reports (JUnit) go to artifacts/schemathesis/ (git-ignored). Needs `pip install schemathesis`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${SIMPUL_BIN:-.build/debug/simpul}"
PORT="${SCHEMATHESIS_PORT:-8088}"
OUT=artifacts/schemathesis
EXAMPLES="${1:-50}"
DATA=$(mktemp -d /tmp/simpul-schemathesis.XXXXXX)
mkdir -p "$OUT"
export SIMPUL_DATA_DIR="$DATA" SIMPUL_PUBLIC_URL="http://127.0.0.1:$PORT"
"$BIN" serve --hostname 127.0.0.1 --port "$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.5; done
PASSWORD=$(sed -n 's/.*Kata sandi *: *//p' "$OUT/server.log" | head -1)
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# Real records for the {id} operations (random UUIDs would only ever reach the 404 path).
CONFIG="$OUT/schemathesis.toml"
python3 - "http://127.0.0.1:$PORT" "$TOKEN" "$CONFIG" <<'PY'
import json, sys, urllib.request
base, token, config = sys.argv[1:4]
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
def first(page):
    return (page["items"] if isinstance(page, dict) else page)[0]["id"]
values = {}
units = call("GET", "/api/v1/org-units")
values["unitID"] = first(units)
values["electionID"] = first(call("GET", "/api/v1/elections"))
values["personID"] = call("POST", "/api/v1/people", {"fullName": "Siti Aminah", "regionCode": "36.73.05.1001",
                                                      "nik": "3673055508900001", "birthDate": "1990-08-15", "sex": "P"})["id"]
values["itemID"] = call("POST", "/api/v1/food/items", {"unitID": values["unitID"], "name": "Beras", "unit": "kg"})["id"]
with open(config, "w") as f:
    f.write("[parameters]\n" + "".join(f'"path.{k}" = "{v}"\n' for k, v in values.items()))
print("seeded:", ", ".join(values))
PY
schemathesis --config-file "$CONFIG" run "http://127.0.0.1:$PORT/api/openapi.json" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,response_schema_conformance,content_type_conformance,response_headers_conformance \
  --max-examples "$EXAMPLES" --seed 20261126 \
  --report junit --report-dir "$OUT"
