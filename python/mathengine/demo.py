"""The main job from Python: a small optics study on mathengine (mirrors
examples/optics/main.rs).

1. an N x N circular pupil with a wavefront made of Zernike modes (coefficients in nm
   RMS, orthonormal modes, by Noll or Fringe index),
2. its PSF (zero-padded FFT, |.|^2), the Strehl ratio and the MTF,
3. a least-squares fit of the Zernike coefficients back from the wavefront,
4. its outputs in --out: summary.json (the numbers), results.npz (wavefront, PSF on a
   log scale, MTF) and, when matplotlib is installed, figures (wavefront.png, psf.png,
   mtf.png); and what each step cost.

    python -m mathengine.demo
    python -m mathengine.demo --size 256 --noll 4=50,8=-30 --fringe 9=20 \\
        --wavelength 0.55 --padding 4 --backend reference --out /tmp/optics
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np

import mathengine


def _coefficients(text, kind):
    out = []
    for item in filter(None, text.split(",")):
        try:
            j, c = item.split("=")
            out.append((kind, int(j), float(c)))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"a coefficient is written INDEX=NANOMETRES, e.g. 4=30; got {item!r}") from None
    return out


def parse(argv):
    ap = argparse.ArgumentParser(prog="python -m mathengine.demo", description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=512, help="pupil samples across (default 512)")
    ap.add_argument("--noll", action="append", default=[], type=lambda s: _coefficients(s, "noll"),
                    help="Zernike coefficients J=C (nm RMS) by Noll index; repeatable, comma lists")
    ap.add_argument("--fringe", action="append", default=[], type=lambda s: _coefficients(s, "fringe"),
                    help="the same by Fringe index (default: Noll 4=30,5=20,8=-25,11=15)")
    ap.add_argument("--wavelength", type=float, default=0.6328, help="micrometres (default 0.6328)")
    ap.add_argument("--padding", type=int, default=2, help="zero padding factor 2..8 (default 2)")
    ap.add_argument("--backend", default="cpu", help="where graphs run (default cpu)")
    ap.add_argument("--out", default=os.path.join("target", "optics-python"),
                    help="where the outputs go (default target/optics-python)")
    o = ap.parse_args(argv)
    if not 8 <= o.size <= 8192:
        ap.error("--size must be in 8..8192")
    if not 2 <= o.padding <= 8:
        ap.error("--padding must be in 2..8 (below 2 the MTF aliases)")
    o.coefficients = [c for group in o.noll + o.fringe for c in group] or [
        ("noll", 4, 30.0), ("noll", 5, 20.0), ("noll", 8, -25.0), ("noll", 11, 15.0)]
    return o


class Step:
    def __init__(self, e, timings):
        self.e, self.timings = e, timings

    def __enter__(self):
        s = self.e.stats()
        self.t0, self.c0 = time.perf_counter(), s["compile_seconds"]
        return self

    def done(self, name):
        s = self.e.stats()
        self.timings.append((name, time.perf_counter() - self.t0, s["compile_seconds"] - self.c0))

    def __exit__(self, *exc):
        return False


def run(o, e=None, quiet=False):
    """The study; returns a dict of its results (used by the tests)."""
    e = e or mathengine.Engine()
    e.change_backend(o.backend)
    say = (lambda *a: None) if quiet else print
    p = e.polynomials
    n = o.size
    terms = {}
    for kind, j, c in o.coefficients:
        nm = p.noll_to_nm(j) if kind == "noll" else p.fringe_to_nm(j)
        terms[nm] = terms.get(nm, 0.0) + c
    nms, coefs = list(terms), list(terms.values())
    fit_count = max(36, max(p.nm_to_noll(*nm) for nm in nms))
    timings = []
    say(f"mathengine optics job on backend '{e.backend}': {n}x{n} pupil, "
        f"wavelength {o.wavelength} um, padding {o.padding}x")

    # 1. The wavefront: one fused kernel over generator nodes (no grid in memory).
    with Step(e, timings) as st:
        x, y = e.coordinates.make_xy_grid(n, diameter=2)
        r, t = e.coordinates.cart_to_polar(x, y)
        inside = e.coordinates.circle(1.0, r)
        inside_f = inside.astype(np.float64)
        wavefront = p.zernike_sum(coefs, nms, r, t) * inside_f
        samples = e.sum(inside_f)
        rms = e.sqrt(e.sum(wavefront**2) / samples)
        e.eval(wavefront, rms, samples)
        rms, samples = float(rms), float(samples)
        st.done("wavefront (Zernike sum)")

    # 2. PSF = |FFT(zero-padded pupil)|^2; the unaberrated peak is samples^2.
    with Step(e, timings) as st:
        big = o.padding * n
        k = 2 * math.pi / (o.wavelength * 1e3)
        pupil = inside_f * e.exp(1j * k * wavefront)
        psf = e.abs(e.fft.fft2(pupil, s=(big, big))) ** 2
        peak = e.max(psf)
        psf_log = e.log10(e.maximum(e.fft.fftshift(psf) / samples**2, 1e-7))
        e.eval(psf_log, peak)
        strehl = float(peak) / samples**2
        st.done("PSF (padded FFT, |.|^2)")

    with Step(e, timings) as st:
        mtf = e.fft.fftshift(e.abs(e.fft.fft2(psf)))
        mtf = mtf / e.max(mtf)
        mtf_np = np.asarray(mtf)
        st.done("MTF (FFT of the PSF)")

    # 3. The fit: Noll 1..fit_count over the pupil.
    with Step(e, timings) as st:
        fit_nms = [p.noll_to_nm(j) for j in range(1, fit_count + 1)]
        modes = p.zernike_nm_sequence(fit_nms, r, t)
        fitted = p.lstsq(modes, wavefront, inside)
        st.done(f"fit of Noll 1..{fit_count}")

    with Step(e, timings) as st:
        wavefront_np = np.asarray(e.where(inside, wavefront, math.nan))
        psf_log_np = np.asarray(psf_log)
        os.makedirs(o.out, exist_ok=True)
        arrays = os.path.join(o.out, "results.npz")
        np.savez_compressed(arrays, wavefront_nm=wavefront_np, psf_log10=psf_log_np, mtf=mtf_np)
        figures = _figures(o, wavefront_np, psf_log_np, mtf_np, big, n)
        st.done("outputs (files and figures)" if figures else "outputs (files)")

    say(f"  wavefront rms {rms:.3f} nm (sqrt(sum c^2) = {math.sqrt(sum(c * c for c in coefs)):.3f} nm); "
        f"Strehl ratio {strehl:.4f} (Marechal estimate {math.exp(-(k * rms) ** 2):.4f})")
    centre = big // 2
    say(f"  MTF  at nu/cutoff: {'x':>8} {'y':>8} {'perfect':>8}")
    for nu in (0.1, 0.25, 0.5, 0.75):
        kk = round(nu * n)
        perfect = 2 / math.pi * (math.acos(nu) - nu * math.sqrt(1 - nu * nu))
        say(f"             {nu:>5}: {mtf_np[centre, centre + kk]:>8.4f} {mtf_np[centre + kk, centre]:>8.4f} "
            f"{perfect:>8.4f}")
    say(f"  {'noll':>5} {'(n,m)':>7} {'name':<24} {'input nm':>12} {'fitted nm':>12}")
    worst = 0.0
    for j, (nm, c) in enumerate(zip(fit_nms, fitted), start=1):
        given = terms.get(nm)
        worst = max(worst, abs(c - (given or 0.0)))
        if given is not None or abs(c) > 1e-6:
            say(f"  {j:>5} {str(nm).replace(' ', ''):>7} {p.nm_to_name(*nm):<24} {given or 0.0:>12.6f} {c:>12.6f}")
    say(f"  (the other fitted coefficients are below 1e-6 nm); largest |fitted - input| = {worst:.1e} nm")
    for name, wall, comp in timings:
        say(f"  {name:<32} {wall * 1e3:9.1f} ms  (compiling {comp * 1e3:.1f} ms)")
    s = e.stats()
    say(f"  backend '{e.backend}': {s['kernels_compiled']} kernels compiled in "
        f"{s['compile_seconds'] * 1e3:.1f} ms, {s['cache_hits']} cache hits")
    summary = _write_summary(o, e, terms, fit_nms, fitted, rms, strehl, k, mtf_np, big, timings,
                             [arrays] + figures)
    say(f"  summary.json, results.npz{' and figures' if figures else ''} in {o.out}"
        + ("" if figures else " (install matplotlib for figures)"))
    if worst > 1e-8:
        raise RuntimeError(f"the fit is off by {worst:e} nm (tolerance 1e-8)")
    return dict(rms=rms, strehl=strehl, fitted=fitted, fit_nms=fit_nms, mtf=mtf_np, figures=figures,
                outputs=[summary, arrays] + figures)


def _write_summary(o, e, terms, fit_nms, fitted, rms, strehl, k, mtf, big, timings, files):
    """summary.json: the study's numbers, as examples/optics writes them."""
    p = e.polynomials
    c = big // 2
    n = o.size
    s = e.stats()
    doc = {
        "size": n, "wavelength_um": o.wavelength, "padding": o.padding, "backend": e.backend,
        "wavefront_rms_nm": rms, "strehl": strehl, "marechal_strehl": math.exp(-(k * rms) ** 2),
        "mtf": [{"nu_over_cutoff": nu, "x": float(mtf[c, c + round(nu * n)]),
                 "y": float(mtf[c + round(nu * n), c])} for nu in (0.1, 0.25, 0.5, 0.75)],
        "coefficients": [{"noll": j, "n": nm[0], "m": nm[1], "name": p.nm_to_name(*nm),
                          "input_nm": terms.get(nm, 0.0), "fitted_nm": float(f)}
                         for j, (nm, f) in enumerate(zip(fit_nms, fitted), start=1)],
        "steps": [{"step": name, "wall_ms": wall * 1e3, "compile_ms": comp * 1e3}
                  for name, wall, comp in timings],
        "kernels_compiled": s["kernels_compiled"], "cache_hits": s["cache_hits"],
        "files": [os.path.basename(f) for f in files],
    }
    path = os.path.join(o.out, "summary.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return path


def _figures(o, wavefront, psf_log, mtf, big, n):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []

    def save(fig, name):
        path = os.path.join(o.out, name)
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        written.append(path)

    ext = np.nanmax(np.abs(wavefront)) or 1.0
    fig, ax = plt.subplots(figsize=(5, 4))
    im = ax.imshow(wavefront, cmap="RdBu_r", vmin=-ext, vmax=ext, origin="lower")
    fig.colorbar(im, ax=ax, label="nm")
    ax.set_title("wavefront")
    save(fig, "wavefront.png")
    half = min(32 * o.padding, big // 2)
    c = big // 2
    fig, ax = plt.subplots(figsize=(5, 4))
    im = ax.imshow(psf_log[c - half:c + half, c - half:c + half], cmap="inferno", origin="lower",
                   extent=[-half / o.padding, half / o.padding] * 2)
    fig.colorbar(im, ax=ax, label="log10 PSF / unaberrated peak")
    ax.set_xlabel("lambda / D")
    ax.set_title("PSF")
    save(fig, "psf.png")
    count = min(n + 1, big - c)  # out to the cutoff, within the array at padding 2
    nu = np.arange(count) / n
    perfect = 2 / np.pi * (np.arccos(np.clip(nu, 0, 1)) - nu * np.sqrt(np.clip(1 - nu * nu, 0, None)))
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(nu, mtf[c, c:c + count], label="x")
    ax.plot(nu, mtf[c:c + count, c], label="y")
    ax.plot(nu, perfect, "k--", label="diffraction limit")
    ax.set_xlabel("frequency / cutoff")
    ax.set_ylabel("MTF")
    ax.legend()
    save(fig, "mtf.png")
    return written


def main(argv=None):
    try:
        run(parse(sys.argv[1:] if argv is None else argv))
    except (mathengine.BackendUnavailableError, ValueError, RuntimeError) as exc:
        print(f"optics: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
