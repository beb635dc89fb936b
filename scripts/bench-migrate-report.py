"""scripts/bench-migrate.sh's report: `json MB JOBS ROWS BYTES` turns the runs (JSON lines on stdin)
into the report; `table` prints a report (JSON on stdin) as a table."""
import json
import sys


def median_run(runs):
    """The run whose work time is the median (the lower middle one for an even count)."""
    ordered = sorted(runs, key=lambda r: r["work_s"])
    return ordered[(len(ordered) - 1) // 2]


def report(mb, jobs, src_rows, src_bytes):
    runs = [json.loads(line) for line in sys.stdin if line.strip()]
    for r in runs:
        work = r["wall_s"] - r["verify_s"]
        r["work_s"] = round(work, 2)
        if not r["tool"].endswith("_small") and r["tool"] != "pgcopydb_table_data":
            r["mb_per_s"] = round(src_bytes / 1e6 / work, 1)
            r["rows_per_s"] = round(src_rows / work)
    tools = sorted({r["tool"] for r in runs}, key=[r["tool"] for r in runs].index)
    # Each tool by its median run: one run swings by ±10 % on a small machine.
    by = {t: median_run([r for r in runs if r["tool"] == t]) for t in tools}
    peers = min(by["pgcopydb"]["work_s"], by["pg_dump_psql"]["work_s"])
    out = {
        "generated_mb": mb,
        "jobs": jobs,
        "source_rows": src_rows,
        "source_table_bytes": src_bytes,
        "rounds": max(r.get("round", 1) for r in runs),
        "medians": [by[t] for t in tools],
        "runs": runs,
        "pg2znb_over_fastest_peer": round(by["pg2znb"]["work_s"] / peers, 2),
    }
    if "pg2znb_deferred" in by:
        # The like-for-like comparison: indexes after the load, as the peers do.
        out["pg2znb_deferred_over_fastest_peer"] = round(by["pg2znb_deferred"]["work_s"] / peers, 2)
        out["goal_met"] = by["pg2znb_deferred"]["work_s"] <= peers
    else:
        out["goal_met"] = by["pg2znb"]["work_s"] <= peers
    if "pgcopydb_table_data" in by and "pg2znb_deferred" in by:
        # The data step alone, into the same table definitions (primary keys inline).
        # Not a ratio: pg2znb's copy step builds the indexes of copied tables meanwhile.
        out["pg2znb_copy_step_s"] = by["pg2znb_deferred"]["steps"].get("copy") or 0
        out["pgcopydb_table_data_s"] = by["pgcopydb_table_data"]["wall_s"]
    if "pg2znb_small" in by:
        out["pg2znb_rss_large_over_small"] = round(
            by["pg2znb"]["peak_rss_kb"] / by["pg2znb_small"]["peak_rss_kb"], 2
        )
    print(json.dumps(out, indent=2))


def table():
    r = json.load(sys.stdin)
    print(f"source: {r['source_rows']} rows, {r['source_table_bytes'] / 1e6:.0f} MB of table data; jobs {r['jobs']}")
    rounds = r.get("rounds", 1)
    medians = r.get("medians", r["runs"])
    print(f"each tool's median run of {rounds} (work s of every round in the last column)")
    print(f"{'tool':<20} {'wall s':>8} {'verify s':>9} {'work s':>8} {'MB/s':>7} {'rows/s':>9} {'peak RSS MB':>12}  rounds")
    for x in medians:
        every = " / ".join(f"{y['work_s']:.1f}" for y in r["runs"] if y["tool"] == x["tool"])
        print(
            f"{x['tool']:<20} {x['wall_s']:>8.1f} {x['verify_s']:>9.1f} {x['work_s']:>8.1f} "
            f"{x.get('mb_per_s', ''):>7} {x.get('rows_per_s', ''):>9} {x['peak_rss_kb'] / 1024:>12.1f}  {every}"
        )
    met = "met" if r["goal_met"] else "MISSED"
    if "pg2znb_deferred_over_fastest_peer" in r:
        print(f"pg2znb (defaults: indexes before the data) / fastest peer (work s): {r['pg2znb_over_fastest_peer']}")
        print(f"pg2znb (indexes after the data, as the peers) / fastest peer (work s): {r['pg2znb_deferred_over_fastest_peer']} (goal <= 1: {met})")
    else:
        print(f"pg2znb / fastest peer (work s): {r['pg2znb_over_fastest_peer']} (goal <= 1: {met})")
    for x in medians:
        if x.get("steps"):
            steps = ", ".join(f"{k} {v}" for k, v in x["steps"].items() if v is not None)
            print(f"  {x['tool']} steps (s): {steps}")
    if "pgcopydb_table_data_s" in r:
        print(
            f"rows into the target's table definitions (primary keys inline): pgcopydb copy table-data "
            f"{r['pgcopydb_table_data_s']} s (rows only); pg2znb's copy step {r['pg2znb_copy_step_s']} s "
            f"(building the indexes of copied tables meanwhile)"
        )
    if "pg2znb_rss_large_over_small" in r:
        print(f"pg2znb peak RSS, large / small source: {r['pg2znb_rss_large_over_small']}")


if __name__ == "__main__":
    if sys.argv[1] == "json":
        report(*(int(a) for a in sys.argv[2:6]))
    else:
        table()
