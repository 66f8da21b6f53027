"""Times the 24 h charts of a space page in headless Chromium (used by bench/stats/run.sh).

Speaks chromedriver's W3C WebDriver protocol with the standard library only. Signs in with the
given key, then opens the space page with the 24 h range LOADS times, each as a fresh document,
and prints how long after navigation start all three charts had drawn their points (the figures'
data-points attribute and a canvas), measured by performance.now() inside the page.

Usage: page.py DRIVER_URL SPOOL_BASE KEY SPACE_ID LOADS
"""
import json
import statistics
import sys
import tempfile
import urllib.request

driver, base, key, space, loads = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ELEMENT = "element-6066-11e4-a52e-4f735466cecc"


def element(css):
    """The W3C element reference of the first match (chromedriver waits the implicit timeout)."""
    found = call("POST", s + "/element", {"using": "css selector", "value": css})
    return found.get(ELEMENT) or next(iter(found.values()))


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(driver + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as res:
        return json.load(res)["value"]


profile = tempfile.mkdtemp(prefix="spool-bench-chromium-")
caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
    "binary": "/usr/bin/chromium",
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--no-first-run", "--disable-component-update",
             "--disable-sync", "--window-size=1280,1000", "--user-data-dir=" + profile]}}}}
session = call("POST", "/session", caps)["sessionId"]
s = f"/session/{session}"
try:
    call("POST", s + "/timeouts", {"script": 30000, "pageLoad": 30000, "implicit": 10000})
    call("POST", s + "/url", {"url": base + "/dashboard/"})
    field = element("#key")
    call("POST", s + f"/element/{field}/value", {"text": key})
    button = element("#sign-in-button")
    call("POST", s + f"/element/{button}/click", {})
    element("#who")

    drawn = """
    const done = arguments[arguments.length - 1];
    const ids = ['chart-throughput', 'chart-backlog', 'chart-wait'];
    (function check() {
      const ready = ids.every((id) => {
        const f = document.getElementById(id);
        return f && Number(f.dataset.points) >= 288 && f.querySelector('canvas');
      });
      if (ready) done({ ms: performance.now(),
        points: Number(document.getElementById('chart-throughput').dataset.points) });
      else if (performance.now() > 25000) done({ ms: -1 });
      else requestAnimationFrame(check);
    })();
    """
    times = []
    for i in range(loads + 1):
        # a query string makes each load a new document (a hash change alone would not reload)
        call("POST", s + "/url", {"url": f"{base}/dashboard/?load={i}#/spaces/{space}?range=24h"})
        r = call("POST", s + "/execute/async", {"script": drawn, "args": []})
        if r["ms"] < 0:
            sys.exit("the charts did not draw within 25 s")
        if i > 0:  # the first load warms the browser's and the server's caches
            times.append(r["ms"])
    times.sort()
    print(f"page 24h charts drawn (points per chart={r['points']}) n={len(times)} "
          f"p50={statistics.median(times):.0f} ms max={times[-1]:.0f} ms "
          f"(from navigation start, signed in, warm cache)")
finally:
    call("DELETE", s)
