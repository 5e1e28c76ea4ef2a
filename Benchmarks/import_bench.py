#!/usr/bin/env python3
"""Import speed and memory: anguan import against sqlite3 .import and psql \\copy.

Generates a demo branch (default scale 40 ≈ 600k records) with the release binary, imports it
into a fresh SQLite file with all validation on, and in the same run times `sqlite3 .import --csv`
of the same CSV files into an empty database; likewise anguan on PostgreSQL against `psql \\copy`
(a throwaway cluster from scripts/pg-cluster.sh). Each tool runs --runs times (default 3), the two
alternating, each time into a new empty database; the best time of each is compared, and the
spread is printed beside it. Prints records/s, the ratios and peak RSS.

On PostgreSQL both tools load into an empty database that already holds their schema: the
reference's tables are created before its clock starts, and anguan's migrations are applied
before its clock starts too (their time is printed on its own line). Each load starts after a
CHECKPOINT, and its database is dropped after it, so no load is timed while the server flushes or
autovacuums what the previous one wrote.

    swift build -c release --product anguan
    python3 Benchmarks/import_bench.py [--scale 40] [--runs 3] [--no-postgres]
"""
import argparse, os, resource, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "anguan")
ORDER = ["units", "officers", "incidents", "cases", "persons", "measures", "property", "transcripts",
         "venue_visits", "appraisals", "coordination"]


def run(cmd, **kw):
    """Runs a command; returns (seconds, peak RSS in MB of that child)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, **kw)
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return secs, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=40)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: swift build -c release --product anguan")
    work = tempfile.mkdtemp(prefix="anguan-bench-")
    data = os.path.join(work, "demo")
    gen_s, gen_rss = run([BIN, "demo", "--out", data, "--scale", str(a.scale), "--now", "2026-11-20 12:00"],
                         stdout=subprocess.DEVNULL)
    records = 0
    for name in ORDER:
        with open(os.path.join(data, name + ".csv"), "rb") as f:
            records += sum(1 for _ in f) - 1  # demo text has no quoted newlines except transcripts
    # Count records exactly with the importer's own report below; the line count is a floor.
    print(f"demo branch: scale {a.scale}, generated in {gen_s:.1f} s (peak RSS {gen_rss:.0f} MB)")

    db = os.path.join(work, "anguan.sqlite")
    out = subprocess.run([BIN, "import", data, "--db", "sqlite:" + db, "--log-level", "error"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("import failed:\n" + out.stderr[-3000:])
    os.remove(db)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    records = int(out.stdout.strip().splitlines()[-1].split(":")[1].split()[0])
    script = _write(work, "import.sql", "".join(f".import --csv {os.path.join(data, n + '.csv')} {n}\n" for n in ORDER))
    a_runs, s_runs, a_rss = [], [], 0
    for r in range(a.runs):
        db, ref_db = os.path.join(work, f"anguan{r}.sqlite"), os.path.join(work, f"ref{r}.sqlite")
        secs, rss = run([BIN, "import", data, "--db", "sqlite:" + db, "--log-level", "error"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL)
        a_runs.append(secs)
        a_rss = max(a_rss, rss)
        s_runs.append(run(["sqlite3", ref_db], stdin=open(script))[0])
        for f in (db, db + "-wal", db + "-shm", ref_db):
            if os.path.exists(f):
                os.remove(f)
    a_s, s_s = min(a_runs), min(s_runs)
    print(f"records: {records}")
    print(f"SQLite  anguan import: {a_s:7.2f} s  {records / a_s:10,.0f} records/s  peak RSS {a_rss:.0f} MB  {_spread(a_runs)}")
    print(f"SQLite  sqlite3 .import: {s_s:5.2f} s  {records / s_s:10,.0f} records/s  {_spread(s_runs)}")
    print(f"SQLite  ratio anguan / sqlite3 .import: {s_s / a_s:.2f}x")

    if not a.no_postgres:
        pg_dir = tempfile.mkdtemp(prefix="anguan-bench-pg-")
        os.chmod(work, 0o755)
        os.chmod(data, 0o755)
        url = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", pg_dir],
                             capture_output=True, text=True, check=True).stdout.strip()
        try:
            base = url.rsplit("/", 1)[0]
            ddl = []
            copy = []
            for n in ORDER:
                with open(os.path.join(data, n + ".csv"), encoding="utf-8") as f:
                    cols = f.readline().strip().split(",")
                ddl.append(f"CREATE TABLE {n} ({', '.join(c + ' text' for c in cols)});")
                copy.append(f"\\copy {n} FROM '{os.path.join(data, n + '.csv')}' WITH (FORMAT csv, HEADER true)")
            copy_sql = _write(work, "copy.sql", "\n".join(copy) + "\n")
            p_runs, c_runs, m_runs, p_rss = [], [], [], 0
            for r in range(a.runs):
                for name in (f"anguan{r}", f"ref{r}"):
                    subprocess.run(["psql", url, "-qc", f"CREATE DATABASE {name}"], check=True)
                # Both tools load into an empty database that holds their schema: the reference's
                # tables are created before its clock starts, anguan's migrations likewise
                # (`anguan imports` applies them); their time is printed on its own.
                m_runs.append(run([BIN, "imports", "--db", f"{base}/anguan{r}", "--log-level", "error"],
                                  stdout=subprocess.DEVNULL)[0])
                subprocess.run(["psql", f"{base}/ref{r}", "-qc", "\n".join(ddl)], check=True)
                # Each load starts after a checkpoint and its database is dropped after it, so neither
                # tool's clock runs while the server flushes or autovacuums what the other loaded.
                _settle(url)
                secs, rss = run([BIN, "import", data, "--db", f"{base}/anguan{r}", "--log-level", "error"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                p_runs.append(secs)
                p_rss = max(p_rss, rss)
                _drop(url, f"anguan{r}")
                _settle(url)
                c_runs.append(run(["psql", f"{base}/ref{r}", "-q", "-f", copy_sql])[0])
                _drop(url, f"ref{r}")
            p_s, c_s = min(p_runs), min(c_runs)
            print(f"Postgres anguan import: {p_s:6.2f} s  {records / p_s:10,.0f} records/s  peak RSS {p_rss:.0f} MB  {_spread(p_runs)}")
            print(f"Postgres psql \\copy:    {c_s:6.2f} s  {records / c_s:10,.0f} records/s  {_spread(c_runs)}")
            print(f"Postgres ratio anguan / psql \\copy: {c_s / p_s:.2f}x")
            print(f"Postgres anguan schema (migrations into a new database, before the clock): {min(m_runs):.2f} s "
                  f"{_spread(m_runs)}")
        finally:
            subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", pg_dir])
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


def _settle(url):
    subprocess.run(["psql", url, "-qc", "CHECKPOINT"], check=True)


def _drop(url, name):
    subprocess.run(["psql", url, "-qc", f"DROP DATABASE {name} WITH (FORCE)"], check=True)


def _spread(runs):
    return f"(best of {len(runs)}; {min(runs):.2f}–{max(runs):.2f} s)"


def _write(work, name, text):
    path = os.path.join(work, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


if __name__ == "__main__":
    main()
