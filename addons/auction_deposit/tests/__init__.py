from . import test_bidding
from . import test_deposit_and_end
from . import test_pay_and_coupons
from . import test_backoffice
