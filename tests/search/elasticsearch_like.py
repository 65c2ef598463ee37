"""A loopback HTTP handler that answers as Elasticsearch does (its product header, JSON
bodies), for the tests of what the admin's index screen says about a cluster: the
handlers of those tests say what each path answers."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler


class ElasticsearchLikeHandler(BaseHTTPRequestHandler):
    def _json(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        # The client refuses a server that does not say it is Elasticsearch.
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet: the test's output is the assertions'
        pass
