from . import session_service
from . import lot_service
from . import deposit_service
from . import order_service
from . import coupon_service
from . import address_service
