#!/usr/bin/env python3
"""What SQLite alone needs to store an import's rows: the floor under `simpul import`.

Replays the rows of an imported database (people, name tokens, memberships) into a copy of
an empty migrated one, with the statements and settings of the importer's SQLite writer
(one transaction per chunk, each person inserted unless its NIK is stored, the bulk-load indexes set aside),
and prints the time per table. Python's own cost per row is small next to SQLite's, so
a schema change can be judged here first, before the application is changed.

    bench/sqlite_floor.py SOURCE_DB EMPTY_DB [--rows N] [--chunk 50000] [--cache-mib 512] [--foreign-keys]

SOURCE_DB: a data directory's simpul.sqlite after an import (e.g. from `KEEP=1 bench/run.sh`).
EMPTY_DB: simpul.sqlite of a freshly migrated data directory (it is copied, not changed).
"""
import argparse
import os
import shutil
import sqlite3
import tempfile
import time

SET_ASIDE = ["people_scope_idx", "people_phone_idx", "people_name_idx",
             "memberships_scope_status_idx", "name_tokens_person_idx", "name_tokens_search_idx"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("empty")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--chunk", type=int, default=50_000)
    ap.add_argument("--cache-mib", type=int, default=512)
    ap.add_argument("--foreign-keys", action="store_true", help="check foreign keys (the writer does not)")
    ap.add_argument("--sorted", action="store_true",
                    help="each chunk in NIK-index order, its card codes drawn sorted (the random-key indexes filled in one sweep)")
    a = ap.parse_args()

    src = sqlite3.connect(f"file:{a.source}?mode=ro", uri=True)
    people = src.execute("SELECT * FROM people ORDER BY rowid LIMIT ?", (a.rows,)).fetchall()
    mems = src.execute("SELECT * FROM memberships ORDER BY rowid LIMIT ?", (a.rows,)).fetchall()
    tokens_by_person = {}
    for t in src.execute("SELECT * FROM name_tokens WHERE person_id IN (SELECT id FROM people ORDER BY rowid LIMIT ?) ORDER BY rowid",
                         (a.rows,)):
        tokens_by_person.setdefault(t[1], []).append(t)
    nik = [c[1] for c in src.execute("PRAGMA table_info(people)")].index("nik_index")

    work = tempfile.mkdtemp(prefix="simpul-floor-")
    db = os.path.join(work, "simpul.sqlite")
    shutil.copy(a.empty, db)
    c = sqlite3.connect(db, isolation_level=None)
    for pragma in ["journal_mode=WAL", "synchronous=NORMAL", f"cache_size=-{a.cache_mib * 1024}", "wal_autocheckpoint=0",
                   "temp_store=MEMORY", "mmap_size=268435456", f"foreign_keys={'ON' if a.foreign_keys else 'OFF'}"]:
        c.execute("PRAGMA " + pragma)
    for index in SET_ASIDE:
        c.execute(f"DROP INDEX IF EXISTS {index}")

    def insert(table, width):
        return f"INSERT INTO {table} VALUES ({','.join('?' * width)})"
    spent = {"people": 0.0, "name_tokens": 0.0, "memberships": 0.0, "commit": 0.0}
    code = [c[1] for c in src.execute("PRAGMA table_info(memberships)")].index("verify_code")
    person_of = [c[1] for c in src.execute("PRAGMA table_info(memberships)")].index("person_id")
    start = time.time()
    for first in range(0, len(people), a.chunk):
        part = people[first:first + a.chunk]
        ms = mems[first:first + a.chunk]
        if a.sorted:
            part = sorted(part, key=lambda p: p[nik])
            order = {p[0]: i for i, p in enumerate(part)}
            ms = sorted(ms, key=lambda m: order.get(m[person_of], -1))
            codes = sorted(m[code] for m in ms)
            ms = [m[:code] + (c,) + m[code + 1:] for m, c in zip(ms, codes)]
        c.execute("BEGIN IMMEDIATE")
        t = time.time()
        # As the writer: a person is inserted unless the NIK is stored (the unique index answers).
        c.executemany(insert("people", len(part[0])) + " ON CONFLICT (nik_index) DO NOTHING", part)
        spent["people"] += time.time() - t
        t = time.time()
        tokens = [tok for p in part for tok in tokens_by_person.get(p[0], [])]
        if tokens:
            c.executemany(insert("name_tokens", len(tokens[0])), tokens)
        spent["name_tokens"] += time.time() - t
        t = time.time()
        c.executemany(insert("memberships", len(ms[0])), ms)
        spent["memberships"] += time.time() - t
        t = time.time()
        c.execute("COMMIT")
        spent["commit"] += time.time() - t
    total = time.time() - start
    size = sum(os.path.getsize(os.path.join(work, f)) for f in os.listdir(work)) / 2**20
    shutil.rmtree(work)
    print(f"{len(people):,} members in {total:.1f} s = {len(people) / total:,.0f} rows/s "
          f"(chunk {a.chunk:,}, cache {a.cache_mib} MiB, foreign keys {'on' if a.foreign_keys else 'off'}; {size:,.0f} MB written)")
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items()))


if __name__ == "__main__":
    main()
