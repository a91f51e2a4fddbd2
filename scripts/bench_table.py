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
    """Horizontal bars on a log scale: each figure's ratio to its
    reference, 1 marked, the target as a red tick."""
    import math
    from PIL import Image, ImageDraw, ImageFont
    shown = [f for f in figures if f["ratio"]]
    font = ImageFont.truetype(FONT, 13) if os.path.exists(FONT) \
        else ImageFont.load_default()
    label_width, bar_width, row = 470, 420, 24
    width = label_width + bar_width + 90
    height = 64 + row * max(len(shown), 1)
    values = [f["ratio"] for f in shown] + [1.0] + [
        f["target"] for f in shown if f["target"]]
    low = 10 ** math.floor(math.log10(min(values)))
    high = 10 ** math.ceil(math.log10(max(values)))

    def x_of(value):
        span = math.log10(high) - math.log10(low) or 1
        return label_width + int(bar_width * (
            math.log10(max(value, low)) - math.log10(low)) / span)

    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 8), "Ratio of each figure to its reference, log scale "
              "(blue rates: higher is better; orange durations: lower is "
              "better; red: target)", fill="black", font=font)
    decade = low
    while decade <= high:
        x = x_of(decade)
        draw.line([x, 30, x, height - 6], fill="#dddddd")
        draw.text((x - 10, 30), fmt(decade), fill="grey", font=font)
        decade *= 10
    for index, figure in enumerate(shown):
        y = 52 + index * row
        rate = figure["unit"].endswith("/s")
        draw.text((10, y + 3), ("%s: %s" % (figure["group"],
                                            figure["name"]))[:64],
                  fill="black", font=font)
        end = max(x_of(figure["ratio"]), label_width + 1)
        draw.rectangle([label_width, y + 2, end, y + row - 4],
                       fill="#3c78d8" if rate else "#e69138")
        if figure["target"]:
            x = x_of(figure["target"])
            draw.line([x, y, x, y + row - 2], fill="red", width=2)
        draw.text((end + 6, y + 3), fmt(figure["ratio"]), fill="black",
                  font=font)
    x = x_of(1.0)
    draw.line([x, 46, x, height - 6], fill="black")
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
