from . import res_company
from . import res_config_settings
from . import res_partner
from . import clockin_round
from . import clockin_entry
from . import clockin_attempt
from . import clockin_allocation
from . import sale_order
