# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Serialisation shared by the event services."""


def display_name(partner):
    return partner.mp_nickname or partner.name


def selection_labels(model, field_name):
    """A selection's labels in the caller's language."""
    return dict(model._fields[field_name]._description_selection(model.env))
