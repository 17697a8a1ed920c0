"""A run's report: self-contained HTML (inline SVG plots drawn here, no CDN, no JavaScript), CSV, Markdown.

Public API::

    from mobilekit.device_runner.report import write_report
    write_report(store, run_id, "report.html", fmt="html")   # or "csv", "md"

Every device- or bundle-supplied string (model names, artifact names, error messages) goes through
``html.escape`` in HTML and is neutralised in Markdown. Results from the simulated phone are labelled
"simulated" in a banner, in every table row and in plot labels. A run from a device farm (``mobilekit runs
import``, ``mobilekit farm stf``) names the farm in the title, in a banner saying what a farm run cannot
measure, and in the device table.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import numpy as np

from mobilekit import MobilekitError
from mobilekit.device_runner.store import Store

FORMATS = ("html", "csv", "md")
COLORS = {"fp32": "#4e79a7", "fp16": "#76b7b2", "int8": "#e15759", "w8a8": "#f28e2b", "w8": "#edc948", "w4": "#b07aa1"}
E = html.escape


def collect(store: Store, run_id: str) -> dict:
    """Everything a report shows, as plain data: run, devices, and one row per case (latencies included)."""
    run = store.run(run_id)
    devices = store.devices(run_id)
    label = {d["address"]: _device_label(d) for d in devices}
    sim_device = {d["address"]: bool(d["simulated"]) for d in devices}
    rows = []
    for c in store.cases(run_id):
        res = c["result"] or {}
        energy = c["energy"] or {}
        check = res.get("check") or {}
        rows.append({
            "device": label.get(c["address"], c["address"]), "address": c["address"], "artifact": c["artifact"],
            "runtime": c["runtime"], "backend": c["backend"], "precision": c["precision"], "threads": c["threads"],
            "repeat": c["repeat_index"], "status": c["status"], "simulated": bool(c["simulated"]) or sim_device.get(c["address"], False),
            "p50_ms": c["p50_ms"], "p90_ms": c["p90_ms"], "p99_ms": c["p99_ms"], "mean_ms": c["mean_ms"],
            "load_ms": c["load_ms"], "artifact_bytes": c["artifact_bytes"],
            "mj_per_inference": energy.get("mj_per_inference") if energy.get("valid") else None,
            "app_mj_per_inference": energy.get("app_mj_per_inference"),
            "energy_valid": energy.get("valid") if energy else None,
            "energy_note": (energy.get("invalid_reason") if energy and not energy.get("valid") else None),
            "energy_method": energy.get("method"),
            "baseline_mw": energy.get("baseline_mw"),
            "check_ok": check.get("ok"), "error": c["error"],
            "pss_kb_peak": (res.get("memory") or {}).get("pss_kb_peak"),
            "latencies": store.latencies(c["case_id"]) if c["status"] == "ok" else [],
        })
    return {"run": run, "devices": devices, "rows": rows, "farm": run.get("farm"),
            "simulated": any(r["simulated"] for r in rows) or any(d["simulated"] for d in devices)}


FARM_NOTE = ("ran on the {farm} device farm. Farm phones are kept on USB power, so battery current measures "
             "charging, not the phone's draw: energy per inference is marked invalid with the reason wherever that "
             "was so. Latency, load time, memory, thermal status and CPU frequency residency are measured.")


def _farm_device(d: dict) -> str:
    """What the farm calls the phone (Device Farm's device name and OS version, a Test Lab dimension, an STF serial)."""
    fd = (d.get("info") or {}).get("farm_device") or {}
    parts = [str(v) for k, v in sorted(fd.items()) if v and k in ("DEVICEFARM_DEVICE_NAME", "DEVICEFARM_DEVICE_OS_VERSION",
                                                                    "dimension", "serial", "remote_connect_url")]
    return " · ".join(parts)


def _device_label(d: dict) -> str:
    maker, model = d.get("manufacturer") or "", d.get("model") or ""
    name = model if maker and model.lower().startswith(maker.lower()) else f"{maker} {model}".strip()
    name = name or d["address"]
    return name + (" (simulated)" if d.get("simulated") else "")


def write_report(store: Store, run_id: str, path: str | Path | None, fmt: str = "html") -> str:
    """Render run ``run_id`` as ``fmt`` (html, csv, md); write it to ``path`` if given; return the text."""
    if fmt not in FORMATS:
        raise MobilekitError(f"Unknown report format {fmt!r}.", hint=f"Use one of: {', '.join(FORMATS)}.")
    data = collect(store, run_id)
    text = {"html": render_html, "csv": render_csv, "md": render_md}[fmt](data)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
    return text


CSV_COLUMNS = ["device", "address", "simulated", "artifact", "runtime", "backend", "precision", "threads", "repeat",
               "status", "p50_ms", "p90_ms", "p99_ms", "mean_ms", "load_ms", "artifact_bytes", "mj_per_inference",
               "app_mj_per_inference", "energy_valid", "energy_note", "check_ok", "pss_kb_peak", "error", "farm"]


def render_csv(data: dict) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in data["rows"]:
        w.writerow({k: _csv_safe(r.get(k) if k != "farm" else data.get("farm")) for k in CSV_COLUMNS})
    return buf.getvalue()


def _csv_safe(v):
    # Spreadsheet formula injection: a device-supplied string starting with = + - @ is prefixed with '
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


_MD_SPECIAL = re.compile(r"([\\`*_\[\]()!|~])")  # after html.escape, so no < > & remain
_MD_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _md(v) -> str:
    """A value for a Markdown table cell: one line, HTML-escaped, and every character Markdown gives a meaning
    (links ``[..](..)``, images, emphasis, code, raw HTML, cell bars) backslash-escaped, so a device string such as
    ``[x](javascript:alert(1))`` is text, never a link."""
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.3f}"
    s = _MD_CONTROL.sub(" ", str(v))
    return _MD_SPECIAL.sub(r"\\\1", E(s))


