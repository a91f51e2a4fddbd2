# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_catalogue_and_buying
from . import test_join_and_draw
from . import test_claims
from . import test_backoffice
