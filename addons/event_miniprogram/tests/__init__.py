from . import test_browse
from . import test_join
from . import test_cancel
from . import test_checkin
from . import test_waitlist_review
from . import test_backoffice
