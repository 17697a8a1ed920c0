"""The bundle's ``report.html``: one self-contained page comparing every artifact side by side.

Size, host latency and fidelity per artifact, as a table and inline SVG bar charts (no scripts, no
CDN), plus the delegation report and any failed builds. Latency here is the host's (x86), labelled
so; phone latency comes from ``mobilekit bench``.
"""

from __future__ import annotations

import html
from pathlib import Path

from mobilekit.export.targets.delegation import HARMLESS

HOST_LATENCY_NOTE = (
    "Host latency is measured on this x86 machine, not on a phone. On x86 without VNNI, INT8 XNNPACK "
    "kernels are no faster than FP32; ARM phones with dot-product instructions are where INT8 pays. "
    "Use `mobilekit bench` for phone latency."
)


def _e(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _fmt(x, digits=3, suffix="") -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}{suffix}"
    return f"{x}{suffix}"


def bar_chart(title: str, rows: list[tuple[str, float]], unit: str, width: int = 640) -> str:
    """A horizontal SVG bar chart of (label, value) rows; values <= 0 or None are left out."""
    rows = [(label, v) for label, v in rows if v is not None and v > 0]
    if not rows:
        return ""
    bar_h, gap, left, top = 22, 8, 260, 30
    height = top + len(rows) * (bar_h + gap) + 10
    vmax = max(v for _, v in rows)
    palette = ["#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6", "#9D755D"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="{_e(title)}">',
        f'<text x="0" y="18" font-size="14" font-weight="bold">{_e(title)}</text>',
    ]
    for i, (label, v) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(1.0, (width - left - 90) * v / vmax)
        parts.append(f'<text x="{left - 6}" y="{y + 15}" font-size="12" text-anchor="end">{_e(label)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{palette[i % len(palette)]}"/>')
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 15}" font-size="12">{v:.3g} {_e(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def sensitivity_section(layers: list[dict], kept: list[str] | None = None, top: int = 15) -> str:
    """HTML for a sensitivity ranking (``mobilekit analyze``, automatic keep-float): a chart and a table."""
    if not layers:
        return ""
    worst = layers[:top]
    chart = bar_chart(
        f"SQNR vs FP32 with only this layer in INT8 (the {len(worst)} most damaging; shorter = worse)",
        [(row["name"], row["combined_sqnr_db"]) for row in worst],
        "dB",
        width=760,
    )
    kept = set(kept or ())
    body = "".join(
        f"<tr{' class=kept' if row['name'] in kept else ''}><td class=n>{i + 1}</td><td><code>{_e(row['name'])}</code></td>"
        f"<td>{_e(row['kind'])}</td><td class=n>{row['params']:,}</td><td class=n>{_fmt(row['weight_sqnr_db'], 1)}</td>"
        f"<td class=n>{_fmt(row['activation_sqnr_db'], 1)}</td><td class=n>{_fmt(row['combined_sqnr_db'], 1)}</td>"
        f"<td class=n>{_fmt(row.get('weight_agreement'), 3)}</td><td class=n>{_fmt(row.get('activation_agreement'), 3)}</td>"
        f"<td>{'kept float' if row['name'] in kept else ''}</td></tr>"
        for i, row in enumerate(worst)
    )
    return (
        chart
        + "<table><tr><th>#</th><th>layer</th><th>type</th><th>params</th><th>weights SQNR dB</th><th>activation SQNR dB</th>"
        "<th>both dB</th><th>weights top-1 agr</th><th>activation top-1 agr</th><th></th></tr>" + body + "</table>"
    )


