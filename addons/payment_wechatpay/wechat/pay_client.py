# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""wechatpy's WeChatPay, pointed at a configurable base URL, and one error
type that says whether a failed call may be retried with the same number.

WeChat Pay's rule against paying twice is to retry an uncertain call
(timeout, ``SYSTEMERROR``) with the *same* out_refund_no/partner_trade_no:
the callers keep their record pending on a retryable error and give up
only on a definite refusal.
"""
import logging

_logger = logging.getLogger(__name__)

try:
    import requests
    from wechatpy.exceptions import WeChatPayException
    from wechatpy.pay import WeChatPay
except ImportError as err:  # pragma: no cover
    _logger.debug(err)

DEFAULT_PAY_API_ROOT = "https://api.mch.weixin.qq.com/"

#: err_code values after which WeChat tells to retry with the same number.
RETRYABLE_ERR_CODES = frozenset((
    "SYSTEMERROR", "BIZERR_NEED_RETRY", "FREQUENCY_LIMITED",
    "FREQ_LIMIT", "NOTENOUGH", "SEND_FAILED", "RESOURCE_INSUFFICIENT",
))


class PayCallError(Exception):
    """A WeChat Pay call that did not succeed.

    ``code`` is WeChat's err_code (or ``NETWORK``, ``HTTP_<status>``,
    ``FAIL`` for a refused request); ``retryable`` is true when the outcome
    is unknown or temporary.
    """

    def __init__(self, code, message, retryable):
        super(PayCallError, self).__init__(code, message)
        self.code = code
        self.message = message
        self.retryable = retryable

    def __str__(self):
        return "%s: %s" % (self.code, self.message)


def make_client(appid, mch_id, api_key, api_root=None, timeout=10,
                mch_cert=None, mch_key=None):
    """A WeChatPay client; ``mch_cert``/``mch_key`` are PEM file paths."""
    client = WeChatPay(appid, api_key, mch_id, mch_cert=mch_cert or None,
                       mch_key=mch_key or None, timeout=timeout)
    root = api_root or DEFAULT_PAY_API_ROOT
    client.API_BASE_URL = root if root.endswith("/") else root + "/"
    return client


def call(func, *args, **kwargs):
    """``func(*args, **kwargs)`` with every failure as a PayCallError.

    WeChat answers XML, which wechatpy turns into a dict; anything else
    (a proxy's error page) is a retryable failure, except for the calls
    that answer text (``expect_text=True``: the daily bill).
    """
    expect_text = kwargs.pop("expect_text", False)
    try:
        result = func(*args, **kwargs)
    except WeChatPayException as error:
        if error.return_code is None:  # HTTP error status
            status = getattr(error.response, "status_code", "")
            raise PayCallError("HTTP_%s" % status,
                               "WeChat Pay answered HTTP %s" % status, True)
        if error.return_code != "SUCCESS":
            raise PayCallError("FAIL", error.return_msg or "FAIL", False)
        code = error.errcode or "FAIL"
        raise PayCallError(code, error.errmsg or code,
                           code in RETRYABLE_ERR_CODES)
    except requests.RequestException as error:
        # Never the URL (it may carry parameters), only the kind of failure.
        raise PayCallError("NETWORK", type(error).__name__, True)
    if not isinstance(result, dict) and not expect_text:
        raise PayCallError("BAD_RESPONSE", "WeChat Pay answered no XML",
                           True)
    return result