def _fmt(v, nd=3) -> str:
    return "" if v is None else (f"{v:.{nd}f}" if isinstance(v, float) else str(v))


def render_md(data: dict) -> str:
    run = data["run"]
    out = [f"# mobilekit benchmark run {_md(run['run_id'])}" + (f" ({_md(data['farm'])})" if data.get("farm") else ""), ""]
    if data.get("farm"):
        out += ["> **Farm**: this run " + _md(FARM_NOTE.format(farm=data["farm"])), ""]
    if data["simulated"]:
        out += ["> **SIMULATED**: these results come from mobilekit's simulated phone (a test double), not real hardware.", ""]
    out += [f"Bundle: {_md(run['bundle_name'])} · status: {_md(run['status'])} · created {_md(run['created_utc'])}", "",
            "## Devices", "", "| device | SoC | ABIs | SDK | cores | simulated | farm |", "|---|---|---|---|---|---|---|"]
    for d in data["devices"]:
        farm = " ".join(x for x in ((d.get("info") or {}).get("farm") or "", _farm_device(d)) if x)
        out.append(f"| {_md(_device_label(d))} | {_md(d['soc'])} | {_md(d['abis'])} | {_md(d['android_sdk'])} | "
                   f"{_md(d['cores'])} | {'yes' if d['simulated'] else 'no'} | {_md(farm)} |")
    out += ["", "## Cases", "", "| device | artifact | precision | threads | rep | status | p50 ms | p90 ms | load ms | "
            "mJ/inference | check | note |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in data["rows"]:
        note = r["error"] or r["energy_note"] or ""
        out.append(f"| {_md(r['device'])} | {_md(r['artifact'])} | {_md(r['precision'])} | {r['threads']} | {r['repeat']} | "
                   f"{_md(r['status'])} | {_md(r['p50_ms'])} | {_md(r['p90_ms'])} | {_md(r['load_ms'])} | "
                   f"{_md(r['mj_per_inference'])} | {_md(r['check_ok'])} | {_md(note)} |")
    out += ["", "Energy method: " + _md(next((r["energy_method"] for r in data["rows"] if r["energy_method"]), "not measured")), ""]
    return "\n".join(out)


# ---- SVG ----------------------------------------------------------------------------------------
def _svg_boxes(groups: list[tuple[str, list[float], str]], title: str) -> str:
    """Horizontal box plots (p5-p95 whiskers, p25-p75 box, p50 line) with every label escaped."""
    groups = [g for g in groups if g[1]]
    if not groups:
        return ""
    lo = min(min(v) for _, v, _ in groups)
    hi = max(max(v) for _, v, _ in groups)
    span = (hi - lo) or max(hi, 1e-9)
    left, width, row = 480, 420, 26
    h = 40 + row * len(groups) + 30

    def x(v):
        return left + (v - lo) / span * width

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 30}" height="{h}" role="img">',
             f'<title>{E(title)}</title><text x="10" y="20" font-weight="bold">{E(title)}</text>']
    for i, (label, vals, color) in enumerate(groups):
        y = 40 + i * row
        p5, p25, p50, p75, p95 = np.percentile(vals, [5, 25, 50, 75, 95])
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" font-size="12">{E(label)}</text>')
        parts.append(f'<line x1="{x(p5):.1f}" x2="{x(p95):.1f}" y1="{y + 10}" y2="{y + 10}" stroke="#555"/>')
        parts.append(f'<rect x="{x(p25):.1f}" y="{y + 2}" width="{max(1, x(p75) - x(p25)):.1f}" height="16" '
                     f'fill="{color}" fill-opacity="0.6" stroke="#333"/>')
        parts.append(f'<line x1="{x(p50):.1f}" x2="{x(p50):.1f}" y1="{y}" y2="{y + 20}" stroke="#000" stroke-width="2"/>')
        parts.append(f'<text x="{x(p95) + 4:.1f}" y="{y + 14}" font-size="11">{p50:.3g} ms</text>')
    yb = 40 + row * len(groups) + 14
    parts.append(f'<text x="{left}" y="{yb}" font-size="11">{lo:.3g} ms</text>'
                 f'<text x="{left + width}" y="{yb}" font-size="11" text-anchor="end">{hi:.3g} ms</text></svg>')
    return "".join(parts)


