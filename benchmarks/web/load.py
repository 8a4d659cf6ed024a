"""A bounded load run against a running OncoCenter server (standard library only).

    python benchmarks/web/load.py --base http://127.0.0.1:8000 --users 8 --seconds 60

Each virtual user signs in as a demo login of its role (password demo1234) and loops over its
role's pages for `--seconds`: the radiation oncologist's and physicist's home pages, the
therapist's and scheduler's home pages, the day board, the RT worklists, patient search and the
audit page. Prints, per page: requests, errors, p50/p95/p99 in ms, and the throughput, with the
machine's load average (`uptime`) before and after: the machine may be shared.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

MIX = {
    "radonc": ["/", "/radiotherapy/", "/patients/?q=김", "/patients/?q=김민준"],
    "physicist": ["/", "/radiotherapy/"],
    "therapist": ["/", "/scheduling/board/"],
    "scheduler": ["/", "/scheduling/board/", "/patients/?q=이", "/patients/?q=park"],
    "admin": ["/audit/", "/audit/?action=read"],
}
ORDER = [
    "radonc",
    "physicist",
    "therapist",
    "scheduler",
    "radonc",
    "physicist",
    "scheduler",
    "admin",
]


def _login(base: str, username: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    data = urllib.parse.urlencode(
        {"username": username, "password": "demo1234", "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    landed = opener.open(request, timeout=30).geturl()
    assert "/accounts/login" not in landed, f"sign-in failed for {username}"
    return opener


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    load_before = os.getloadavg()
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    end = time.monotonic() + args.seconds

    def user(n: int) -> None:
        role = ORDER[n % len(ORDER)]
        opener = _login(args.base, role)
        rng = random.Random(n)
        while time.monotonic() < end:
            path = rng.choice(MIX[role])
            key = f"{role} {path}"
            started = time.perf_counter()
            try:
                opener.open(args.base + urllib.parse.quote(path, safe="/?=&"), timeout=60).read()
                ok = True
            except (urllib.error.URLError, TimeoutError):
                ok = False
            ms = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    timings[key].append(ms)
                else:
                    errors[key] += 1

    threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    load_after = os.getloadavg()
    rows = []
    for key in sorted(set(timings) | set(errors)):
        v = timings[key]
        rows.append(
            {
                "page": key,
                "requests": len(v),
                "errors": errors[key],
                "p50_ms": round(_pct(v, 50), 1),
                "p95_ms": round(_pct(v, 95), 1),
                "p99_ms": round(_pct(v, 99), 1),
                "mean_ms": round(statistics.fmean(v), 1) if v else None,
            }
        )
    total = sum(r["requests"] for r in rows)
    print(
        f"load average before {load_before}, after {load_after}; {args.users} users, {elapsed:.0f} s"
    )
    print(f"{'page':<36}{'n':>6}{'err':>5}{'p50':>9}{'p95':>9}{'p99':>9}")
    for r in rows:
        print(
            f"{r['page']:<36}{r['requests']:>6}{r['errors']:>5}"
            f"{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}"
        )
    print(f"throughput: {total / elapsed:.1f} requests/s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "rows": rows,
                    "throughput": total / elapsed,
                    "load_before": load_before,
                    "load_after": load_after,
                    "users": args.users,
                    "seconds": elapsed,
                },
                f,
                indent=2,
            )


if __name__ == "__main__":
    main()
