#!/usr/bin/env python3
"""Web speed: wrk against the platform on the demo branch (scale 1) on loopback.

Starts `anguan serve` (release build) on a fresh SQLite file with the demo branch, signs in as the demo
案管民警, then runs wrk from this second process against /health, the dashboard (工作台, signed in) and
the problem list (filtered, 50 a page). Prints requests/s and latency percentiles.

    swift build -c release --product anguan
    python3 Benchmarks/web_bench.py [--seconds 15] [--connections 32] [--threads 1]
"""
import argparse, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.parse, urllib.request, http.client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build", "release", "anguan")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wrk(url, cookie, seconds, connections, threads):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, pct(50), pct(99), int(errors.group(1)) if errors else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--log-level", default="info")
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: swift build -c release --product anguan")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="anguan-web-bench-")
    db = f"sqlite:{work}/anguan.sqlite"
    port = free_port()
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen([BIN, "serve", "--db", db, "--port", str(port), "--log-level", a.log_level], stdout=log, stderr=log, cwd=work)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        time.sleep(3)  # the start-up patrol
        subprocess.run([BIN, "user", "passwd", "anguan", "--db", db], input="bench-password-1\n", text=True, check=True,
                       capture_output=True)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        conn.request("POST", "/login", body="login=anguan&password=bench-password-1",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = conn.getresponse()
        cookie = r.getheader("Set-Cookie").split(";")[0]
        if r.status != 303:
            sys.exit(f"login failed: {r.status}")
        print(f"demo branch scale 1, SQLite, wrk -t{a.threads} -c{a.connections} -d{a.seconds}s, server log level {a.log_level}")
        print(f"{'endpoint':<44}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}")
        for name, path, c in [("/health", "/health", None), ("dashboard / (signed in)", "/", cookie),
                              ("problem list (state=warned, 50 a page)", "/problems?state=warned&per_page=50", cookie),
                              ("API problem list (severity=grave, 50)", "/api/v1/problems?severity=grave&per_page=50", cookie)]:
            rps, p50, p99, bad = wrk(base + path, c, a.seconds, a.connections, a.threads)
            print(f"{name:<44}{rps:>10.0f}{p50:>10.2f}{p99:>10.2f}{bad:>9}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
