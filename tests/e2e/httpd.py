#!/usr/bin/python3
"""A small HTTP server for namespace tests: httpd.py ADDR PORT DIR [NAME].

Serves files from DIR, and /id answers NAME (which server answered). /health answers the status
code written in DIR/health_status (200 when there is no such file): a health URL a test can fail. Unlike `python3 -m
http.server` it does not resolve its own name at startup (a reverse DNS lookup stalls for seconds
in an isolated namespace). Threaded, so many concurrent clients are served.
"""
import http.server
import os
import socketserver
import sys


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


def main():
    addr, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    name = sys.argv[4] if len(sys.argv) > 4 else addr

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=root, **kw)

        def do_GET(self):
            if self.path == "/id":
                body = (name + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path == "/health":
                try:
                    code = int(open(os.path.join(root, "health_status")).read().strip())
                except (OSError, ValueError):
                    code = 200
                body = b"health\n"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    Server((addr, port), Handler).serve_forever()


if __name__ == "__main__":
    os.environ.pop("http_proxy", None)
    main()
