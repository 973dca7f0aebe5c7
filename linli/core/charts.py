"""Charts drawn on the server as inline SVG (no script, CSP-safe, and WeasyPrint draws them in a
PDF): the three rates month by month, used by the public board and the periodic reports.
The markup is templates/core/rates_chart.html; this module computes the geometry."""

RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
COLOURS = ("#0d6efd", "#198754", "#dc3545")  # presentation attributes: no style, CSP-safe


def percent(value) -> str:
    """A Fraction as a percentage with one decimal; None (nothing due) as —."""
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def rates_chart(series, height=100, bar=8, gap=18):
    """Bars of the three rates per month. series: rows of cases.metrics (a "label" and the rates,
    a rate None when nothing was due: no bar)."""
    months = []
    for i, row in enumerate(series):
        x0 = 10 + i * (3 * bar + gap)
        bars = []
        for j, key in enumerate(RATES):
            value = row.get(key)
            h = round(float(value) * height) if value is not None else 0
            bars.append({"x": x0 + j * bar, "y": height - h + 10, "h": h, "fill": COLOURS[j], "value": value})
            bars[-1]["title"] = f"{row['label']} {percent(value)}"
        months.append({"label": row["label"], "x": x0 + 3 * bar / 2, "bars": bars})
    return {
        "months": months,
        "width": 10 + len(series) * (3 * bar + gap),
        "height": height + 30,
        "bar": bar,
        "axis": height + 10,
        "text_y": height + 24,
    }
