#!/usr/bin/env python3
"""One command for the benchmark report: every workload of docs/benchmarks/WORKLOADS.md (W1-W6,
plus FFT2, an fft2 alone) for mathengine and for the peers a user would pick instead
(prysm 0.21.1, numpy, numexpr, JAX on the CPU in float64, numba, scipy.fft), side by side
in one run, written as a markdown table, a bar chart (PNG) and the raw JSON lines.

    python3 benches/report.py                      # sizes 512 and 1024 -> docs/benchmarks/
    python3 benches/report.py --sizes 512,1024,2048
    python3 benches/report.py --quick --out target/bench-report   # CI: tiny, one repetition

The peers run in a virtual environment this script creates with pip (target/bench-venv);
where pip cannot install them it says so and reports mathengine alone. Each peer runs in a
process of its own, so each line's peak RSS is that workload's own plus its imports.
mathengine from Python ("mathengine-python" rows, benches/python_workloads.py) runs from a
release build of ./python in target/py-bench-venv, made with pip and maturin; where that
cannot be built the report says so and leaves those rows out (--no-python skips them).
Only the standard library is needed to run this file.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "bench-venv"
PEERS_SCRIPT = ROOT / "benches" / "peers" / "workloads.py"
# mathengine from Python ("mathengine-python" rows): a release build of ./python in its own venv.
PY_VENV = ROOT / "target" / "py-bench-venv"
PY_SCRIPT = ROOT / "benches" / "python_workloads.py"
PEERS = ["prysm", "numpy", "numexpr", "jax", "numba", "scipy"]
FULL_PACKAGES = ["prysm==0.21.1", "numpy", "numexpr", "jax[cpu]", "numba", "scipy", "matplotlib"]
# --quick keeps CI's download small: JAX and numba are left out.
QUICK_PACKAGES = ["prysm==0.21.1", "numpy", "numexpr", "scipy", "matplotlib"]
WORKLOAD_TITLES = {
    "W1": "66 Zernike modes (n <= 10) to memory",
    "W2": "weighted sum of the 66 modes",
    "W2-XY": "W2 by zernike_sum_xy on (x, y): no hypot/arctan2/trig",
    "W3": "PSF: pupil, zero-padded fft2, |.|^2",
    "W1-f32": "W1 on a float32 grid (from Python, numpy beside)",
    "W2-f32": "W2 on a float32 grid (from Python, numpy beside)",
    "W3-c64": "W3 with a complex64 pupil (from Python, numpy/scipy beside)",
    "FFT2": "fft2 of a complex128 array alone",
    "FFT2-C64": "fft2 of a complex64 array alone",
    "W4": "sin(x)^2 + cos(x) exp(-x^2), 4M elements",
    "W4-f32": "W4 in float32 (from Python, numpy beside)",
    "W5": "per-evaluation overhead, 1000 elements",
    "W6": "cold compile of a new 20-op expression",
    "NODE": "building one node from Python (x * 2.0), per node",
    "PRYSM-W1": "prysm's zernike_nm_sequence, 66 modes (prysm on numpy vs on mathengine)",
    "PRYSM-W2": "PRYSM-W1 + prysm's sum_of_2d_modes",
    "PRYSM-PSF": "PRYSM-W2 + pupil, focus(Q=2) PSF and MTF",
}


def log(msg):
    print(f"report: {msg}", file=sys.stderr, flush=True)


def venv_python():
    return VENV / "bin" / "python"


def ensure_venv(packages):
    """A venv with `packages`, or None (said on stderr) where pip cannot make one."""
    py = venv_python()
    try:
        if not py.exists():
            log(f"creating {VENV}")
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        log("pip install " + " ".join(packages))
        subprocess.run([str(py), "-m", "pip", "install", "-q", *packages], check=True)
        return py
    except (subprocess.CalledProcessError, OSError) as err:
        log(f"pip is unavailable here ({err}); reporting mathengine alone")
        return None


def json_lines(cmd, cwd=ROOT, env=None):
    """Run `cmd`, pass its stderr through, and return the JSON objects it printed."""
    log("$ " + " ".join(cmd))
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"report: {' '.join(cmd)} failed with exit code {proc.returncode}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def run_mathengine(sizes, quick):
    flag = ["--quick"] if quick else []
    cargo = ["cargo", "bench", "--quiet"]
    records = []
    for n in sizes:
        records += json_lines(cargo + ["--bench", "polynomials", "--", "--size", str(n)] + flag)
        records += json_lines(cargo + ["--bench", "workloads", "--", "--only", "W3", "--size", str(n)] + flag)
        records += json_lines(cargo + ["--bench", "workloads", "--", "--only", "FFT2", "--size", str(2 * n)] + flag)
    records += json_lines(cargo + ["--bench", "workloads", "--", "--only", "W4,W5,W6"] + flag)
    return records


def run_everyday(py, quick):
    """Everyday operations, float32 and the FFTs beside numpy/scipy (issues 13 and 16): the
    benches time numpy themselves in the same run, through the `python3` on PATH, which
    is the peers' venv when there is one."""
    env = dict(os.environ)
    if py is not None:
        env["PATH"] = f"{Path(py).parent}{os.pathsep}{env.get('PATH', '')}"
    runs = ["--runs", "3" if quick else "31"]
    cargo = ["cargo", "bench", "--quiet"]
    records = json_lines(cargo + ["--bench", "everyday", "--"] + runs, env=env)
    records += json_lines(cargo + ["--bench", "float32", "--"] + runs, env=env)
    fft_sizes = ["64"] if quick else ["1024", "2048", "4096"]
    for n in fft_sizes:
        args = ["--only", "FFT2,FFT2-C64", "--size", n] + (["--quick"] if quick else [])
        records += json_lines(cargo + ["--bench", "fft", "--"] + args, env=env)
        if py is not None:
            records += json_lines([str(py), str(ROOT / "benches" / "peers" / "fft.py"),
                                   "--only", "FFT2,FFT2-C64", "--size", n, "--impl", "scipy,numpy"]
                                  + (["--runs", "1"] if quick else []))
    return records


