# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Serialisation shared by the event services."""


def mask_name(name):
    """A participant's name as others see it: 张* / 张*三 / A***e."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name or "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 4) + name[-1]


def display_name(partner):
    return partner.mp_nickname or partner.name


def selection_labels(model, field_name):
    """A selection's labels in the caller's language."""
    return dict(model._fields[field_name]._description_selection(model.env))
