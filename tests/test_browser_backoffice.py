# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The back office in a real browser: headless Chromium (Debian's
``chromium`` and ``chromium-driver``, installed by ``scripts/setup``)
driven through Selenium, against the Odoo server of the cross tests.

The administrator logs in through the login page and switches to Chinese
in the Preferences dialog; then every menu of the pack is opened through
the menus themselves (enumerated from ``ir.ui.menu`` by the xml ids of the
pack's addons, so new menus are covered without touching this file), with,
once per action, the form of its first record and its other views (list,
graph, pivot, calendar). An activity is created with a sign-up form of its
own, a mini-program user signs up through the API with answers to it, and
the sign-up is approved in the list; a WeChat-paid invoice is refunded
with its "Refund via WeChat Pay" button, and the credit note opened from
the refund; an auction lot is ended (there is no button for it: its end
is moved to the past in its form and the ending cron is run with "Run
Manually" in developer mode).

A step fails on Odoo's error or warning dialog, on an error in the
browser's console, or when the view does not render. Screenshots of every
step go to ``.run/artifacts/browser/`` (with, on a failure, the page's
HTML and the console log); the folder is emptied at the start.
"""
import contextlib
import datetime
import json
import os
import re
import shutil
import time
import uuid

import psycopg2
import pytest
import pytz
from selenium import webdriver
from selenium.common.exceptions import (ElementClickInterceptedException,
                                        StaleElementReferenceException,
                                        WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from conftest import DB, ROOT
from test_auction_flow import bid, make_auction, pay_deposit
from test_event_flow import (api, error_code, join_and_pay, login,
                             make_events, ok, sql, wait_for)

ARTIFACTS = os.path.join(ROOT, ".run", "artifacts", "browser")
SHANGHAI = pytz.timezone("Asia/Shanghai")
#: The addons of the pack: every folder of addons/ with a manifest.
PACK = sorted(
    name for name in os.listdir(os.path.join(ROOT, "addons"))
    if os.path.isfile(os.path.join(ROOT, "addons", name, "__manifest__.py")))
#: Menus the administrator must find (the roots of the pack's menus).
EXPECTED_ROOTS = (
    "base_wechat_miniprogram.menu_mp_root",  # Mini Program (小程序)
    "event_miniprogram.menu_event_mp",  # Events > Mini Program
    "auction_deposit.menu_auction_root",  # Auctions
    "gift_lottery.menu_gift_root",  # Gift Lotteries
    "clockin_pool.menu_clockin",  # Mini Program > Clock-in Pools
)
#: What a rendered view of an action holds.
VIEWS = (".o_list_view, .o_kanban_view, .o_form_view, .o_graph, "
         ".o_pivot, .o_calendar_view, .oe_view_nocontent")
#: Console messages that are not the back office's fault. In workers mode
#: Odoo serves the bus on its own port, which a reverse proxy maps to
#: /longpolling in production; the tests talk to the HTTP port directly.
BENIGN_CONSOLE = ("bus.Bus unavailable", "/longpolling/")
#: Error and warning dialogs of Odoo's crash manager.
ERROR_DIALOG = ".modal .o_dialog_error, .modal .o_error_detail, " \
               ".modal .o_dialog_warning"
#: A page load or a view: generous, two shared cores.
TIMEOUT = 45


def find_browser():
    """Chromium and its driver, or None when either is missing."""
    binary = next(filter(None, map(shutil.which, (
        "chromium", "chromium-browser", "google-chrome"))), None)
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver"
        if os.path.exists("/usr/bin/chromedriver") else None)
    return (binary, driver) if binary and driver else None


def query(text, params=()):
    """Like ``sql``, committed (for writes)."""
    connection = psycopg2.connect(dbname=DB)
    try:
        with connection, connection.cursor() as cr:
            cr.execute(text, params)
            return cr.fetchall() if cr.description else None
    finally:
        connection.close()


def set_admin_lang(lang):
    """The administrator's language, written as Odoo would have it (the
    servers' caches are told through Odoo's cache signaling)."""
    query("""
        UPDATE res_partner SET lang = %s
        WHERE id = (SELECT partner_id FROM res_users WHERE login = 'admin');
        SELECT nextval('base_cache_signaling');""", [lang])


def local_text(utc, lang):
    """``utc`` (naive) as the user types it: Shanghai time in the date and
    time formats of ``lang``."""
    [(date_format, time_format)] = sql(
        "SELECT date_format, time_format FROM res_lang WHERE code = %s",
        [lang])
    local = pytz.utc.localize(utc).astimezone(SHANGHAI)
    return local.strftime(date_format + " " + time_format)


class Backoffice(object):
    """One logged-in browser, with Odoo-aware waits and checks."""

    def __init__(self, driver, url):
        self.driver, self.url = driver, url
        self.console = []  # every console entry, for the artifacts
        self.checked = 0  # console entries already checked
        self.count = 0

    # -- plumbing ------------------------------------------------------

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, check, what, timeout=TIMEOUT):
        """``check()`` once truthy; fails naming ``what`` (and the error
        dialog, if one is up) after ``timeout`` seconds."""
        deadline = time.time() + timeout
        while True:
            value = check()
            if value:
                return value
            dialog = self.error_dialog()
            if dialog:
                raise AssertionError("%s: Odoo showed an error: %s"
                                     % (what, dialog))
            if time.time() > deadline:
                raise AssertionError("%s: not within %d s" % (what, timeout))
            time.sleep(0.1)

    def find(self, css, what=None, timeout=TIMEOUT):
        """The first visible element matching ``css``."""
        def visible():
            for element in self.driver.find_elements(By.CSS_SELECTOR, css):
                try:
                    if element.is_displayed():
                        return element
                except WebDriverException:  # replaced meanwhile
                    pass
            return None
        return self.wait(visible, what or "no visible %s" % css, timeout)

    def again(self, action, what):
        """``action()``, run again when the page redrew its element
        meanwhile (Odoo re-renders views after each RPC)."""
        for _attempt in range(10):
            try:
                return action()
            except (StaleElementReferenceException,
                    ElementClickInterceptedException):
                time.sleep(0.3)
        raise AssertionError("%s: the page kept changing" % what)

    def click(self, css, what=None):
        def click():
            element = self.find(css, what)
            self.js("arguments[0].scrollIntoView({block: 'center'});",
                    element)
            element.click()
        self.again(click, what or css)

    def idle(self):
        """No RPC running (Odoo's loading indicator hidden, UI not
        blocked) and jQuery animations done."""
        self.wait(lambda: self.js(
            "return !document.querySelector('.blockUI') &&"
            " !$('.o_loading:visible').length &&"
            " !$(':animated').length;"), "the page stayed busy")

    def error_dialog(self):
        """The text of Odoo's error or warning dialog, if one is up."""
        return self.js(
            "var d = document.querySelector(arguments[0]);"
            " if (!d) return null; var m = d.closest('.modal'),"
            " detail = m.querySelector('.o_error_detail');"
            " return (m.querySelector('.modal-title') || m).textContent.trim()"
            " + ': ' + (detail || m.querySelector('.modal-body') || m)"
            ".textContent.trim().slice(-2000);", ERROR_DIALOG)

    def console_errors(self):
        """Console errors since the last call (benign ones left out)."""
        try:
            self.console.extend(self.driver.get_log("browser"))
        except WebDriverException:
            pass
        fresh, self.checked = self.console[self.checked:], len(self.console)
        return [entry["message"] for entry in fresh
                if entry["level"] == "SEVERE" and
                not any(text in entry["message"] for text in BENIGN_CONSOLE)]

    def check(self, what):
        """Fail on an error dialog or console error."""
        dialog = self.error_dialog()
        errors = self.console_errors()
        assert not dialog, "%s: Odoo showed an error: %s" % (what, dialog)
        assert not errors, "%s: errors in the console: %s" % (what, errors)

    def shot(self, name):
        self.count += 1
        path = os.path.join(ARTIFACTS, "%03d-%s.png" % (self.count, name))
        self.driver.save_screenshot(path)
        return path

    def write_console(self, name="console.log"):
        self.console_errors()  # drains the browser's log
        with open(os.path.join(ARTIFACTS, name), "w") as log:
            for entry in self.console:
                log.write("%(level)s %(source)s %(message)s\n" % dict(
                    {"source": ""}, **entry))

    @contextlib.contextmanager
    def step(self, name):
        """A step: checked for errors and photographed at its end; on a
        failure the screenshot, the page's HTML and the console log are
        kept as ``NN-name-FAILED.*``."""
        try:
            yield
            self.idle()
            self.check(name)
        except BaseException as error:
            try:
                path = self.shot(name + "-FAILED")
                with open(path[:-4] + ".html", "w") as page:
                    page.write(self.driver.page_source)
                self.write_console(os.path.basename(path)[:-4] + ".log")
            except WebDriverException:
                pass
            if isinstance(error, AssertionError):
                raise AssertionError("[step %s] %s" % (name, error))
            raise
        self.shot(name)

    # -- Odoo ----------------------------------------------------------

    def ready(self):
        """The web client is up: menus drawn, first action done."""
        self.wait(lambda: self.js(
            "return document.readyState === 'complete' &&"
            " !!window.odoo && !!window.$ &&"
            " !!document.querySelector('.o_sub_menu a[data-menu]') &&"
            " !!document.querySelector('.o_main_content > .o_content > *');"),
            "the web client did not start")
        self.idle()

    def restart(self):
        """Load the web client again (after a failure)."""
        self.driver.get(self.url + "/web")
        self.ready()
        self.console_errors()  # kept in the log, not blamed on what's next

    def menus(self):
        """The menus the web client shows (sections too): xml id -> (id,
        action id)."""
        return {xmlid: (int(menu) if menu else None,
                        int(action) if action else None)
                for xmlid, menu, action in self.js(
                    "return Array.from(document.querySelectorAll("
                    "'[data-menu-xmlid]')).map(a => [a.dataset.menuXmlid,"
                    " a.dataset.menu || '', a.dataset.actionId || '']);")}

    def mark_views(self):
        """Remember the action and dialogs on screen, to know a new one
        from them."""
        self.js("document.querySelectorAll('.modal').forEach("
                "e => e.dataset.seen = '1');"
                " window.btAction = odoo.__DEBUG__.services["
                "'web.web_client'].action_manager.get_inner_action();")

    def new_view(self, what, action_id=None, modal=False):
        """Wait until an action other than the one ``mark_views`` saw (of
        ``action_id`` if given) is on screen with its view rendered, or,
        with ``modal``, a new dialog's form."""
        if modal:
            self.wait(lambda: self.js(
                "return !!document.querySelector("
                "'.modal:not([data-seen]) .o_form_view');"), what)
        else:
            self.wait(lambda: self.js(
                "var am = odoo.__DEBUG__.services['web.web_client']"
                ".action_manager, action = am.get_inner_action(),"
                " widget = am.inner_widget;"
                " if (!action || action === window.btAction || (arguments[0]"
                " && action.get_action_descr().id !== arguments[0]) ||"
                " !widget || !document.body.contains(widget.el)) return false;"
                " return !widget.el.classList.contains("
                "'o_view_manager_content') ||"
                " !!widget.el.querySelector(arguments[1]);",
                action_id, VIEWS), what)
        self.idle()

    def open_menu(self, xmlid, menus):
        """Open a menu as a person does: its application in the top bar
        (unless open), then the menu in the side bar."""
        menu_id, action_id = menus[xmlid]
        root = self.js(
            "var a = document.querySelector('.o_sub_menu a[data-menu=\"'"
            " + arguments[0] + '\"]');"
            " var box = a && a.closest('.oe_secondary_menu');"
            " return box ? box.dataset.menuParent : null;", menu_id)
        assert root, "menu %s is not in the side bar" % xmlid
        if not self.js(
                "var box = document.querySelector('.oe_secondary_menu"
                "[data-menu-parent=\"' + arguments[0] + '\"]');"
                " return box.offsetParent !== null;", root):
            # The application opens its first menu.
            self.mark_views()
            self.js("document.querySelector("
                    "'.oe_application_menu_placeholder a[data-menu=\"'"
                    " + arguments[0] + '\"]').click();", root)
            self.new_view("the application of %s did not open" % xmlid)
        self.mark_views()
        self.js("document.querySelector('.o_sub_menu a[data-menu=\"'"
                " + arguments[0] + '\"]').click();", menu_id)
        self.new_view("menu %s (action %s) did not render a view" % (
            xmlid, action_id), action_id)

    def wait_form(self, model, record_id=None, editable=False):
        """Wait for the form of ``model`` on screen: of ``record_id``
        (read from the address), or a new record being edited."""
        def shown():
            state = dict(part.split("=", 1) for part in
                         self.driver.current_url.split("#", 1)[-1].split("&")
                         if "=" in part)
            return (state.get("model") == model and
                    state.get("view_type") == "form" and
                    (record_id is None or
                     state.get("id") == str(record_id)) and
                    self.js("return $('.o_main_content .o_form_view"
                            "' + arguments[0] + ':visible').length;",
                            ".o_form_editable" if editable else ""))
        self.wait(shown, "the form of %s %s" % (model, record_id or "(new)"))
        self.idle()

    def open_first_record(self):
        """Open the first record of the list or kanban on screen in its
        form."""
        self.js("arguments[0].click();", self.has_record_to_open())
        self.wait(lambda: "view_type=form" in self.driver.current_url and
                  re.search(r"[#&]id=\d", self.driver.current_url) and
                  self.js("return $('.o_main_content .o_form_view:visible')"
                          ".length;"), "the first record's form")
        self.idle()

    def back(self):
        """Back to the previous view by the breadcrumbs."""
        self.click(".o_main_content .o_control_panel .breadcrumb li a")
        self.wait(lambda: "view_type=form" not in self.driver.current_url,
                  "back from the form")
        self.idle()

    def has_record_to_open(self):
        """The first record of the list or kanban on screen, if the
        action has a form (lists edited in place have none to open)."""
        return self.js(
            "var am = odoo.__DEBUG__.services['web.web_client']"
            ".action_manager, vm = am.inner_widget,"
            " views = (am.get_inner_action().get_action_descr().views || [])"
            ".map(v => v[1]), c = vm.active_view && vm.active_view.controller;"
            " if (views.indexOf('form') < 0 || (c && c.editable)) return null;"
            " return $('.o_main_content .o_list_view tr.o_data_row:visible"
            " td.o_data_cell, .o_main_content"
            " .o_kanban_record.oe_kanban_global_click:visible').get(0);")

    def other_views(self):
        """The view types the action offers besides the one on screen
        (the form aside: it needs a record)."""
        return self.js(
            "return $('.o_cp_switch_buttons button:visible').toArray()"
            ".map(b => b.dataset.viewType).filter(t => t !== 'form' &&"
            " !$('.o_cp_switch_buttons .o_cp_switch_' + t).hasClass("
            "'active'));")

    def switch_view(self, view_type):
        """Switch the action to another of its views, with its button."""
        self.click(".o_cp_switch_buttons .o_cp_switch_%s" % view_type)
        self.wait(lambda: "view_type=%s" % view_type in
                  self.driver.current_url and self.js(
                      "return $('.o_main_content .o_view_manager_content"
                      " > :visible').filter((i, e) => e.children.length)"
                      ".length;"),
                  "the %s view did not render" % view_type)
        self.idle()

    def open_record(self, model, record_id):
        """A record's form, by its address (as from a link)."""
        self.js("window.location.hash = arguments[0];",
                "id=%d&model=%s&view_type=form" % (record_id, model))
        self.wait_form(model, record_id)

    def search(self, text):
        """Type in the search box and press Enter."""
        box = ".o_main_content .o_searchview_input"
        self.again(lambda: self.find(box).send_keys(text), "search")
        self.find(".o_searchview_autocomplete li", "no search proposal")
        self.again(lambda: self.find(box).send_keys(Keys.ENTER), "search")
        self.find(".o_main_content .o_searchview_facet", "no search facet")
        self.idle()

    def set_field(self, name, value, scope=".o_form_view"):
        """Type ``value`` into field ``name`` (char, text, date, select,
        boolean) of the visible form or editable row."""
        self.again(lambda: self._set_field(name, value, scope),
                   "field %s" % name)

    def _set_field(self, name, value, scope):
        self.show_tab("%s [name='%s']" % (scope, name))
        element = self.find("%s [name='%s']" % (scope, name))
        tag = element.tag_name
        if tag == "select":
            Select(element).select_by_value(json.dumps(value))
        elif tag not in ("input", "textarea"):
            element = element.find_element(By.CSS_SELECTOR, "input")
            if element.get_attribute("type") == "checkbox":
                if element.is_selected() != bool(value):
                    self.js("arguments[0].click();", element)
                return
        if tag != "select":
            element.send_keys(Keys.CONTROL, "a")
            element.send_keys(Keys.DELETE)
            element.send_keys(value)
            if "o_datepicker_input" in (element.get_attribute("class") or ""):
                element.send_keys(Keys.TAB)  # closes the date picker
        self.js("$(arguments[0]).trigger('change');", element)

    def show_tab(self, css):
        """Open the notebook page holding ``css`` if it is on another
        (again if the form is redrawn meanwhile)."""
        self.wait(lambda: self.js(
            "var e = $(arguments[0]).first(); if (!e.length) return false;"
            " if (e.is(':visible')) return true;"
            " var pane = e.closest('.tab-pane'); if (!pane.length) return"
            " true; $('a[href=\"#' + pane.attr('id') + '\"]').click();"
            " return false;", css), "no page shows %s" % css)

    def button(self, name, scope=""):
        """Click an object or action button by its name."""
        self.click("%s button[name='%s']" % (scope, name))

    def header_button(self, label):
        """Click a button of the form's header, by its label (Odoo 11
        renders them without their name)."""
        def button():
            return self.js(
                "return $('.o_main_content .o_form_statusbar button:visible')"
                ".filter((i, b) => b.textContent.trim() === arguments[0])"
                ".get(0);", label)
        self.js("arguments[0].click();", self.wait(
            button, "no button %s in the form's header" % label))

    def save(self):
        self.click(".o_form_button_save")
        self.wait(lambda: self.js(
            "return $('.o_main_content .o_form_view.o_form_readonly"
            ":visible').length;"), "the form was not saved")
        self.idle()

    def form_id(self):
        match = re.search(r"[#&]id=(\d+)", self.driver.current_url)
        return int(match.group(1)) if match else None


@pytest.fixture(scope="module")
def office(odoo_server):
    """A browser with the administrator logged in and the interface
    switched to Chinese through the Preferences dialog."""
    found = find_browser()
    if not found:
        if os.environ.get("CI"):
            pytest.fail("Chromium or chromedriver is missing: scripts/setup"
                        " installs them (apt-get install chromium "
                        "chromium-driver)")
        pytest.skip("Chromium or chromedriver not found: run scripts/setup"
                    " (apt-get install chromium chromium-driver)")
    binary, driver_path = found
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    os.makedirs(ARTIFACTS)
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1400,1000",
                     "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The browser in the administrator's time zone, as the demo sets it.
    service = Service(driver_path, env=dict(os.environ, TZ="Asia/Shanghai"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(120)
    office = Backoffice(driver, odoo_server)
    set_admin_lang("en_US")
    try:
        with office.step("login"):
            driver.get(odoo_server + "/web/login")
            office.find("input[name=login]").send_keys("admin")
            office.find("input[name=password]").send_keys("admin")
            office.click("form.oe_login_form button[type=submit]")
            office.ready()
            roots = office.menus()
            assert "base_wechat_miniprogram.menu_mp_root" in roots, roots
            assert office.js(
                "return document.querySelector('a[data-menu-xmlid="
                "\"base_wechat_miniprogram.menu_mp_root\"]')"
                ".innerText.trim();") == "Mini Program"
        with office.step("preferences"):
            office.click(".o_user_menu .dropdown-toggle")
            office.mark_views()
            office.click(".o_user_menu a[data-menu=settings]")
            office.new_view("the Preferences dialog", modal=True)
            office.set_field("lang", "zh_CN", ".modal")
            office.click(".modal .modal-footer button[name=preference_save]")
            # Saving reloads the web client in the new language.
            office.wait(lambda: office.js(
                "var a = document.querySelector('a[data-menu-xmlid="
                "\"base_wechat_miniprogram.menu_mp_root\"]');"
                " return a && a.innerText.trim() === '小程序';"),
                "the menus did not turn Chinese")
            office.ready()
        assert sql("SELECT p.lang FROM res_users u JOIN res_partner p"
                   " ON p.id = u.partner_id WHERE u.login = 'admin'") == [
                       ("zh_CN",)]
        yield office
    finally:
        office.write_console()
        driver.quit()
        set_admin_lang("en_US")


PACK_MENUS = """
SELECT d.module || '.' || d.name, m.id, m.action
FROM ir_model_data d JOIN ir_ui_menu m ON m.id = d.res_id
WHERE d.model = 'ir.ui.menu' AND d.module IN %s AND m.active
ORDER BY m.parent_left
"""


def declared_menus():
    """The xml ids of the <menuitem>s in the pack's XML files."""
    found = set()
    for addon in PACK:
        for folder, _dirs, files in os.walk(os.path.join(ROOT, "addons",
                                                         addon)):
            for name in files:
                if name.endswith(".xml"):
                    with open(os.path.join(folder, name)) as xml:
                        found.update("%s.%s" % (addon, menu) for menu in
                                     re.findall(r'<menuitem\s+id="([^".]+)"',
                                                xml.read()))
    return found


def test_every_menu_of_the_pack_opens_its_view(office):
    menus = sql(PACK_MENUS, [tuple(PACK)])
    installed = {xmlid for xmlid, _id, _action in menus}
    missing = sorted((set(EXPECTED_ROOTS) | declared_menus()) - installed)
    assert not missing, "menus declared but not in the database: %s" % (
        missing,)
    shown = office.menus()
    hidden = sorted(installed - set(shown))
    assert not hidden, "menus the administrator does not see: %s" % hidden
    # In Chinese, after the switch.
    texts = office.js(
        "var texts = {}; document.querySelectorAll('[data-menu-xmlid]')"
        ".forEach(e => texts[e.dataset.menuXmlid] = e.textContent.trim());"
        " return texts;")
    english = sorted("%s (%s)" % (xmlid, texts[xmlid]) for xmlid in installed
                     if not re.search("[\u4e00-\u9fff]", texts[xmlid]))
    assert not english, "menus not in Chinese: %s" % english
    failures = []
    leaves = [xmlid for xmlid, _id, action in menus if action]
    assert len(leaves) >= 40, leaves
    switched = set()  # actions whose other views were opened
    for xmlid in leaves:
        name = xmlid.replace(".", "-")
        try:
            with office.step(name):
                office.open_menu(xmlid, shown)
            # Once per action: the form of its first record and its other
            # views (graph, pivot, calendar...).
            action_id = shown[xmlid][1]
            if action_id not in switched:
                views = office.other_views()
                if office.has_record_to_open():
                    with office.step(name + "-form"):
                        office.open_first_record()
                    if views:
                        office.back()
                for view_type in views:
                    with office.step("%s-%s" % (name, view_type)):
                        office.switch_view(view_type)
            switched.add(action_id)
        except AssertionError as error:
            failures.append(str(error))
            # A crash can leave the web client half-drawn: start it again
            # for the next menu.
            office.restart()
    assert not failures, "%d of %d menus failed:\n%s" % (
        len(failures), len(leaves), "\n".join(failures))


def test_activity_with_its_own_form_and_an_approved_sign_up(
        office, odoo_server, sim):
    tag = "Browser%d" % (time.time() * 1000)
    begin = (datetime.datetime.utcnow() + datetime.timedelta(days=5)).replace(
        second=0, microsecond=0)
    end = begin + datetime.timedelta(hours=3)
    shown = office.menus()
    with office.step("activity-new"):
        office.open_menu("event_miniprogram.menu_mp_activities_events",
                         shown)
        office.click(".o_cp_buttons .o-kanban-button-new")
        office.wait_form("event.event", editable=True)
        office.set_field("name", tag + " 读书会")
        office.set_field("date_begin", local_text(begin, "zh_CN"))
        office.set_field("date_end", local_text(end, "zh_CN"))
        # The mini-program tab: staff review every sign-up.
        office.set_field("mp_approval", True)
        office.set_field("mp_recommended", True)
    with office.step("activity-form-fields"):
        office.show_tab(".o_form_view [name=mp_form_field_ids]")
        page = office.js(
            "return document.querySelector('.o_form_view "
            "[name=mp_form_field_ids]').closest('.tab-pane').id;")
        questions = [("姓名", "text", ""), ("手机", "phone", ""),
                     ("T恤尺码", "single", "S\nM\nL")]
        for label, kind, options in questions:
            office.click("#%s .o_field_x2many_list_row_add a" % page)
            row = "#%s tr.o_selected_row" % page
            office.set_field("name", label, row)
            office.set_field("kind", kind, row)
            if options:
                office.set_field("options", options, row)
        office.save()
    event_id = office.form_id()
    assert event_id, office.driver.current_url
    facts = sql("""
        SELECT e.name, e.date_begin, e.date_end, e.mp_published,
               e.mp_approval, e.mp_recommended,
               array_agg(f.name || '|' || f.kind || '|' ||
                         COALESCE(f.options, '') || '|' || f.required
                         ORDER BY f.sequence, f.id)
        FROM event_event e JOIN event_mp_form_field f ON f.event_id = e.id
        WHERE e.id = %s GROUP BY e.id""", [event_id])
    assert facts == [(tag + " 读书会", begin, end, True, True, True, [
        "姓名|text||true", "手机|phone||true", "T恤尺码|single|S\nM\nL|true",
    ])], facts
    fields = dict(sql("SELECT kind, id FROM event_mp_form_field"
                      " WHERE event_id = %s", [event_id]))

    # A mini-program user sees the form and signs up: the answers are
    # checked against it; staff review the sign-up.
    auth, partner_id = login(odoo_server, sim, "reader-" + tag)
    form = ok(api("GET", odoo_server, "events/%d/form" % event_id, auth))
    assert [(f["label"], f["kind"], f["options"]) for f in form["fields"]] \
        == [("姓名", "text", []), ("手机", "phone", []),
            ("T恤尺码", "single", ["S", "M", "L"])], form
    answers = {str(fields["text"]): "李雷", str(fields["phone"]): "123",
               str(fields["single"]): "M"}
    assert error_code(api("POST", odoo_server, "events/%d/join" % event_id,
                          auth, json={"answers": answers}),
                      400) == "invalid_input"
    answers[str(fields["phone"])] = "13800138000"
    joined = ok(api("POST", odoo_server, "events/%d/join" % event_id, auth,
                    json={"answers": answers}))
    assert joined["stage"] == "to_review", joined

    with office.step("sign-up-approve"):
        office.open_menu("event_miniprogram.menu_mp_activities_registrations",
                         shown)
        office.search(tag)
        rows = office.wait(lambda: office.js(
            "return Array.from(document.querySelectorAll("
            "'.o_main_content tr.o_data_row')).filter("
            "r => r.innerText.indexOf(arguments[0]) >= 0).length;", tag),
            "the sign-up is not listed")
        assert rows == 1, rows
        # The row's Approve button (a check mark: list buttons carry no
        # name).
        assert office.js(
            "var row = Array.from(document.querySelectorAll("
            "'.o_main_content tr.o_data_row')).filter("
            "r => r.innerText.indexOf(arguments[0]) >= 0)[0],"
            " mark = row.querySelector(arguments[1]);"
            " if (mark) mark.closest('button').click(); return !!mark;",
            tag, APPROVE_IN_ROW), "the sign-up has no Approve button"
        office.wait(lambda: sql(
            "SELECT mp_stage FROM event_registration WHERE id = %s",
            [joined["registration_id"]]) == [("confirmed",)],
            "the sign-up was not approved")
        # The list is reloaded without the button.
        office.wait(lambda: not office.js(
            "return document.querySelector('.o_main_content "
            "tr.o_data_row ' + arguments[0]);", APPROVE_IN_ROW),
            "the approve button stayed")
    mine = ok(api("GET", odoo_server,
                  "registrations/%d" % joined["registration_id"], auth))
    assert mine["stage"] == "confirmed", mine
    assert partner_id


#: The Approve button of a sign-up's row (a check mark).
APPROVE_IN_ROW = "button.o_icon_button:not(.o_invisible_modifier) i.fa-check"

INVOICE_OF = """
SELECT i.id, i.number FROM payment_transaction t
JOIN account_invoice i ON i.id = t.wechatpay_invoice_id
WHERE t.id = %s AND i.type = 'out_invoice' AND i.state = 'paid'
"""


def test_refund_an_invoice_via_wechat_pay(office, odoo_server, sim):
    tag = "BrowserRefund%d" % (time.time() * 1000)
    [event] = make_events({"name": tag, "capacity": 5, "mp_fee_fen": 2990})
    auth, _partner_id = login(odoo_server, sim, "refund-" + tag)
    _detail, payment = join_and_pay(odoo_server, sim, auth, event["id"],
                                    2990)
    tx_id = payment["transaction_id"]
    invoice = wait_for(lambda: sql(INVOICE_OF, [tx_id]), timeout=90)
    assert invoice, "the WeChat payment was not invoiced"
    [(invoice_id, number)] = invoice
    with office.step("invoice"):
        office.open_menu("account.menu_action_invoice_tree1",
                         office.menus())
        office.search(number)
        office.click(".o_main_content tr.o_data_row td.o_data_cell")
        office.wait_form("account.invoice", invoice_id)
    with office.step("invoice-refund-wizard"):
        office.mark_views()
        office.header_button("微信支付退款")  # Refund via WeChat Pay
        office.new_view("the refund wizard", modal=True)
        office.set_field("amount", "10.00", ".modal")
        office.set_field("reason", "活动改期，部分退款", ".modal")
    with office.step("invoice-refund-sent"):
        office.button("action_refund", ".modal-footer")
        office.wait(lambda: not office.js(
            "return document.querySelector('.modal .o_form_view');"),
            "the refund wizard stayed open")
        # The invoice form re-renders after the wizard (its tabs get new
        # ids): the refund's row is checked on the reloaded form below.
    refunds = wait_for(lambda: sql(
        "SELECT state, amount_fen, destination, reason, id, name,"
        " credit_note_id FROM wechatpay_refund"
        " WHERE transaction_id = %s AND credit_note_id IS NOT NULL",
        [tx_id]), timeout=90)
    assert [row[:4] for row in refunds] == [
        ("succeeded", 1000, "original", "活动改期，部分退款")], \
        sql("SELECT state, amount_fen, error FROM wechatpay_refund"
            " WHERE transaction_id = %s", [tx_id])
    [(_state, _fen, _to, _why, refund_id, refund_no, note_id)] = refunds
    with office.step("invoice-refunded"):
        # The invoice again (its address names its action and view).
        office.driver.refresh()
        office.ready()
        office.wait_form("account.invoice", invoice_id)
        office.show_tab(".o_form_view [name=wechatpay_refund_ids]")
        office.find(".o_form_view [name=wechatpay_refund_ids] tr.o_data_row")
    with office.step("refund-credit-note"):
        # The refund among WeChat refunds, and its credit note from it: a
        # customer credit note, in the customer invoice form.
        office.open_menu("payment_wechatpay.menu_mp_refunds", office.menus())
        office.search(refund_no)
        office.click(".o_main_content tr.o_data_row td.o_data_cell")
        office.wait_form("wechatpay.refund", refund_id)
        office.click(".o_main_content a.o_form_uri[name=credit_note_id]")
        office.wait_form("account.invoice", note_id)
        assert office.js(
            "return !!document.querySelector('.o_main_content "
            ".o_form_view [name=wechatpay_transaction_ids]');"), \
            "the credit note opened in the vendor bill form"


def test_end_an_auction_lot(office, odoo_server, sim):
    tag = "BrowserLot%d" % (time.time() * 1000)
    made = make_auction(
        {"name": tag, "deposit_fen": 0},
        [{"catalogue_no": "B01", "name": tag + " 青花瓷瓶",
          "start_fen": 100000, "deposit_fen": 20000}])
    session_id, lot_id = made["session"], made["lots"][0]["id"]
    auth, partner_id = login(odoo_server, sim, "bidder-" + tag)
    pay_deposit(odoo_server, sim, auth, session_id, lot_id, 20000)
    assert ok(bid(odoo_server, auth, lot_id, 100000,
                  key=uuid.uuid4().hex))["leading"]
    shown = office.menus()
    with office.step("lot-end-now"):
        office.open_menu("auction_deposit.menu_auction_lots", shown)
        office.search(tag)
        office.click(".o_main_content .o_kanban_record")
        office.wait_form("auction.lot", lot_id)
        office.click(".o_form_button_edit")
        past = (datetime.datetime.utcnow() - datetime.timedelta(minutes=2)
                ).replace(second=0, microsecond=0)
        office.set_field("end_at", local_text(past, "zh_CN"))
        office.save()
    assert sql("SELECT end_at, result FROM auction_lot WHERE id = %s",
               [lot_id]) == [(past, None)]
    # No button ends a lot: the ending cron does, every minute; staff run
    # it now from its form (developer mode).
    [(cron_id,)] = sql(
        "SELECT res_id FROM ir_model_data WHERE module = 'auction_deposit'"
        " AND name = 'ir_cron_auction_end_lots'")
    with office.step("lot-cron-run"):
        office.driver.get(office.url + "/web?debug=1#id=%d&model=ir.cron"
                          "&view_type=form" % cron_id)
        office.ready()
        office.wait_form("ir.cron", cron_id)
        office.header_button("手动运行")  # Run Manually
        office.wait(lambda: sql(
            "SELECT result FROM auction_lot WHERE id = %s", [lot_id]) == [
                ("sold",)], "the lot did not end")
    with office.step("lot-sold"):
        office.open_record("auction.lot", lot_id)
    [(result, winner, hammer, order)] = sql(
        "SELECT result, winner_id, hammer_fen, order_id FROM auction_lot"
        " WHERE id = %s", [lot_id])
    assert (result, winner, hammer) == ("sold", partner_id, 100000)
    assert order, "the winner got no order"
