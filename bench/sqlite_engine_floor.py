#!/usr/bin/env python3
"""What SQLite's own engine needs to store an import's rows, with no application and no
per-row binding at all: the hard floor under `simpul import` on SQLite.

Copies the people, name tokens and memberships of an imported database into a copy of an
empty migrated one with `INSERT … SELECT` (a WHERE clause keeps SQLite from its raw-page
transfer, which would copy the indexes instead of building them), in the importer's
settings: one transaction, the bulk-load indexes set aside and built at the end, then the
final checkpoint.

    bench/sqlite_engine_floor.py SOURCE_DB EMPTY_DB [--layout current|lean|both]

`lean` first converts the rows to a smaller layout and times that instead: 16-byte binary
UUIDs, 16-byte binary blind indexes, ciphertexts as raw bytes instead of Base64, and name
tokens in one table clustered by (token, name, person) with no id of their own. It answers
"would a smaller storage format make the import fast enough?" before anyone rewrites every
table's keys.

SOURCE_DB: a data directory's simpul.sqlite after an import (e.g. from `KEEP=1 bench/run.sh`).
EMPTY_DB: simpul.sqlite of a freshly migrated data directory (it is copied, not changed).
"""
import argparse
import base64
import os
import shutil
import sqlite3
import tempfile
import time
import uuid

SET_ASIDE = ["people_scope_idx", "people_phone_idx", "people_name_idx", "memberships_scope_status_idx",
             "memberships_registered_idx", "name_tokens_person_idx", "name_tokens_search_idx"]
SETTINGS = ["journal_mode=WAL", "synchronous=NORMAL", "cache_size=-1048576", "temp_store=MEMORY",
            "wal_autocheckpoint=0", "foreign_keys=OFF"]

LEAN_TABLES = [
    """CREATE TABLE people (id BLOB PRIMARY KEY, full_name TEXT NOT NULL, name_search TEXT NOT NULL, nik_cipher BLOB,
       nik_index BLOB, nik_masked TEXT, birth_place TEXT, birth_date TEXT, sex TEXT, phone_cipher BLOB, phone_index BLOB,
       phone_masked TEXT, address_cipher BLOB, rt TEXT, rw TEXT, occupation TEXT, marital_status TEXT, photo_cipher BLOB,
       nik_region TEXT, anonymised_at REAL, region_code TEXT NOT NULL, org_unit_id BLOB NOT NULL, scope TEXT NOT NULL,
       created_at REAL, updated_at REAL)""",
    """CREATE TABLE memberships (id BLOB PRIMARY KEY, person_id BLOB NOT NULL, org_unit_id BLOB NOT NULL, scope TEXT NOT NULL,
       status TEXT NOT NULL, channel TEXT NOT NULL, number TEXT, verify_code TEXT, valid_until TEXT, rejection_reason TEXT,
       import_batch_id BLOB, decided_by BLOB, registered_at REAL NOT NULL, activated_at REAL, updated_at REAL)""",
    """CREATE TABLE name_tokens (token TEXT NOT NULL, sort_name TEXT NOT NULL, person_id BLOB NOT NULL, scope TEXT NOT NULL,
       name_keys TEXT NOT NULL, PRIMARY KEY (token, sort_name, person_id)) WITHOUT ROWID""",
]
LEAN_INDEXES = [
    "CREATE UNIQUE INDEX people_nik ON people (nik_index)", "CREATE INDEX people_name ON people (name_search)",
    "CREATE INDEX people_phone ON people (phone_index)", "CREATE INDEX people_scope ON people (scope)",
    "CREATE UNIQUE INDEX memberships_person ON memberships (person_id)",
    "CREATE UNIQUE INDEX memberships_number ON memberships (number)",
    "CREATE UNIQUE INDEX memberships_code ON memberships (verify_code)",
    "CREATE INDEX memberships_scope ON memberships (scope, status)",
    "CREATE INDEX memberships_registered ON memberships (registered_at)",
    "CREATE INDEX name_tokens_person ON name_tokens (person_id)",
]


def binary_uuid(text):
    return None if text is None else uuid.UUID(text).bytes


def short_index(hex_text):
    return None if hex_text is None else bytes.fromhex(hex_text)[:16]


def raw_bytes(b64):
    return None if b64 in (None, "") else base64.b64decode(b64)


