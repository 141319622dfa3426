"""Charts drawn on the server: inline SVG for the page (no JavaScript, nothing fetched: the machine is offline) and
plain HTML tables with widths for the email (mail clients do not render SVG reliably).

Every function returns safe markup built with format_html, so labels from the data are escaped."""

from __future__ import annotations

from typing import Any
from unicodedata import east_asian_width

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports import presentation as p

# Colour-blind-safe (Okabe-Ito), readable on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999", "#F0E442")
INK, GRID, MUTED = "#1f2937", "#e5e7eb", "#6b7280"

VOLUME_SERIES = ("received", "resolved", "backlog", "reopened")
RATE_SERIES = ("first_response_met_pct", "resolution_met_pct", "dissatisfaction_rate_pct")


def _nice_max(value: float) -> float:
    """A round top for the axis: 10, 20, 25, 50, 100, 150…"""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 4, 6, 8, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def trend_svg(
    data: dict,
    series: tuple[str, ...],
    *,
    title: str,
    unit: str,
    top: float | None = None,
    width: int = 560,
    height: int = 240,
) -> SafeString:
    """A line chart of the last weeks (oldest left): one line per series, gaps where a week is unknown."""
    trend = data.get("trend") or []
    left, right, upper, lower = 44, 12, 30, 46
    plot_w, plot_h = width - left - right, height - upper - lower
    values = [row.get(key) for row in trend for key in series if row.get(key) is not None]
    top = top or _nice_max(max(values, default=0))
    n = len(trend)

    def x(i: int) -> str:
        return f"{left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2):.1f}"

    def y(v: float) -> str:
        return f"{upper + plot_h - plot_h * float(v) / top:.1f}"

    parts: list[str] = []
    for step in range(5):  # grid and y labels
        v = top * step / 4
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="10" fill="{}">{}</text>',
                left,
                width - right,
                y(v),
                y(v),
                GRID,
                left - 6,
                f"{float(y(v)) + 3:.1f}",
                MUTED,
                f"{v:g}",
            )
        )
    for i, row in enumerate(trend):  # x labels: the week number, every other week when crowded
        if n <= 8 or i % 2 == (n - 1) % 2:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="10" fill="{}">{}</text>',
                    x(i),
                    height - lower + 14,
                    MUTED,
                    str(row.get("week", ""))[-3:],
                )
            )
    for index, key in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        label = str(p.TREND_SERIES.get(key, key))
        segments, current = [], []
        for i, row in enumerate(trend):
            v = row.get(key)
            if v is None:
                if current:
                    segments.append(current)
                current = []
                continue
            current.append((i, v))
        if current:
            segments.append(current)
        for segment in segments:
            points = " ".join(f"{x(i)},{y(v)}" for i, v in segment)
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-linejoin="round"/>',
                    points,
                    colour,
                )
            )
            for i, v in segment:
                parts.append(
                    format_html(
                        '<circle cx="{}" cy="{}" r="2.6" fill="{}"><title>{} {}: {}</title></circle>',
                        x(i),
                        y(v),
                        colour,
                        trend[i].get("week", ""),
                        label,
                        p.fmt(v, unit),
                    )
                )
        # legend under the plot, left to right
        lx = left + index * (plot_w / max(len(series), 1))
        lx, tx = f"{lx:.1f}", f"{lx + 14:.1f}"
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" rx="2" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                lx,
                height - 18,
                colour,
                tx,
                height - 9,
                INK,
                label,
            )
        )
    body = mark_safe("".join(parts))
    return format_html(
        '<svg class="redress-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg" data-chart="trend">'
        '<title>{}</title><text x="{}" y="18" font-size="13" font-weight="600" fill="{}">{}</text>{}</svg>',
        title,
        width,
        height,
        title,
        left,
        INK,
        title,
        body,
    )


def _short(label: str, limit: int = 22) -> str:
    """Long labels are cut with an ellipsis (a Chinese character counts double); the full one is in the tooltip."""
    used, out = 0, ""
    for ch in label:
        used += 2 if east_asian_width(ch) in "WF" else 1
        if used > limit:
            return out.rstrip() + "…"
        out += ch
    return out