def _svg_bars(items: list[tuple[str, float, str]], title: str, unit: str) -> str:
    items = [i for i in items if i[1] is not None]
    if not items:
        return ""
    top = max(v for _, v, _ in items) or 1.0
    left, width, row = 480, 380, 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 100}" height="{40 + row * len(items)}" '
             f'role="img"><title>{E(title)}</title><text x="10" y="20" font-weight="bold">{E(title)}</text>']
    for i, (label, v, color) in enumerate(items):
        y = 32 + i * row
        w = max(1.0, max(v, 0) / top * width)
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" font-size="12">{E(label)}</text>'
                     f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="16" fill="{color}"/>'
                     f'<text x="{left + w + 4:.1f}" y="{y + 14}" font-size="11">{v:.3g} {E(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_scatter(points: list[tuple[str, float, float, str]], title: str) -> str:
    """Artifact size (x, KiB, log scale) against p50 latency (y, ms)."""
    points = [p for p in points if p[1] and p[2] is not None]
    if not points:
        return ""
    xs = np.log10([p[1] / 1024 for p in points])
    ys = [p[2] for p in points]
    x0, x1 = float(min(xs)), float(max(xs))
    y1 = max(ys) * 1.1 or 1.0
    W, H, L, B = 640, 320, 60, 40
    xspan = (x1 - x0) or 1.0

    def px(v):
        return L + (v - x0) / xspan * (W - L - 180)

    def py(v):
        return H - B - v / y1 * (H - B - 30)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" role="img"><title>{E(title)}</title>',
             f'<text x="10" y="20" font-weight="bold">{E(title)}</text>',
             f'<line x1="{L}" y1="{H - B}" x2="{W - 170}" y2="{H - B}" stroke="#333"/>',
             f'<line x1="{L}" y1="30" x2="{L}" y2="{H - B}" stroke="#333"/>',
             f'<text x="{L}" y="{H - 10}" font-size="11">size, KiB (log): {10 ** x0:.0f} .. {10 ** x1:.0f}</text>',
             f'<text x="4" y="40" font-size="11">{y1:.3g} ms</text>']
    for (label, _, y, color), xv in zip(points, xs):
        parts.append(f'<circle cx="{px(xv):.1f}" cy="{py(y):.1f}" r="5" fill="{color}"><title>{E(label)}</title></circle>'
                     f'<text x="{px(xv) + 7:.1f}" y="{py(y) + 4:.1f}" font-size="10">{E(label[:40])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _group(rows: list[dict]) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = {}
    for r in rows:
        if r["status"] == "ok":
            out.setdefault((r["device"], r["artifact"], r["precision"], r["threads"]), []).append(r)
    return out


def render_html(data: dict) -> str:
    run, rows = data["run"], data["rows"]
    groups = _group(rows)
    boxes = [(f"{a} x{t} · {d}", [v for r in rs for v in r["latencies"]], COLORS.get(p, "#999"))
             for (d, a, p, t), rs in sorted(groups.items())]
    p50 = [(f"{a} x{t} · {d}", float(np.median([v for r in rs for v in r["latencies"]] or [0])), COLORS.get(p, "#999"))
           for (d, a, p, t), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][3], kv[0][2]))]
    energy = [(f"{a} x{t} · {d}", float(np.mean(v)) if (v := [r["mj_per_inference"] for r in rs
                                                               if r["mj_per_inference"] is not None]) else None,
               COLORS.get(p, "#999")) for (d, a, p, t), rs in sorted(groups.items())]
    scatter = [(f"{a} x{t} · {d}", rs[0]["artifact_bytes"], float(np.median([v for r in rs for v in r["latencies"]] or [0])),
                COLORS.get(p, "#999")) for (d, a, p, t), rs in sorted(groups.items())]
    sim_banner = ('<div class="sim"><b>SIMULATED</b>: these results come from mobilekit\'s simulated phone, a test '
                  'double that runs the artifacts with the host runtime. They are not phone measurements.</div>'
                  if data["simulated"] else "")
    farm_banner = (f'<div class="farm"><b>Farm: {E(str(data["farm"]))}</b>. This run '
                   f'{E(FARM_NOTE.format(farm=data["farm"]))}</div>' if data.get("farm") else "")
    dev_rows = "".join(
        f"<tr><td>{E(_device_label(d))}</td><td>{E(str(d['address']))}</td><td>{E(str(d['soc'] or ''))}</td>"
        f"<td>{E(str(d['abis'] or ''))}</td><td>{E(str(d['android_sdk'] or ''))}</td><td>{E(str(d['cores'] or ''))}</td>"
        f"<td>{E(str((d['info'].get('ram_total_kb') or 0) // 1024))} MiB</td>"
        f"<td>{E(str(d['info'].get('fixed_performance_mode')))}</td>"
        f"<td>{E(_fmt(d['info'].get('batterystats_app_mah')))}</td>"
        f"<td>{'<b>simulated</b>' if d['simulated'] else 'real'}</td>"
        f"<td>{E(str((d['info'].get('farm') or '')))} {E(_farm_device(d))}</td></tr>" for d in data["devices"])
    case_rows = "".join(
        f"<tr class=\"{E(r['status'])}\"><td>{E(r['device'])}</td><td>{E(r['artifact'])}</td><td>{E(str(r['precision']))}</td>"
        f"<td>{r['threads']}</td><td>{r['repeat']}</td><td>{E(r['status'])}</td><td>{_fmt(r['p50_ms'])}</td>"
        f"<td>{_fmt(r['p90_ms'])}</td><td>{_fmt(r['load_ms'], 1)}</td><td>{_fmt(r['mj_per_inference'])}</td>"
        f"<td>{_fmt(r['app_mj_per_inference'])}</td><td>{E(str(r['check_ok']))}</td>"
        f"<td>{'simulated' if r['simulated'] else ''}</td><td>{E(r['error'] or r['energy_note'] or '')}</td></tr>"
        for r in rows)
    method = next((r["energy_method"] for r in rows if r["energy_method"]), None)
    plots = "".join(f'<div class="plot">{s}</div>' for s in (
        _svg_boxes(boxes, "Latency distribution per artifact and device (box p25-p75, whiskers p5-p95)"),
        _svg_bars(p50, "p50 latency: FP32 vs INT8 and other precisions (colour = precision)", "ms"),
        _svg_bars(energy, "Energy per inference (valid measurements only)", "mJ"),
        _svg_scatter(scatter, "Artifact size vs p50 latency"),
    ) if s)
    legend = " ".join(f'<span style="background:{c};color:#fff;padding:1px 6px">{E(p)}</span>' for p, c in COLORS.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mobilekit run {E(run['run_id'])}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;font-size:13px}}th{{background:#f3f3f3}}tr.failed td{{background:#fde8e8}}
.sim{{background:#fff3cd;border:2px solid #d39e00;padding:10px;font-size:16px;margin:1em 0}}
.farm{{background:#e8f0fe;border:2px solid #4e79a7;padding:10px;font-size:16px;margin:1em 0}}.plot{{margin:1.5em 0}}</style>
</head><body>
<h1>mobilekit benchmark run {E(run['run_id'])}{(' · ' + E(str(data['farm']))) if data.get('farm') else ''}</h1>
{farm_banner}
{sim_banner}
<p>Bundle <b>{E(str(run['bundle_name']))}</b> · status {E(str(run['status']))} · created {E(str(run['created_utc']))}
· {sum(r['status'] == 'ok' for r in rows)} ok, {sum(r['status'] == 'failed' for r in rows)} failed of {len(rows)} cases</p>
<h2>Devices</h2>
<table><tr><th>device</th><th>address</th><th>SoC</th><th>ABIs</th><th>SDK</th><th>cores</th><th>RAM</th>
<th>fixed perf mode</th><th>app mAh (batterystats estimate)</th><th>kind</th><th>farm</th></tr>{dev_rows}</table>
<h2>Plots</h2><p>Precision colours: {legend}</p>
{plots}
<h2>Cases</h2>
<table><tr><th>device</th><th>artifact</th><th>precision</th><th>threads</th><th>repeat</th><th>status</th><th>p50 ms</th>
<th>p90 ms</th><th>load ms</th><th>mJ/inference</th><th>app mJ/inference</th><th>output check</th><th>kind</th><th>note</th></tr>
{case_rows}</table>
<h2>Method</h2>
<p>Latency: every iteration timed by the app's benchmark mode after warm-up. Energy: {E(method or 'not measured in this run')}.</p>
<p>Plan: <code>{E(json.dumps(run['plan']))}</code></p>
</body></html>
"""