def render(manifest: dict, validation: dict) -> str:
    """The HTML text of the bundle report."""
    arts = manifest["artifacts"]
    fp32 = next((a for a in arts if a["target"] == "xnnpack" and a["precision"] == "fp32"), None)
    eager = validation.get("eager_fp32", {})
    rows = []
    for a in arts:
        v = a.get("validation") or {}
        lat = v.get("host_latency_ms") or {}
        ratio = a["bytes"] / fp32["bytes"] if fp32 else None
        status = v.get("status", "—")
        if status == "low_fidelity":
            status = "low_fidelity (not good enough to ship)"
        if v.get("estimate"):
            status += f" [{v['estimate']}]"
        rows.append(
            "<tr>"
            f"<td><code>{_e(a['file'])}</code>{' <span class=legacy>legacy</span>' if a.get('legacy') else ''}</td>"
            f"<td>{_e(a['runtime'])}/{_e(a['backend'])}</td><td>{_e(a['precision'])}</td>"
            f"<td>{_e(', '.join(a['platforms']))}</td>"
            f"<td class=n>{a['bytes'] / 1024:.1f}</td><td class=n>{_fmt(ratio, 3)}</td>"
            f"<td class=n>{_fmt(lat.get('p50'), 3)}</td><td class=n>{_fmt(lat.get('p90'), 3)}</td>"
            f"<td class=n>{_fmt(v.get('top1_agreement'), 4)}</td><td class=n>{_fmt(v.get('sqnr_db'), 1)}</td>"
            f"<td class=n>{_fmt(v.get('cosine_min'), 4)}</td>"
            f"<td class=n>{_fmt(v.get('max_abs_err'), 4)}</td><td class=n>{_fmt(v.get('accuracy'), 4)}</td>"
            f"<td class={_e(v.get('status', ''))}>{_e(status)}{(': ' + _e(v.get('reason'))) if v.get('reason') else ''}</td>"
            "</tr>"
        )
    eager_row = ""
    if eager:
        eager_row = (
            "<tr class=ref><td>eager PyTorch (reference)</td><td>torch</td><td>fp32</td><td>host</td><td></td><td></td>"
            f"<td class=n>{_fmt(eager.get('host_latency_ms', {}).get('p50'), 3)}</td>"
            f"<td class=n>{_fmt(eager.get('host_latency_ms', {}).get('p90'), 3)}</td>"
            f"<td class=n>1.0000</td><td class=n>∞</td><td class=n>1.0000</td><td class=n>0</td><td class=n>{_fmt(eager.get('accuracy'), 4)}</td><td>reference</td></tr>"
        )
    label = lambda a: f"{a['target']} {a['precision']}"  # noqa: E731
    charts = [
        bar_chart("Artifact size", [(label(a), a["bytes"] / 1024) for a in arts], "KiB"),
        bar_chart(
            "Host (x86) latency p50 — not phone latency",
            [(label(a), ((a.get("validation") or {}).get("host_latency_ms") or {}).get("p50")) for a in arts],
            "ms",
        ),
        bar_chart("Fidelity vs FP32: SQNR", [(label(a), (a.get("validation") or {}).get("sqnr_db")) for a in arts], "dB"),
    ]
    deleg = []
    for a in arts:
        d = a.get("delegation")
        if not d:
            continue
        compute = {op: n for op, n in d.get("non_delegated_ops", {}).items() if op not in HARMLESS}
        items = "".join(
            f"<li><code>{_e(op)}</code> ×{n}: {_e(d.get('reasons', {}).get(op, ''))}</li>" for op, n in compute.items()
        )
        deleg.append(
            f"<h3><code>{_e(a['file'])}</code></h3><p>{d['delegated_nodes']} nodes delegated to {_e(a['backend'])}; "
            + (f"{sum(compute.values())} compute op(s) left on portable CPU kernels (slower):</p><ul>{items}</ul>"
               if compute else "every compute op delegated.</p>")
        )
    notes = [f"<li><code>{_e(a['file'])}</code>: {_e(n)}</li>" for a in arts for n in (a.get("validation") or {}).get("notes", [])]
    failures = "".join(
        f"<li><b>{_e(f['target'])} {_e(f['precision'])}</b>: {_e(f['error'])}{('<br><i>' + _e(f['hint']) + '</i>') if f.get('hint') else ''}</li>"
        for f in manifest.get("failures", [])
    )
    auto = validation.get("keep_float_auto") or {}
    mixed = ""
    if auto:
        steps = "".join(
            f"<tr><td class=n>{len(st['keep_float'])}</td><td>{_e(', '.join(st['keep_float']) or '(plain INT8)')}</td>"
            f"<td class=n>{_fmt(st.get('sqnr_db'), 1)}</td><td class=n>{_fmt(st.get('top1_agreement'), 3)}</td></tr>"
            for st in auto.get("steps", [])
        )
        verdict = (f"kept {len(auto.get('layers', []))} layer(s) in float ({auto.get('float_params', 0):,} parameters, "
                   f"~{auto.get('extra_bytes_estimate', 0) / 1024:.0f} KiB more than all-INT8)" if auto.get("layers")
                   else "plain INT8 met the floor; every layer is INT8")
        mixed = (
            "<h2>Mixed precision (automatic)</h2>"
            f"<p>Plain INT8 was checked against the fidelity floor on {auto.get('tuning_samples')} tuning samples held out of "
            f"the calibration data (not the evaluation data): {_e(verdict)}"
            f"{'' if auto.get('met_floor_on_tuning_data', True) else '; the floor was still not met on tuning data'}.</p>"
            "<table><tr><th>layers kept float</th><th>which</th><th>SQNR dB</th><th>top-1 agreement</th></tr>" + steps + "</table>"
            + sensitivity_section(auto.get("ranking", []), auto.get("layers"))
        )
    floor = validation.get("floor") or {}
    floor_text = (
        f"Fidelity floor: SQNR ≥ {floor.get('min_sqnr_db')} dB and top-1 agreement ≥ {floor.get('min_agreement')} vs FP32"
        + (f", accuracy within {floor['accuracy_budget']} points" if floor.get("accuracy_budget") is not None else "")
        + (f"; embeddings: cosine ≥ {floor['min_cosine']} on every held-out sample ({floor.get('min_cosine_4bit')} for "
           "4-bit recipes)" if floor.get("min_cosine") is not None else "")
        + "; below it an artifact is <b>low_fidelity</b>: not good enough to ship."
    ) if floor else ""
    not_built = "".join(f"<li>{_e(nb['target'])} {_e(nb['precision'])}: {_e(nb['reason'])}</li>"
                        for nb in validation.get("not_built") or [])
    auto = validation.get("recipe_auto")
    if auto:
        not_built = f"<li>--quant auto chose {_e(auto['precision'])}: {_e(auto['reason'])}</li>" + not_built
    src = manifest["source"]
    eval_desc = validation.get("eval", {}).get("description", "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mobilekit bundle: {_e(manifest['name'])}</title>
<style>
body{{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;max-width:1200px;color:#222}}
table{{border-collapse:collapse;font-size:13px}} th,td{{border:1px solid #ddd;padding:4px 8px}} th{{background:#f4f4f4}}
td.n{{text-align:right;font-variant-numeric:tabular-nums}} .failed{{color:#b00}} .low_fidelity{{color:#fff;background:#c62828;font-weight:bold}} tr.kept{{background:#e8f5e9}} .skipped{{color:#a60}} .ok{{color:#070}}
.legacy{{background:#eee;border-radius:3px;padding:0 4px;font-size:11px}} tr.ref{{background:#fafafa;color:#555}}
.note{{background:#fff8e1;border-left:4px solid #f0b400;padding:8px 12px}} svg{{display:block;margin:1rem 0}}
</style></head><body>
<h1>Bundle <code>{_e(manifest['name'])}</code></h1>
<p>Model <code>{_e(src.get('model'))}</code> ({'trained' if src.get('trained', True) else 'untrained: random weights, for size and speed only'}),
torch {_e(src.get('torch'))}, executorch {_e(src.get('executorch'))}, made {_e(manifest['created_utc'])} by mobilekit {_e(src.get('mobilekit'))}.
{_e(src.get('description', ''))}</p>
<p>Input: {', '.join(f"<code>{_e(i['name'])}</code> {_e(i['dtype'])} {_e(i['shape'])}" for i in manifest['inputs'])};
output: {', '.join(f"<code>{_e(o['name'])}</code> {_e(o['shape'])}" for o in manifest['outputs'])}.
Evaluated on {_e(validation.get('eval', {}).get('samples'))} held-out samples{(': ' + _e(eval_desc)) if eval_desc else ''}.</p>
<p>{floor_text}</p>
<p class=note>{_e(HOST_LATENCY_NOTE)}</p>
<h2>Artifacts</h2>
<table><tr><th>file</th><th>runtime/backend</th><th>precision</th><th>platforms</th><th>KiB</th><th>size / FP32 .pte</th>
<th>host p50 ms</th><th>host p90 ms</th><th>top-1 agreement</th><th>SQNR dB</th><th>worst cosine</th><th>max abs err</th><th>accuracy</th><th>validation</th></tr>
{eager_row}{''.join(rows)}</table>
{''.join(charts)}
{mixed}
{('<h2>Failed builds</h2><ul>' + failures + '</ul>') if failures else ''}
{('<h2>Recipes</h2><ul>' + not_built + '</ul>') if not_built else ''}
<h2>Delegation</h2>{''.join(deleg) or '<p>No delegated artifacts.</p>'}
{('<h2>Notes</h2><ul>' + ''.join(notes) + '</ul>') if notes else ''}
</body></html>
"""


def write_report(bundle: Path, manifest: dict, validation: dict) -> Path:
    """Write ``report.html`` into the bundle and return its path."""
    path = Path(bundle) / "report.html"
    path.write_text(render(manifest, validation), encoding="utf-8")
    return path
