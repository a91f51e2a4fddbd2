from . import test_bidding
from . import test_deposit_and_end
