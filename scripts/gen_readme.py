#!/usr/bin/env python3
# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Build an addon's README.rst from its readme/ fragments, the way OCA's
oca-gen-addon-readme lays it out (title, licence badge, DESCRIPTION,
contents, CONFIGURE, USAGE, DESIGN, credits).

Usage: scripts/gen_readme.py addons/<addon> [...]
"""
import ast
import os
import sys

SECTIONS = (("CONFIGURE", "Configuration"), ("USAGE", "Usage"),
            ("DESIGN", "Design choices"))
BADGE = """.. |badge1| image:: https://img.shields.io/badge/licence-LGPL--3-blue.png
    :target: http://www.gnu.org/licenses/lgpl-3.0-standalone.html
    :alt: License: LGPL-3

|badge1|
"""


def fragment(addon, name):
    path = os.path.join(addon, "readme", name + ".rst")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read().strip() + "\n"


def build(addon):
    with open(os.path.join(addon, "__manifest__.py"), encoding="utf-8") as f:
        name = ast.literal_eval(f.read())["name"]
    bar = "=" * (len(name) + 2)
    parts = ["%s\n %s\n%s\n" % (bar, name, bar), BADGE,
             fragment(addon, "DESCRIPTION"),
             "**Table of contents**\n\n.. contents::\n   :local:\n"]
    for key, title in SECTIONS:
        text = fragment(addon, key)
        if text:
            parts.append("%s\n%s\n\n%s" % (title, "=" * len(title), text))
    parts.append("Credits\n=======\n\nContributors\n~~~~~~~~~~~~\n\n%s"
                 % fragment(addon, "CONTRIBUTORS"))
    return "\n".join(parts)


def main(addons):
    for addon in addons:
        with open(os.path.join(addon, "README.rst"), "w",
                  encoding="utf-8") as handle:
            handle.write(build(addon))


if __name__ == "__main__":
    main(sys.argv[1:])
