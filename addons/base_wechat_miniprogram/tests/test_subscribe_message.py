# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import common

from odoo.addons.queue_job.job import Job

from .common import MiniProgramCase

TEMPLATE = "tpl-order-shipped"


@common.at_install(False)
@common.post_install(True)
class TestSubscribeMessages(MiniProgramCase):

    def setUp(self):
        super(TestSubscribeMessages, self).setUp()
        self.env["mp.subscribe.template"].create({
            "name": "Order shipped", "event_code": "test_order_shipped",
            "template_id": TEMPLATE, "page": "pages/order/detail",
            "company_id": self.company.id,
        })
        self.user = self.login("subscriber")
        self.partner = self.env["res.partner"].browse(
            self.user["profile"]["id"])
        self.data = {"thing1": {"value": "小熊玩偶"},
                     "character_string2": {"value": "SF1234"}}

    def report(self, result):
        response = self.api("POST", "subscriptions/report",
                            token=self.user["token"],
                            json={"results": {TEMPLATE: result}})
        self.assertEqual(response.status_code, 200, response.text)
        return {item["template_id"]: item for item in response.json()["items"]}

    def enqueue(self):
        return self.env["mp.subscribe.message"]._enqueue(
            self.partner, "test_order_shipped", self.data)

    def run_jobs(self, message):
        """Perform the message's pending jobs, as the job runner would."""
        jobs = self.env["queue.job"].search([
            ("model_name", "=", "mp.subscribe.message"),
            ("record_ids", "like", str(message.id)),
            ("state", "=", "pending"),
        ])
        for job_record in jobs:
            job = Job.load(self.env, job_record.uuid)
            job.set_started()
            job.perform()
            job.set_done()
            job.store()
        message.invalidate_cache()
        return len(jobs)

    def test_consents_are_counted(self):
        self.assertEqual(self.report("accept")[TEMPLATE]["remaining"], 1)
        self.assertEqual(self.report("accept")[TEMPLATE]["remaining"], 2)
        self.assertEqual(self.report("reject")[TEMPLATE]["remaining"], 2)
        banned = self.report("ban")[TEMPLATE]
        self.assertEqual((banned["remaining"], banned["banned"]), (0, True))

    def test_unknown_templates_are_ignored(self):
        response = self.api("POST", "subscriptions/report",
                            token=self.user["token"],
                            json={"results": {"made-up-id": "accept",
                                              TEMPLATE: "accept"}})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.partner.mp_consent_ids.mapped("template_id"),
                         [TEMPLATE])
        too_many = {"t%d" % index: "accept" for index in range(11)}
        response = self.api("POST", "subscriptions/report",
                            token=self.user["token"],
                            json={"results": too_many})
        self.assertError(response, 400, "invalid_input")

    def test_wechat_refusal_resets_the_consent(self):
        self.report("accept")
        self.report("accept")
        self.sim.fault("subscribe_send", errcode=43101,
                       errmsg="user refuse to accept the msg")
        self.run_jobs(self.enqueue())
        self.assertEqual(self.partner.mp_consent_ids.remaining, 0)

    def test_errors_never_show_the_app_secret(self):
        """requests puts the URL, with the AppSecret, in its errors."""
        self.report("accept")
        self.env["mp.wechat.session"].search([]).unlink()
        self.sim.fault("token", http_status=502)
        message = self.enqueue()
        self.run_jobs(message)
        self.assertEqual(message.state, "retry")
        self.assertIn("502", message.last_error)
        self.assertNotIn("secret", message.last_error)
        self.assertNotIn("demo-app-secret", message.last_error)

    def test_bad_report_is_400(self):
        response = self.api("POST", "subscriptions/report",
                            token=self.user["token"],
                            json={"results": {TEMPLATE: "maybe"}})
        self.assertError(response, 400, "invalid_input")

    def test_sent_with_consent_and_consent_consumed(self):
        self.report("accept")
        message = self.enqueue()
        self.assertEqual(message.state, "queued")
        self.assertEqual(self.run_jobs(message), 1)
        self.assertEqual(message.state, "sent")
        self.assertTrue(message.msgid)
        received = self.sim.messages(touser=self.partner.mp_openid)
        self.assertEqual(len(received), 1)
        self.assertEqual(received[0]["template_id"], TEMPLATE)
        self.assertEqual(received[0]["data"], self.data)
        self.assertEqual(received[0]["page"], "pages/order/detail")
        consent = self.partner.mp_consent_ids
        self.assertEqual(consent.remaining, 0)

    def test_refused_without_consent(self):
        self.report("accept")
        self.run_jobs(self.enqueue())
        second = self.enqueue()
        self.run_jobs(second)
        self.assertEqual(second.state, "no_consent")
        self.assertTrue(second.last_error)
        self.assertEqual(
            len(self.sim.messages(touser=self.partner.mp_openid)), 1)

    def test_no_template_for_event(self):
        message = self.env["mp.subscribe.message"]._enqueue(
            self.partner, "unknown_event", self.data)
        self.assertEqual(message.state, "no_consent")
        self.assertIn("unknown_event", message.last_error)

    def test_transient_failure_is_retried_and_keeps_consent(self):
        self.report("accept")
        self.sim.fault("subscribe_send", errcode=-1, errmsg="system busy")
        message = self.enqueue()
        self.run_jobs(message)
        self.assertEqual(message.state, "retry")
        self.assertEqual(message.attempts, 1)
        self.assertIn("-1", message.last_error)
        self.assertEqual(self.partner.mp_consent_ids.remaining, 1)
        retry_jobs = self.env["queue.job"].search([
            ("model_name", "=", "mp.subscribe.message"),
            ("state", "=", "pending")])
        self.assertTrue(retry_jobs.filtered("eta"))
        self.run_jobs(message)
        self.assertEqual(message.state, "sent")
        self.assertEqual(message.attempts, 2)
        self.assertEqual(self.partner.mp_consent_ids.remaining, 0)

    def test_network_failure_is_retried(self):
        self.report("accept")
        self.sim.fault("subscribe_send", http_status=502)
        message = self.enqueue()
        self.run_jobs(message)
        self.assertEqual(message.state, "retry")
        self.run_jobs(message)
        self.assertEqual(message.state, "sent")

    def test_permanent_failure_stops(self):
        self.report("accept")
        self.sim.fault("subscribe_send", errcode=43101,
                       errmsg="user refuse to accept the msg")
        message = self.enqueue()
        self.run_jobs(message)
        self.assertEqual(message.state, "failed")
        self.assertIn("43101", message.last_error)
        self.assertEqual(self.run_jobs(message), 0)

    def test_gives_up_after_max_attempts(self):
        self.report("accept")
        self.sim.fault("subscribe_send", errcode=-1, count=10)
        message = self.enqueue()
        for _attempt in range(6):
            self.run_jobs(message)
        self.assertEqual(message.state, "failed")
        self.assertEqual(message.attempts, 5)
