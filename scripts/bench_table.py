#!/usr/bin/env python3
# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One table of every benchmark figure (see ``bench_results.py``).

Usage: bench_table.py RESULTS.jsonl [--json OUT.json] [--png OUT.png]
                      [--readme README.md]

Prints the table; writes the figures as JSON and a PNG chart of the
ratios; with ``--readme``, replaces the table between the README's
``<!-- bench:start -->`` and ``<!-- bench:end -->`` marks.
"""
import argparse
import datetime
import json
import os
import platform
import re

from bench_results import load

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MARKS = re.compile(r"(<!-- bench:start -->\n).*?(<!-- bench:end -->)",
                   re.S)


def fmt(value):
    if value is None:
        return ""
    if abs(value) >= 100:
        return "{:,.0f}".format(value)
    return "{:.3g}".format(value) if abs(value) < 10 else \
        "{:.1f}".format(value)


def rows(figures):
    for figure in figures:
        target = figure["target"]
        verdict = ""
        if target is not None and figure["ratio"] is not None:
            better = figure["unit"].endswith("/s")
            met = figure["ratio"] >= target if better else \
                figure["ratio"] <= target
            verdict = ("%s %s: %s" % (">=" if better else "<=", fmt(target),
                                      "met" if met else "NOT met"))
        yield [
            figure["group"], figure["name"],
            "%s %s" % (fmt(figure["value"]), figure["unit"]),
            fmt(figure["p50_ms"]), fmt(figure["p99_ms"]),
            "%s (%s %s)" % (figure["reference"], fmt(
                figure["reference_value"]), figure["unit"])
            if figure["reference"] else "",
            fmt(figure["ratio"]), verdict, figure["note"],
        ]


HEADER = ["group", "scenario", "figure", "p50 ms", "p99 ms", "reference",
          "ratio", "target", "note"]


def text_table(figures):
    table = [HEADER] + list(rows(figures))
    widths = [max(len(str(row[i])) for row in table)
              for i in range(len(HEADER))]
    return "\n".join("  ".join(str(cell).ljust(width)
                               for cell, width in zip(row, widths)).rstrip()
                     for row in table)


def markdown_table(figures):
    lines = ["| " + " | ".join(HEADER) + " |",
             "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(str(cell).replace("|", "/") for cell in row)
              + " |" for row in rows(figures)]
    return "\n".join(lines)


def chart(figures, path):
    """Horizontal bars: each figure's ratio to its reference, the target
    as a tick."""
    from PIL import Image, ImageDraw, ImageFont
    shown = [f for f in figures if f["ratio"] is not None]
    font = ImageFont.truetype(FONT, 13) if os.path.exists(FONT) \
        else ImageFont.load_default()
    label_width, bar_width, row = 430, 420, 24
    width = label_width + bar_width + 90
    height = 50 + row * max(len(shown), 1)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 10), "Ratio of each figure to its reference "
              "(rates: higher is better; durations: lower is better)",
              fill="black", font=font)
    top = max([f["ratio"] for f in shown] + [f["target"] or 0
                                             for f in shown] + [1.0])
    for index, figure in enumerate(shown):
        y = 40 + index * row
        rate = figure["unit"].endswith("/s")
        draw.text((10, y + 3), ("%s: %s" % (figure["group"],
                                            figure["name"]))[:60],
                  fill="black", font=font)
        length = int(bar_width * min(figure["ratio"], top) / top)
        draw.rectangle([label_width, y + 2, label_width + max(length, 1),
                        y + row - 4],
                       fill="#3c78d8" if rate else "#e69138")
        if figure["target"]:
            x = label_width + int(bar_width * figure["target"] / top)
            draw.line([x, y, x, y + row - 2], fill="red", width=2)
        draw.text((label_width + max(length, 1) + 6, y + 3),
                  fmt(figure["ratio"]), fill="black", font=font)
    image.save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results")
    parser.add_argument("--json")
    parser.add_argument("--png")
    parser.add_argument("--readme")
    args = parser.parse_args()
    figures = load(args.results)
    print()
    print(text_table(figures))
    meta = {"date": datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"),
            "cores": os.cpu_count(), "machine": platform.machine(),
            "figures": figures}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(meta, handle, ensure_ascii=False, indent=1)
    if args.png:
        chart(figures, args.png)
    if args.readme:
        with open(args.readme, encoding="utf-8") as handle:
            text = handle.read()
        block = "Measured %s UTC on %d cores (`scripts/bench`):\n\n%s\n\n" % (
            meta["date"], meta["cores"], markdown_table(figures))
        with open(args.readme, "w", encoding="utf-8") as handle:
            handle.write(MARKS.sub(lambda m: m.group(1) + block + m.group(2),
                                   text))


if __name__ == "__main__":
    main()
