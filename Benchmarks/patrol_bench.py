#!/usr/bin/env python3
"""Patrol speed and memory: every rule, and each rule family, over a demo branch.

Generates a demo branch (default scale 64 ≈ 1M records), imports it into a fresh SQLite file (and a
throwaway PostgreSQL cluster), then times `anguan patrol` with all rules and with each family of
rules.md (A–G) alone. Prints seconds, records/s and peak RSS.

    swift build -c release --product anguan
    python3 Benchmarks/patrol_bench.py [--scale 64] [--no-postgres]
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "anguan")
NOW = "2026-11-20 12:00"
FAMILIES = {
    "A 警情与受立案": "incident_off_system,admin_filing_overdue,criminal_filing_overdue,mediation_of_crime",
    "B 刑事强制措施": "summons_overtime,summons_consecutive,detention_custody_overdue,detention_family_notice,"
                "detention_first_interrogation,arrest_request_overdue,release_after_rejection,arrest_family_notice,"
                "arrest_first_interrogation,arrest_execution_delay,custody_term_expiring,bail_overdue,bail_stalled,"
                "surveillance_overdue,designated_surveillance_notice,supplementary_investigation_overdue,"
                "supplementary_investigation_limit,fast_track_candidate",
    "C 笔录": "two_officers,interrogation_outside_jail,interrogation_av_missing,inquiry_av_missing,minor_guardian_absent",
    "D 治安案件": "admin_summons_overtime,admin_summons_family_notice,questioning_hold_vulnerable,questioning_hold_overtime,"
               "admin_case_overdue,admin_detention_exempt,admin_detention_family_notice",
    "E 伤情鉴定": "injury_commission_overdue,injury_report_overdue,injury_case_type_mismatch",
    "F 涉案财物": "property_handover_overdue,property_self_custody,property_not_with_case,property_disposal_pending",
    "G 办案场所": "venue_security_check,venue_health_check,venue_stay_overtime,capture_not_in_center",
}


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = p.communicate()
    _, status, usage = os.wait4(p.pid, 0) if p.returncode is None else (None, 0, None)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
    return secs, out


def timed(cmd):
    """Runs a command; returns (seconds, peak RSS MB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.read().decode()
    err = p.stderr.read().decode()
    _, status, usage = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
    return secs, usage.ru_maxrss / 1024, out


def bench(db, label):
    secs, rss, out = timed([BIN, "patrol", "--db", db, "--now", NOW, "--log-level", "error"])
    records = int(re.search(r"(\d+) records in", out).group(1))
    findings = int(re.search(r"findings: (\d+)", out).group(1))
    print(f"{label} all rules: {secs:6.2f} s  {records / secs:10,.0f} records/s  peak RSS {rss:.0f} MB  "
          f"({records:,} records, {findings:,} findings, incl. problem sync)")
    for fam, rules in FAMILIES.items():
        s, r, o = timed([BIN, "patrol", "--db", db, "--now", NOW, "--rules", rules, "--log-level", "error"])
        print(f"{label}   {fam}: {s:6.2f} s  {records / s:10,.0f} records/s  peak RSS {r:.0f} MB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=64)
    ap.add_argument("--no-postgres", action="store_true")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="anguan-patrol-bench-")
    os.chmod(work, 0o755)
    data = os.path.join(work, "demo")
    timed([BIN, "demo", "--out", data, "--scale", str(a.scale), "--now", NOW])
    os.chmod(data, 0o755)
    db = "sqlite:" + os.path.join(work, "a.sqlite")
    timed([BIN, "import", data, "--db", db, "--log-level", "error"])
    bench(db, "SQLite  ")
    if not a.no_postgres:
        pg_dir = tempfile.mkdtemp(prefix="anguan-bench-pg-")
        url = subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "start", pg_dir],
                             capture_output=True, text=True, check=True).stdout.strip()
        try:
            timed([BIN, "import", data, "--db", url, "--log-level", "error"])
            bench(url, "Postgres")
        finally:
            subprocess.run([os.path.join(ROOT, "scripts", "pg-cluster.sh"), "stop", pg_dir])
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
