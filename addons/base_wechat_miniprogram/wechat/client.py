# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The wechatpy client every addon of the pack uses for the server API.

Two things differ from wechatpy's own ``WeChatClient``:

* every URL is built from one configurable API root, so the same code talks
  to WeChat or to the simulator (wechatpy hard-codes the token URL and keeps
  a second base URL on its ``wxa`` API object);
* a new access token is fetched under a database row lock, so concurrent
  workers fetch one token and share it (see ``session_storage``).
"""
import logging

_logger = logging.getLogger(__name__)

try:
    import requests
    from wechatpy.client import WeChatClient
    from wechatpy.crypto import WeChatWxaCrypto
    from wechatpy.exceptions import WeChatClientException
except ImportError as err:  # pragma: no cover
    _logger.debug(err)

#: WeChat's production API root.
DEFAULT_API_ROOT = "https://api.weixin.qq.com/"
#: Refresh tokens this long before WeChat's own expiry (seconds).
TOKEN_EXPIRY_MARGIN = 300
#: Fresh tokens one call may fetch before giving up (WeChat keeps refusing).
MAX_TOKEN_FETCHES = 2


class MiniProgramClient(WeChatClient):
    """WeChat server API client for one mini-program (AppID + AppSecret)."""

    def __init__(self, appid, secret, session, api_root=None, timeout=10):
        super(MiniProgramClient, self).__init__(
            appid, secret, session=session, timeout=timeout)
        self.api_root = (api_root or DEFAULT_API_ROOT).rstrip("/") + "/"
        self.API_BASE_URL = self.api_root + "cgi-bin/"
        self.wxa.API_BASE_URL = self.api_root
        self._token_in_use = None
        self._token_fetches = 0

    @property
    def access_token(self):
        """The shared token; fetched (once for all workers) when missing."""
        token = self.session.get(self.access_token_key)
        if not token:
            self.fetch_access_token()
            token = self.session.get(self.access_token_key)
        self._token_in_use = token
        return token

    def fetch_access_token(self):
        """Fetch a token unless another process already replaced ours.

        wechatpy calls this when WeChat rejects the token we sent: the
        stored one is then stale only if it is the one we used.
        """
        with self.session.locked(self.access_token_key) as slot:
            if slot.value and slot.value != self._token_in_use:
                self._token_in_use = slot.value
                return {"access_token": slot.value}
            self._token_fetches += 1
            if self._token_fetches > MAX_TOKEN_FETCHES:
                raise WeChatClientException(
                    40001, "access token refused after a fresh fetch",
                    client=self)
            result = self._get_json(self.API_BASE_URL + "token", {
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
            })
            expires_in = int(result.get("expires_in") or 7200)
            slot.store(result["access_token"],
                       max(expires_in - TOKEN_EXPIRY_MARGIN, 60))
            self._token_in_use = result["access_token"]
            _logger.info("Fetched a new WeChat access token for %s",
                         self.appid)
            return result

    def _get_json(self, url, params):
        """GET an unauthenticated endpoint and raise on WeChat errors.

        Errors never carry the URL: its query holds the AppSecret.
        """
        try:
            res = self._http.get(url, params=params, timeout=self.timeout)
            res.raise_for_status()
            result = res.json()
        except ValueError:
            raise WeChatClientException(None, "invalid response", client=self)
        except requests.RequestException as err:
            raise WeChatClientException(None, describe_error(err),
                                        client=self)
        if result.get("errcode"):
            raise WeChatClientException(
                int(result["errcode"]), result.get("errmsg"),
                client=self, response=res)
        return result

    def code_to_session(self, js_code):
        """``jscode2session``: exchange a ``wx.login`` code.

        wechatpy's own method sends an access token this endpoint does not
        take (fetching one first); this one sends only what WeChat asks for.
        """
        return self._get_json(self.api_root + "sns/jscode2session", {
            "appid": self.appid,
            "secret": self.secret,
            "js_code": js_code,
            "grant_type": "authorization_code",
        })


def decrypt_wxa_data(session_key, iv, app_id, encrypted_data):
    """Decrypt a mini-program ``encryptedData`` (getPhoneNumber...).

    AES-128-CBC with the login's session key; wechatpy checks that the
    watermark names ``app_id``. Raises ``ValueError`` for anything that
    does not decrypt to our app's JSON.
    """
    try:
        return WeChatWxaCrypto(session_key, iv, app_id).decrypt_message(
            encrypted_data)
    except Exception as err:  # bad base64, padding, JSON or app id
        raise ValueError(str(err) or type(err).__name__)


def describe_error(error):
    """A loggable text of a WeChat call's error, free of secrets.

    ``requests`` puts the whole URL in its messages, and WeChat's URLs
    carry the AppSecret or an access token in their query: only the kind
    of error and the HTTP status are kept.
    """
    errcode = getattr(error, "errcode", None)
    if errcode is not None or isinstance(error, WeChatClientException):
        return "%s: %s" % (errcode, getattr(error, "errmsg", "") or "")
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    return "%s%s" % (type(error).__name__,
                     " (HTTP %s)" % status if status else "")
