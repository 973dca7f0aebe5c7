"""Drop and create one PostgreSQL database: python scripts/fresh_database.py postgres://user@host:port/name
With --if-absent, only create it when it is not there (make soak keeps its district between runs)."""

import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

if_absent = "--if-absent" in sys.argv[1:]
url = urlsplit(next(a for a in sys.argv[1:] if not a.startswith("--")))
name = url.path.lstrip("/")
with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
    exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if not (if_absent and exists):
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
