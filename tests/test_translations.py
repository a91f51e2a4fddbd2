# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every addon of the pack is fully usable in Chinese: each message of its
template has a Chinese translation that keeps the template's placeholders.
"""
import glob
import os
import re

import ast

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = sorted(os.path.basename(os.path.dirname(path)) for path in glob.glob(
    os.path.join(ROOT, "addons", "*", "__manifest__.py")))
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]")


def catalog(path):
    """``{msgid: msgstr}`` of a .po/.pot file (Odoo writes neither plurals
    nor contexts)."""
    messages, key, parts = {}, None, {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line.startswith(("msgid ", "msgstr ")):
                key, _space, text = line.partition(" ")
                if key == "msgid" and "msgid" in parts:
                    messages[parts["msgid"]] = parts.get("msgstr", "")
                    parts = {}
                parts[key] = ast.literal_eval(text)
            elif line.startswith('"') and key:
                parts[key] += ast.literal_eval(line)
    if "msgid" in parts:
        messages[parts["msgid"]] = parts.get("msgstr", "")
    return messages


@pytest.mark.parametrize("addon", ADDONS)
def test_every_message_is_translated_to_chinese(addon):
    i18n = os.path.join(ROOT, "addons", addon, "i18n")
    template = catalog(os.path.join(i18n, "%s.pot" % addon))
    chinese = catalog(os.path.join(i18n, "zh_CN.po"))
    missing, broken = [], []
    for message in template:
        if not message:
            continue  # the header
        translated = chinese.get(message)
        if not translated:
            missing.append(message)
        elif sorted(PLACEHOLDER.findall(message)) != sorted(
                PLACEHOLDER.findall(translated)):
            broken.append(message)
    assert not missing, "untranslated: %s" % missing
    assert not broken, "placeholders differ: %s" % broken