def python_package():
    """A Python with a release build of the mathengine package (target/py-bench-venv, made
    with pip and maturin; rebuilt from the current sources each run, which cargo makes
    quick), or None, said on stderr, where that cannot be done (no pip, no network)."""
    py = PY_VENV / "bin" / "python"
    try:
        if not py.exists():
            log(f"creating {PY_VENV}")
            subprocess.run([sys.executable, "-m", "venv", str(PY_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "maturin>=1.9,<2", "numpy", "scipy",
                        "prysm==0.21.1"], check=True)
        log("building the Python package (release) into " + str(PY_VENV))
        env = dict(os.environ, VIRTUAL_ENV=str(PY_VENV),
                   PATH=f"{PY_VENV / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
        subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps",
                        "--force-reinstall", str(ROOT / "python")], check=True, env=env)
        return py
    except (subprocess.CalledProcessError, OSError) as err:
        log(f"the Python package cannot be built here ({err}); no mathengine-python rows")
        return None


def run_python(py, sizes, quick):
    """W1-W5 from Python (benches/python_workloads.py); a failure leaves the rows out."""
    flag = ["--quick"] if quick else []
    base = [str(py), str(PY_SCRIPT)] + flag
    records = []
    try:
        for n in sizes:
            records += json_lines(base + ["--only", "W1,W2,W3", "--size", str(n)])
            # float32 W1/W2, complex64 W3 beside numpy (issue 13)
            records += json_lines(base + ["--only", "W1,W2,W3", "--size", str(n),
                                          "--dtype", "float32"])
        records += json_lines(base + ["--only", "W4", "--dtype", "float32"])
        records += json_lines(base + ["--only", "W4,W5"])
        # prysm's workflows on numpy and on mathengine, side by side (docs/prysm.md).
        prysm = [str(py), str(ROOT / "benches" / "prysm_workflows.py")]
        for n in ([32] if quick else sizes):
            records += json_lines(prysm + (["--quick"] if quick else ["--size", str(n)]))
    except SystemExit as err:
        log(f"{err}; the mathengine-python rows are incomplete")
    return records


