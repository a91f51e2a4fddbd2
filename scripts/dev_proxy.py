# Copyright 2026 The WeChat Mini-Program Pack Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The reverse proxy ``scripts/run`` puts in front of Odoo on localhost.

In workers mode Odoo answers ``/longpolling/`` only on its gevent port; a
browser talking to the HTTP workers directly gets "bus.Bus unavailable"
errors. Production uses nginx (``config/nginx.conf.sample``); this stdlib
proxy does the same routing for the demo, with no package to install.

Usage: python dev_proxy.py LISTEN_PORT HTTP_PORT LONGPOLLING_PORT
"""
import http.client
import http.server
import sys

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate",
              "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade"}


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forwards each request to Odoo's HTTP or longpolling port."""

    protocol_version = "HTTP/1.1"
    http_port = longpolling_port = None

    def _forward(self):
        port = self.longpolling_port if self.path.startswith(
            "/longpolling/") else self.http_port
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {key: value for key, value in self.headers.items()
                   if key.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = self.client_address[0]
        headers["X-Forwarded-Host"] = self.headers.get("Host", "")
        upstream = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            upstream.request(self.command, self.path, body, headers)
            response = upstream.getresponse()
            data = response.read()
        except OSError as err:
            self.send_error(502, "Odoo is not answering: %s" % err)
            return
        finally:
            upstream.close()
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != \
                    "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = \
        do_PATCH = _forward

    def log_message(self, *args):
        """Odoo logs every request already."""


def main(listen_port, http_port, longpolling_port):
    ProxyHandler.http_port = http_port
    ProxyHandler.longpolling_port = longpolling_port
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", listen_port), ProxyHandler)
    server.daemon_threads = True
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:4]))
