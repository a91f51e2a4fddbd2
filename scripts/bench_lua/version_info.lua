-- Odoo's own bare JSON route, the baseline.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"jsonrpc": "2.0", "method": "call", "params": {}}'