def run_peers(py, sizes, quick):
    flag = ["--quick"] if quick else []
    records = []
    for impl in PEERS:
        base = [str(py), str(PEERS_SCRIPT), "--impl", impl] + flag
        for n in sizes:
            records += json_lines(base + ["--only", "W1,W2,W3,FFT2", "--size", str(n)])
        records += json_lines(base + ["--only", "W4,W5,W6"])
    return records


def machine_description(py):
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 2**20:.0f} GiB memory"
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    versions = ""
    if py is not None:
        code = ("import importlib.metadata as m\n"
                "for p in ['prysm','numpy','numexpr','jax','jaxlib','numba','scipy']:\n"
                "    try: print(f'{p} {m.version(p)}', end=', ')\n"
                "    except Exception: pass\n")
        versions = subprocess.run([str(py), "-c", code], capture_output=True, text=True).stdout
        versions = versions.strip().rstrip(",")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} logical cores{mem}; {platform.system()} "
            f"{platform.release()}; {rustc}; Python {platform.python_version()}"
            + (f"; {versions}" if versions else "") + f"; load average at the start {load}")


def fmt_time(s):
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_rss(r):
    """Peak RSS in MB, where the bench measured it (numpy rows timed inside a bench do not)."""
    return f"{r['peak_rss_mb']:.0f}" if "peak_rss_mb" in r else "—"


def ordered_keys(records):
    order = list(WORKLOAD_TITLES)
    keys = sorted({(r["workload"], r["size"]) for r in records},
                  key=lambda k: (order.index(k[0]) if k[0] in order else 99, k[1]))
    return keys


def markdown(records, machine, command, date):
    impls = sorted({r["impl"] for r in records}, key=lambda i: (not i.startswith("mathengine"), i))
    by = {(r["workload"], r["size"], r["impl"]): r for r in records}
    out = [f"# Benchmark report, {date}", "",
           f"Produced by `{command}` in one run on: {machine}.", "",
           "Medians of the runs after a warm-up (the `runs` column of the JSON lines), the "
           "ratio is the peer's median over mathengine's (above 1: mathengine is faster); "
           "`write-floor` is W1's output written from all cores into arrays allocated once, "
           "with nothing computed; `write-floor-fresh` allocates them anew each run (page "
           "faults included, as any run pays once the outputs outgrow mathengine's buffer pool, "
           "an eighth of physical memory). Peak "
           "RSS is the process's high-water mark during the measured runs (reset before each "
           "workload; a Python peer's includes its interpreter and imports). Sizes: N for "
           "W1-W3 (N×N grid), 2N for FFT2 (the padded PSF size), elements for W4-W6. W2-XY is W2's "
           "output from mathengine's Cartesian `zernike_sum_xy` (compare it with W2's peers). W3's "
           "wavefront is the four closed-form terms of benches/workloads.rs on every side.", "",
           "![bar chart](report.png)", "", "## Medians (ratio to mathengine)", "",
           "| workload | size | " + " | ".join(impls) + " |",
           "|---|---|" + "---|" * len(impls)]
    for w, n in ordered_keys(records):
        me = by.get((w, n, "mathengine-cpu")) or by.get((w, n, "mathengine-python"))
        cells = []
        for impl in impls:
            r = by.get((w, n, impl))
            if r is None:
                cells.append("—")
            elif impl.startswith("mathengine") or me is None:
                cells.append(f"**{fmt_time(r['median_s'])}**" if impl == "mathengine-cpu" else fmt_time(r["median_s"]))
            else:
                cells.append(f"{fmt_time(r['median_s'])} ({r['median_s'] / me['median_s']:.1f}×)")
        out.append(f"| {w} | {n} | " + " | ".join(cells) + " |")
    out += ["", "## Every measurement", "",
            "| workload | size | implementation | median | min | ratio to mathengine | peak RSS (MB) | runs |",
            "|---|---|---|---|---|---|---|---|"]
    for w, n in ordered_keys(records):
        me = by.get((w, n, "mathengine-cpu")) or by.get((w, n, "mathengine-python"))
        rows = sorted((r for r in records if (r["workload"], r["size"]) == (w, n)),
                      key=lambda r: r["median_s"])
        for r in rows:
            ratio = f"{r['median_s'] / me['median_s']:.2f}" if me else "—"
            out.append(f"| {w} {WORKLOAD_TITLES.get(w, '')} | {n} | {r['impl']} | "
                       f"{fmt_time(r['median_s'])} | {fmt_time(r['min_s'])} | {ratio} | "
                       f"{fmt_rss(r)} | {r.get('runs', '—')} |")
    out += ["", "The raw JSON lines are in report.jsonl next to this file.", ""]
    return "\n".join(out)


