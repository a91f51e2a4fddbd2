from . import test_split
from . import test_settlement
from . import test_api
