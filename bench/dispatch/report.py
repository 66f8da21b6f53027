"""Prints the dispatch benchmark's table (Markdown) from the figures file bench/dispatch/run.sh wrote.

Usage: python3 bench/dispatch/report.py FIGURES. Each line of FIGURES is a key (pgbench,
graphile_perjob, a, e_1500, ...) followed by name=value pairs. Every throughput is also shown as a
ratio to pgbench -N's tps of the same run, and drains (a, b, c) as a ratio to graphile-worker's.
Then where the time went: each phase's CPU split and call latencies, and PostgreSQL's sampled
active statements (FIGURES without .txt, plus -profile-KEY.txt).
"""
import sys

rows = {}
for line in open(sys.argv[1]):
    key, _, rest = line.strip().partition(" ")
    rows[key] = dict(p.split("=", 1) for p in rest.split() if "=" in p)


def num(key, field):
    try:
        return float(rows[key][field])
    except (KeyError, ValueError):
        return None


def fmt(x, digits=0):
    return "–" if x is None else f"{x:,.{digits}f}"


def ratio(a, b, digits=2):
    return "–" if a is None or not b else f"{a / b:.{digits}f}"


def verdict(*checks):
    """'met' when every known check holds, 'not met' when one fails, '?' when none is known."""
    known = [c for c in checks if c is not None]
    if not known:
        return "?"
    return "met" if all(known) else "**not met**"


def at_least(x, goal):
    return None if x is None else x >= goal


def at_most(x, goal):
    return None if x is None else x <= goal


pgb = num("pgbench", "tps")
gw1 = num("graphile_perjob", "jobs_per_s")
gwb = num("graphile_batched", "jobs_per_s")
out = [
    "| scenario | Spool | × pgbench | peer | Spool / peer | target | verdict |",
    "|---|---|---|---|---|---|---|",
    f"| pgbench -N (16 clients) | {fmt(pgb)} tps | {'1.00' if pgb else ''} | | | (reference) | |",
]
for key, label in [("graphile_perjob", "graphile-worker drain, per-job (16 workers)"),
                   ("graphile_batched", "graphile-worker drain, batched (16 workers)"),
                   ("pgboss_b100", "pg-boss drain, batchSize 100"), ("pgboss_b500", "pg-boss drain, batchSize 500")]:
    if key in rows:
        jps = num(key, "jobs_per_s")
        out.append(f"| {label} | | {ratio(jps, pgb)} | {fmt(jps)} jobs/s, WAL {fmt(num(key, 'wal_per_job'))} B/job | "
                   f"| (reference) | |")


def drain(key, label, goal, peer, peer_name, share):
    if key not in rows:
        return
    if "skipped" in rows[key]:
        why = rows[key].get("reason", "")
        out.append(f"| {label} | skipped (endpoint missing{': ' + why if why else ''}) | | | | | |")
        return
    jps = num(key, "jobs_per_s")
    fig = (f"**{fmt(jps)} jobs/s** ({fmt(num(key, 'jobs'))} jobs, {fmt(num(key, 'failures'))} failures, "
           f"WAL {fmt(num(key, 'wal_per_job'))} B/job, {num(key, 'cpu_ms_per_job')} ms CPU/job)")
    out.append(f"| {label} | {fig} | {ratio(jps, pgb)} | {peer_name} {fmt(peer)} | {ratio(jps, peer)} | "
               f"≥ {goal:,} jobs/s, ≥ {share} × peer | "
               f"{verdict(at_least(jps, goal), None if peer is None or jps is None else jps >= share * peer)} |")


drain("a", "(a) drain, emit.run path: poll 50, ack + complete, 4 in flight", 3000, gw1, "per-job", 0.9)
drain("b", "(b) drain, ack on poll + complete, 4 in flight", 3400, gw1, "per-job", 1.0)
drain("c", "(c) drain, ack on poll + one batch complete per poll", 30000, gwb, "batched", 0.95)


def flow_fig(key):
    return (f"{fmt(num(key, 'jobs_per_s'))} jobs/s completed of {fmt(num(key, 'offered_per_s'))} offered "
            f"({fmt(num(key, 'created_per_s'))} created/s), created → delivered p50 "
            f"{fmt(num(key, 'latency_p50_ms'), 1)} ms, p99 {fmt(num(key, 'latency_p99_ms'), 1)} ms, "
            f"{fmt(num(key, 'failures'))} failures; at the end producers {fmt(num(key, 'producer_lag'))} jobs behind "
            f"their schedule, {fmt(num(key, 'backlog'))} jobs not completed")


if "d" in rows:
    ok = rows["d"].get("as_offered") == "yes"
    out.append(f"| (d) steady: 1,500 jobs/s offered, 8 long-polling workers ({rows['d'].get('mode')}) | "
               f"{flow_fig('d')} | {ratio(num('d', 'jobs_per_s'), pgb)} | | | all as offered, p50 ≤ 10 ms, "
               f"p99 ≤ 50 ms | {verdict(ok, at_most(num('d', 'latency_p50_ms'), 10), at_most(num('d', 'latency_p99_ms'), 50))} |")
steps = sorted((int(k[2:]), v) for k, v in rows.items() if k.startswith("e_"))
if steps:
    passed = [r for r, v in steps if v.get("as_offered") == "yes"]
    best = max(passed) if passed else None
    tried = ", ".join(f"{r}{'' if v.get('as_offered') == 'yes' else ' ✗'}" for r, v in steps)
    fig = f"**{fmt(best)} jobs/s**" if best else f"below {steps[0][0]:,} jobs/s"
    out.append(f"| (e) highest rate completed as offered (steps: {tried}) | {fig} | {ratio(best, pgb)} | "
               f"pg-boss 1,758 (issue) | | ≥ 1,800 jobs/s | {verdict(at_least(best, 1800) if best else False)} |")
