"""`python -m mathengine.demo` runs and its numbers hold."""

import json
import math
import subprocess
import sys

import numpy as np

import mathengine
from mathengine import demo


def test_demo_study(tmp_path):
    o = demo.parse(["--size", "64", "--noll", "4=30,8=-25", "--out", str(tmp_path)])
    res = demo.run(o, mathengine.Engine(), quiet=True)
    assert math.sqrt(30**2 + 25**2) * 0.98 < res["rms"] < math.sqrt(30**2 + 25**2) * 1.02
    k = 2 * math.pi / (0.6328e3)
    assert abs(res["strehl"] - math.exp(-(k * res["rms"]) ** 2)) < 0.02  # Marechal
    fitted = dict(zip(res["fit_nms"], res["fitted"]))
    assert abs(fitted[(2, 0)] - 30) < 1e-8 and abs(fitted[(3, 1)] + 25) < 1e-8
    mtf = res["mtf"]
    assert np.isclose(mtf.max(), 1.0)


def test_demo_module_runs(tmp_path):
    r = subprocess.run([sys.executable, "-m", "mathengine.demo", "--size", "32", "--backend", "reference",
                        "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "Strehl ratio" in r.stdout and "Primary Spherical" in r.stdout
    assert (tmp_path / "summary.json").exists() and (tmp_path / "results.npz").exists()


def test_demo_without_matplotlib_writes_its_outputs(tmp_path):
    # matplotlib made unimportable: the study runs and writes its numbers, no figures.
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "from mathengine import demo\n"
            f"sys.exit(demo.main(['--size', '32', '--out', {str(tmp_path)!r}]))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "install matplotlib for figures" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.npz", "summary.json"]
    s = json.loads((tmp_path / "summary.json").read_text())
    assert s["size"] == 32 and s["backend"] == "cpu" and 0 < s["strehl"] <= 1
    fitted = {(c["n"], c["m"]): c["fitted_nm"] for c in s["coefficients"]}
    assert abs(fitted[(2, 0)] - 30) < 1e-8 and abs(fitted[(4, 0)] - 15) < 1e-8
    with np.load(tmp_path / "results.npz") as f:
        assert f["wavefront_nm"].shape == (32, 32)
        assert f["psf_log10"].shape == (64, 64) and f["mtf"].shape == (64, 64)
        assert np.isnan(f["wavefront_nm"][0, 0])  # outside the pupil
