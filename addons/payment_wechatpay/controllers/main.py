# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request

from odoo.addons.base_wechat_miniprogram.tools import replay_on_conflict

#: Notifies are small; anything bigger is not from WeChat.
MAX_NOTIFY_BYTES = 64 * 1024
ATTEMPTS = 5
SUCCESS = ("<xml><return_code><![CDATA[SUCCESS]]></return_code>"
           "<return_msg><![CDATA[OK]]></return_msg></xml>")
FAIL = ("<xml><return_code><![CDATA[FAIL]]></return_code>"
        "<return_msg><![CDATA[%s]]></return_msg></xml>")


class WechatpayController(http.Controller):
    """WeChat Pay's notifies: ``/payment/wechatpay/notify/pay|refund``.

    The route only reads the body and answers WeChat's XML; the models
    verify and apply. WeChat is not a user: the verified notify is
    applied as the superuser, like Odoo's own acquirers do with their
    feedback. A transaction that loses a race for a row (the cron is
    settling the same order) is replayed on a fresh snapshot.
    """

    @http.route("/payment/wechatpay/notify/<string:kind>", type="http",
                auth="none", methods=["POST"], csrf=False)
    def notify(self, kind, **_kwargs):
        if kind not in ("pay", "refund"):
            return self._answer(FAIL % "unknown notify", 404)
        body = request.httprequest.get_data(cache=False)
        if not body or len(body) > MAX_NOTIFY_BYTES:
            return self._answer(FAIL % "bad request", 400)
        env = request.env(user=1)  # see the class docstring
        handler = (env["payment.transaction"]._wechatpay_handle_pay_notify
                   if kind == "pay"
                   else env["wechatpay.refund"]._handle_refund_notify)
        accepted = replay_on_conflict(env, lambda: handler(body),
                                      attempts=ATTEMPTS, pause=0.05)
        if accepted:
            return self._answer(SUCCESS)
        env.cr.rollback()  # nothing moves for a refused notify
        return self._answer(FAIL % "refused", 400)

    @staticmethod
    def _answer(xml, status=200):
        response = request.make_response(
            xml, headers=[("Content-Type", "application/xml")])
        response.status_code = status
        return response