def lean_source(source, path):
    """The source's member rows in the lean layout (tokens indexed by person, so they can be
    read back in the order an import writes them)."""
    s, d = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(path)
    for statement in LEAN_TABLES:
        d.execute(statement)
    d.executemany("INSERT INTO people VALUES (" + ",".join("?" * 25) + ")", (
        (binary_uuid(r[0]), r[1], r[2], raw_bytes(r[3]), short_index(r[4]), r[5], r[6], r[7], r[8], raw_bytes(r[9]),
         short_index(r[10]), r[11], raw_bytes(r[12]), r[13], r[14], r[15], r[16], raw_bytes(r[17]), r[18], r[19], r[20],
         binary_uuid(r[21]), r[22], r[23], r[24]) for r in s.execute("SELECT * FROM people ORDER BY rowid")))
    d.executemany("INSERT INTO memberships VALUES (" + ",".join("?" * 15) + ")", (
        (binary_uuid(r[0]), binary_uuid(r[1]), binary_uuid(r[2]), *r[3:10], binary_uuid(r[10]), binary_uuid(r[11]), *r[12:15])
        for r in s.execute("SELECT * FROM memberships ORDER BY rowid")))
    d.executemany("INSERT OR IGNORE INTO name_tokens VALUES (?,?,?,?,?)", (
        (r[2], r[4], binary_uuid(r[1]), r[3], r[5]) for r in s.execute("SELECT * FROM name_tokens ORDER BY rowid")))
    d.execute("CREATE INDEX source_tokens_by_person ON name_tokens (person_id)")
    d.commit()
    d.close()


def run(layout, source, empty, work):
    db = os.path.join(work, f"{layout}.sqlite")
    if layout == "current":
        shutil.copy(empty, db)
        c = sqlite3.connect(db, isolation_level=None)
        definitions = dict(c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
        later = [definitions[name] for name in SET_ASIDE if name in definitions]
        for name in SET_ASIDE:
            c.execute(f'DROP INDEX IF EXISTS "{name}"')
        copies = ["INSERT INTO main.people SELECT * FROM s.people WHERE rowid > 0",
                  "INSERT INTO main.name_tokens SELECT * FROM s.name_tokens WHERE rowid > 0",
                  "INSERT INTO main.memberships SELECT * FROM s.memberships WHERE rowid > 0"]
    else:
        converted = os.path.join(work, "lean-source.sqlite")
        started = time.time()
        lean_source(source, converted)
        print(f"  (lean source converted in {time.time() - started:.0f} s, {os.path.getsize(converted) >> 20} MiB)")
        source = converted
        c = sqlite3.connect(db, isolation_level=None)
        for statement in LEAN_TABLES:
            c.execute(statement)
        later = LEAN_INDEXES
        copies = ["INSERT INTO main.people SELECT * FROM s.people WHERE rowid > 0",
                  "INSERT INTO main.name_tokens SELECT * FROM s.name_tokens INDEXED BY source_tokens_by_person"
                  " WHERE person_id IS NOT NULL ORDER BY person_id",
                  "INSERT INTO main.memberships SELECT * FROM s.memberships WHERE rowid > 0"]
    for setting in SETTINGS:
        c.execute("PRAGMA " + setting)
    c.execute("ATTACH ? AS s", (source,))
    rows = c.execute("SELECT count(*) FROM s.memberships").fetchone()[0]
    spent = {}
    started = time.time()
    c.execute("BEGIN")
    for table, statement in zip(["people", "name_tokens", "memberships"], copies):
        t = time.time()
        c.execute(statement)
        spent[table] = time.time() - t
    t = time.time()
    c.execute("COMMIT")
    spent["commit"] = time.time() - t
    t = time.time()
    for statement in later:
        c.execute(statement)
    spent["indexes"] = time.time() - t
    t = time.time()
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    spent["checkpoint"] = time.time() - t
    total = time.time() - started
    print(f"{layout}: {rows:,} members in {total:.1f} s = {rows / total:,.0f} rows/s; database {os.path.getsize(db) >> 20} MiB; "
          + ", ".join(f"{k} {v:.1f} s" for k, v in spent.items()), flush=True)
    c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source")
    ap.add_argument("empty")
    ap.add_argument("--layout", choices=["current", "lean", "both"], default="both")
    a = ap.parse_args()
    print(f"SQLite {sqlite3.sqlite_version}")
    work = tempfile.mkdtemp(prefix="simpul-engine-floor-")
    try:
        for layout in (["current", "lean"] if a.layout == "both" else [a.layout]):
            run(layout, a.source, a.empty, work)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