if "a" in rows and "skipped" not in rows["a"]:
    wal = num("a", "wal_per_job")
    gw_wal = num("graphile_perjob", "wal_per_job")
    out.append(f"| (f) WAL per job, ack + complete path (drain a) | **{fmt(wal)} B** | | graphile per-job "
               f"{fmt(gw_wal)} B | {ratio(wal, gw_wal)} | ≤ 1,500 B | {verdict(at_most(wal, 1500))} |")
if "g_single" in rows:
    rps, p99 = num("g_single", "req_per_s"), num("g_single", "p99_ms")
    out.append(f"| (g) create single, 16 clients | **{fmt(rps)} req/s**, p50 {fmt(num('g_single', 'p50_ms'), 1)} ms, "
               f"p99 {fmt(p99, 1)} ms, {fmt(num('g_single', 'failures'))} failures | {ratio(rps, pgb)} | | | "
               f"≥ 2,500 req/s at p99 ≤ 30 ms | {verdict(at_least(rps, 2500), at_most(p99, 30))} |")
if "g_bulk" in rows:
    jps = num("g_bulk", "jobs_per_s")
    out.append(f"| (g) create bulk, 2 clients × 1000 jobs | **{fmt(jps)} jobs/s**, p99 {fmt(num('g_bulk', 'p99_ms'), 1)} ms"
               f" | {ratio(jps, pgb)} | | | ≥ 50,000 jobs/s | {verdict(at_least(jps, 50000))} |")
if "h" in rows:
    p50, p99 = num("h", "latency_p50_ms"), num("h", "latency_p99_ms")
    out.append(f"| (h) idle latency: 1 job / 20 ms, 2 idle long-polling workers | created → delivered "
               f"**p50 {fmt(p50, 1)} ms, p99 {fmt(p99, 1)} ms** ({fmt(num('h', 'jobs_per_s'))} jobs/s) | | | | "
               f"p50 ≤ 5 ms, p99 ≤ 20 ms | {verdict(at_most(p50, 5), at_most(p99, 20))} |")


def idle_fig(key):
    return (f"machine {fmt(num(key, 'machine_cpu_pct'))} %, PostgreSQL {fmt(num(key, 'cpu_pg_pct'))} % "
            f"and Spool {fmt(num(key, 'cpu_spool_pct'))} % of a core, p99 {fmt(num(key, 'latency_p99_ms'), 1)} ms")


if "i200" in rows:
    m2, m200 = num("i2", "machine_cpu_pct"), num("i200", "machine_cpu_pct")
    p99 = num("i200", "latency_p99_ms")
    out.append(f"| (i) 100 jobs/s, 200 idle long-polling workers vs 2 | 200: {idle_fig('i200')}; 2: {idle_fig('i2')} | | | "
               f"machine CPU × **{ratio(m200, m2)}** | machine CPU ≤ 1.2 ×, p99 ≤ 20 ms | "
               f"{verdict(None if m2 is None or m200 is None else m200 <= 1.2 * m2, at_most(p99, 20))} |")
if "i2" in rows and "a" in rows and "skipped" not in rows["a"]:
    slow, fast = num("i2", "cpu_ms_per_job"), num("a", "cpu_ms_per_job")
    out.append(f"| (j) CPU per job at 100 jobs/s (2 workers) vs drain (a), Spool + PostgreSQL | "
               f"{slow} ms vs {fast} ms: **× {ratio(slow, fast)}** | | | | ≤ 2 × | "
               f"{verdict(None if slow is None or not fast else slow <= 2 * fast)} |")
# Where the time went: the CPU split during each measured phase and the mean client-side latency of
# each call type (n calls).
out += ["", "Where the time went (CPU in % of one core, the machine's in % of all cores; mean ms per call, n calls):", "",
        "| measurement | machine | Spool | PostgreSQL | client | CPU ms/job (Spool + PostgreSQL) | poll | ack | complete | create |",
        "|---|---|---|---|---|---|---|---|---|---|"]
for key, r in rows.items():
    if "cpu_spool_pct" not in r:
        continue
    calls = " | ".join(f"{r.get(c + '_mean_ms', '–')} ({r.get(c + '_n', '0')})" for c in ("poll", "ack", "complete", "create"))
    out.append(f"| {key} | {r.get('machine_cpu_pct', '–')} % | {r['cpu_spool_pct']} % | {r.get('cpu_pg_pct', '–')} % | "
               f"{r.get('cpu_client_pct', '–')} % | {r.get('cpu_ms_per_job', '–')} | {calls} |")

# PostgreSQL's wall time: the share of 100 ms samples of active statements (see profile in run.sh)
base = sys.argv[1][: -len(".txt")] if sys.argv[1].endswith(".txt") else sys.argv[1]
for key in rows:
    try:
        samples = [l.strip() for l in open(f"{base}-profile-{key}.txt") if "|" in l]
    except OSError:
        continue
    if not samples:
        continue
    out += ["", f"PostgreSQL during {key}: {len(samples)} active-statement samples (wait event or CPU | statement), top 6:", ""]
    counts = {}
    for x in samples:
        counts[x] = counts.get(x, 0) + 1
    for x, n in sorted(counts.items(), key=lambda kv: -kv[1])[:6]:
        out.append(f"- {100 * n / len(samples):.0f} % `{x}`")
print("\n".join(out))