def plot(jsonl, png):
    """Run by the venv's Python: one panel per workload, a bar per implementation and size."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    records = [json.loads(line) for line in open(jsonl)]
    workloads = [w for w in WORKLOAD_TITLES if any(r["workload"] == w for r in records)]
    rows_of = [sum(r["workload"] == w for r in records) for w in workloads]
    fig, axes = plt.subplots(len(workloads), 1, figsize=(9, sum(0.9 + 0.22 * n for n in rows_of)),
                             squeeze=False, gridspec_kw={"height_ratios": rows_of})
    for ax, w in zip(axes[:, 0], workloads):
        rows = [r for r in records if r["workload"] == w]
        rows.sort(key=lambda r: (r["size"], r["median_s"]))
        labels = [f"{r['impl']} @{r['size']}" for r in rows]
        colours = ["tab:red" if r["impl"].startswith("mathengine")
                   else "tab:gray" if r["impl"].startswith("write-floor") else "tab:blue"
                   for r in rows]
        ax.barh(labels, [r["median_s"] * 1e3 for r in rows], color=colours)
        ax.set_xscale("log")
        # Bars on a log axis start at its left edge: put it well below the fastest.
        ax.set_xlim(left=min(r["median_s"] for r in rows) * 1e3 / 4)
        ax.invert_yaxis()
        ax.set_title(f"{w}: {WORKLOAD_TITLES[w]}", fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
        ax.set_xlabel("median time, ms (log scale; shorter is better)", fontsize=7)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--plot":
        plot(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=None, help="N for W1-W3, comma-separated (default 512,1024)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one repetition (CI)")
    ap.add_argument("--no-peers", action="store_true", help="mathengine alone")
    ap.add_argument("--no-python", action="store_true", help="without the mathengine-python rows")
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks"))
    args = ap.parse_args()
    sizes = [int(s) for s in (args.sizes or ("32" if args.quick else "512,1024")).split(",")]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "python3 benches/report.py" + "".join(f" {a}" for a in sys.argv[1:])

    py = None if args.no_peers else ensure_venv(QUICK_PACKAGES if args.quick else FULL_PACKAGES)
    machine = machine_description(py)
    records = run_mathengine(sizes, args.quick)
    records += run_everyday(py, args.quick)
    py_package = None if args.no_python else python_package()
    if py_package is not None:
        records += run_python(py_package, sizes, args.quick)
    if py is not None:
        records += run_peers(py, sizes, args.quick)
    # FFT2 at a size both the workloads bench and the FFT bench measured: one row each.
    seen = set()
    records = [r for r in records
               if (k := (r["workload"], r["size"], r["impl"])) not in seen and not seen.add(k)]

    jsonl = out / "report.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    date = datetime.date.today().isoformat()
    (out / "report.md").write_text(markdown(records, machine, command, date))
    if py is not None:
        chart = subprocess.run([str(py), __file__, "--plot", str(jsonl), str(out / "report.png")])
        if chart.returncode != 0:
            log("the bar chart failed (is matplotlib installed in the venv?)")
    else:
        log("no venv with matplotlib: report.png not drawn")
    log(f"wrote {out / 'report.md'}, {out / 'report.jsonl'}" + ("" if py is None else f", {out / 'report.png'}"))


if __name__ == "__main__":
    main()
