# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import common

from ..wechat.session_storage import DatabaseSessionStorage
from .common import SIM_APP_ID, MiniProgramCase


@common.at_install(False)
@common.post_install(True)
class TestAccessToken(MiniProgramCase):
    """The token is stored in the database and shared by every client.

    The cross-process race (two OS processes at once) is proven in
    ``tests/test_shared_access_token.py``; here, the behaviour of one.
    """

    def setUp(self):
        super(TestAccessToken, self).setUp()
        self.env["mp.wechat.session"].search([]).unlink()
        self.env.cr.commit()  # pylint: disable=invalid-commit

    def issued(self):
        return self.sim.stats()["tokens_issued"].get(SIM_APP_ID, 0)

    def test_two_clients_share_one_token(self):
        first = self.company._mp_client()
        second = self.company._mp_client()
        token = first.access_token
        self.assertEqual(second.access_token, token)
        self.assertEqual(self.issued(), 1)
        stored = self.env["mp.wechat.session"].search(
            [("key", "=", "company%d:%s_access_token"
              % (self.company.id, SIM_APP_ID))])
        self.assertEqual(stored.value, token)

    def test_rejected_token_is_replaced_once(self):
        client = self.company._mp_client()
        old = client.access_token
        self.sim.call("POST", "expire-tokens")
        user = self.login("token-user")
        openid = self.env["res.partner"].browse(
            user["profile"]["id"]).mp_openid
        client.wxa.send_subscribe_message(openid, "tpl", {"a": {"value": 1}})
        self.assertNotEqual(client.access_token, old)
        self.assertEqual(self.issued(), 2)

    def test_storage_expiry(self):
        storage = DatabaseSessionStorage(self.env.cr.dbname, prefix="test")
        storage.set("k", "v", ttl=3600)
        self.assertEqual(storage.get("k"), "v")
        storage.set("gone", "v", ttl=-1)
        self.assertIsNone(storage.get("gone"))
        storage.delete("k")
        self.assertEqual(storage.get("k", "default"), "default")
