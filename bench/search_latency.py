#!/usr/bin/env python3
"""Name-search latency against a running Simpul: GET /api/v1/people?q=… over one keep-alive
connection, one request at a time, latency measured per request on the client.

    python3 bench/search_latency.py --port 8091 --token smp_… --count 200

Prints p50/p95/p99 over all requests, then per query its median latency and hit count, so a
slow kind of query (a common first name, a short prefix) stands out.
"""
import argparse
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse

# Real first and last names from gen_members.py, spelling variants that should land on the
# same phonetic key, short prefixes, two-word names, and one name that is not in the data.
QUERIES = [
    "Muhammad", "Siti", "Agus", "Dewi", "Ujang", "Neng", "Rahmat", "Nabila",  # first names
    "Santoso", "Hidayat", "Nurhasanah", "Sulaeman", "Purnama", "Kurniawan",  # last names
    "mohammad", "muhamad", "moh", "achmad", "sitti", "hidajat", "soelaiman",  # spelling variants
    "rah", "nur", "fa", "su",  # partial words
    "siti rahayu", "agus santoso", "muhammad rizki", "dede kartika",  # two words
    "zulkarnaen",  # not in the data
]


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--host", default="127.0.0.1")
    a.add_argument("--port", type=int, default=8091)
    a.add_argument("--token", required=True)
    a.add_argument("--count", type=int, default=200)
    a.add_argument("--warmup", type=int, default=5)
    a.add_argument("--seed", type=int, default=7)
    a.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    a.add_argument("--budget", type=float, default=900.0, help="stop issuing requests after this many seconds")
    args = a.parse_args()

    rnd = random.Random(args.seed)
    # Every query at least once, the rest drawn at random: a fixed mix for a given seed.
    plan = QUERIES * (args.count // len(QUERIES)) + rnd.sample(QUERIES, args.count % len(QUERIES))
    rnd.shuffle(plan)
    headers = {"Authorization": "Bearer " + args.token, "Accept": "application/json"}
    conn = [http.client.HTTPConnection(args.host, args.port, timeout=args.timeout)]
    errors = []

    def get(q):
        path = "/api/v1/people?" + urllib.parse.urlencode({"q": q})
        t0 = time.perf_counter()
        try:
            conn[0].request("GET", path, headers=headers)
            resp = conn[0].getresponse()
            body = resp.read()
        except (OSError, http.client.HTTPException) as e:
            # A timeout or a dropped connection counts as a failed request; start a new connection.
            errors.append(f"{q!r}: {type(e).__name__} after {time.perf_counter() - t0:.1f} s")
            conn[0].close()
            conn[0] = http.client.HTTPConnection(args.host, args.port, timeout=args.timeout)
            return None, -1
        dt = time.perf_counter() - t0
        if resp.status != 200:
            errors.append(f"{q!r}: HTTP {resp.status}: {body[:120]!r}")
            return None, -1
        return dt, json.loads(body).get("total", -1)

    started = time.perf_counter()
    warm = [get(q)[0] for q in QUERIES[: args.warmup]]
    latencies = []
    per_query = {}
    for q in plan:
        if time.perf_counter() - started > args.budget:
            errors.append(f"time budget of {args.budget:.0f} s spent after {len(latencies)} requests")
            break
        dt, total = get(q)
        if dt is None:
            continue
        latencies.append(dt)
        per_query.setdefault(q, [total, []])[1].append(dt)
    conn[0].close()
    if not latencies:
        sys.exit("no search succeeded: " + "; ".join(errors[:5]))

    s = sorted(latencies)
    ms = lambda x: x * 1000.0
    first = warm[0] if warm and warm[0] is not None else float("nan")
    print(f"searches={len(s)} errors={len(errors)} warmup={len(warm)} first_warmup_ms={ms(first):.1f}")
    print(f"p50_ms={ms(percentile(s, 50)):.1f} p95_ms={ms(percentile(s, 95)):.1f} "
          f"p99_ms={ms(percentile(s, 99)):.1f} max_ms={ms(s[-1]):.1f} mean_ms={ms(statistics.mean(s)):.1f}")
    print("per query (median ms, hits):")
    for q, (total, ts) in sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1][1])):
        print(f"  {q!r:20} {ms(statistics.median(ts)):8.1f} ms  {total:>8} hits  (n={len(ts)})")
    for e in errors[:10]:
        print("  error: " + e)


if __name__ == "__main__":
    main()