def shares_svg(items: list[dict], *, title: str, width: int = 460, bar: int = 20, kind: str = "shares") -> SafeString:
    """Horizontal bars: each row's share of the week's complaints, largest first, count and percent at the end."""
    upper, label_w, value_w = 28, 200, 86
    height = upper + max(len(items), 1) * (bar + 8) + 6
    plot_w = width - label_w - value_w
    top = max((row["pct"] for row in items), default=0) or 1
    parts: list[str] = []
    if not items:
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="12" fill="{}">{}</text>',
                upper + 14,
                MUTED,
                _("No complaints this week."),
            )
        )
    for i, row in enumerate(items):
        ty = upper + i * (bar + 8)
        w = max(plot_w * row["pct"] / top, 1.5)
        w_text, value_x, text_y = f"{w:.1f}", f"{label_w + w + 6:.1f}", f"{ty + bar * 0.7:.1f}"
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" font-size="11.5" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="{}"><title>{}: {} ({} %)</title></rect>'
                '<text x="{}" y="{}" font-size="11" fill="{}">{} · {} %</text>',
                label_w - 8,
                text_y,
                INK,
                _short(row["label"]),
                label_w,
                ty,
                w_text,
                bar,
                PALETTE[i % len(PALETTE)],
                row["label"],
                row["count"],
                row["pct"],
                value_x,
                text_y,
                MUTED,
                row["count"],
                row["pct"],
            )
        )
    return format_html(
        '<svg class="redress-chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'xmlns="http://www.w3.org/2000/svg" data-chart="{}"><title>{}</title>'
        '<text x="0" y="16" font-size="13" font-weight="600" fill="{}">{}</text>{}</svg>',
        title,
        width,
        height,
        kind,
        title,
        INK,
        title,
        mark_safe("".join(parts)),
    )


def page_charts(data: dict) -> dict[str, SafeString]:
    """The report page's charts."""
    return {
        "trend_volume": trend_svg(data, VOLUME_SERIES, title=_("Complaints, last 12 weeks"), unit=p.COUNT),
        "trend_rates": trend_svg(
            data, RATE_SERIES, title=_("Targets met and dissatisfaction (%), last 12 weeks"), unit=p.PCT, top=100
        ),
        "by_category": shares_svg(p.shares(p.rows(data, "by_category")), title=_("Share by category"), kind="category"),
        "by_carrier": shares_svg(p.shares(p.rows(data, "by_carrier")), title=_("Share by carrier"), kind="carrier"),
    }


# --- For the email: tables with widths -------------------------------------------------------------------------------


def html_bars(items: list[dict], *, title: str, colour: str = PALETTE[0]) -> SafeString:
    """Bars as table cells with percentage widths: readable in every mail client, even without images."""
    top = max((row["pct"] for row in items), default=0) or 1
    lines = format_html_join(
        "",
        '<tr><td style="padding:3px 8px 3px 0;white-space:nowrap;font-size:13px;color:{}">{}</td>'
        '<td style="padding:3px 0;width:100%"><table role="presentation" cellpadding="0" cellspacing="0" '
        'width="100%"><tr><td style="background:{};height:14px;width:{}%;border-radius:2px"></td>'
        '<td style="padding-left:6px;font-size:12px;color:{};white-space:nowrap">{} · {} %</td></tr></table>'
        "</td></tr>",
        (
            (INK, row["label"], colour, max(round(80 * row["pct"] / top), 1), MUTED, row["count"], row["pct"])
            for row in items
        ),
    )
    if not items:
        lines = format_html('<tr><td style="color:{}">{}</td></tr>', MUTED, _("No complaints this week."))
    return format_html(
        '<h3 style="font-size:14px;margin:18px 0 6px;color:{}">{}</h3>'
        '<table role="presentation" cellpadding="0" cellspacing="0" width="100%">{}</table>',
        INK,
        title,
        lines,
    )


def html_trend_bars(data: dict, key: str = "received", *, title: str) -> SafeString:
    """The last weeks as vertical bars (table cells of varying height), this week highlighted."""
    trend = data.get("trend") or []
    values = [row.get(key) for row in trend]
    top = max((v for v in values if v is not None), default=0) or 1
    cells = []
    for i, row in enumerate(trend):
        v = row.get(key)
        colour = PALETTE[1] if i == len(trend) - 1 else PALETTE[0]
        height = 2 if v is None else max(round(80 * v / top), 2)
        cells.append(
            format_html(
                '<td valign="bottom" align="center" style="padding:0 2px;font-size:10px;color:{}">{}<br>'
                '<div style="background:{};height:{}px;width:18px;margin:2px auto 0"></div></td>',
                MUTED,
                "?" if v is None else v,
                colour if v is not None else GRID,
                height,
            )
        )
    labels = format_html_join(
        "",
        '<td align="center" style="font-size:10px;color:{}">{}</td>',
        ((MUTED, str(row.get("week", ""))[-3:]) for row in trend),
    )
    return format_html(
        '<h3 style="font-size:14px;margin:18px 0 6px;color:{}">{}</h3>'
        '<table role="presentation" cellpadding="0" cellspacing="0"><tr>{}</tr><tr>{}</tr></table>',
        INK,
        title,
        mark_safe("".join(cells)),
        labels,
    )


def email_charts(data: dict) -> dict[str, Any]:
    return {
        "trend_received": html_trend_bars(data, "received", title=_("Complaints received, last 12 weeks")),
        "by_category": html_bars(p.shares(p.rows(data, "by_category")), title=_("Share by category")),
        "by_carrier": html_bars(p.shares(p.rows(data, "by_carrier")), title=_("Share by carrier"), colour=PALETTE[2]),
    }
