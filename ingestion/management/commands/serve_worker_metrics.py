import os
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.management.base import BaseCommand, CommandError

from quantfoot.metrics import worker_metrics_app


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # one line per scrape would drown the worker's log
        pass


class Command(BaseCommand):
    help = ("Serve the qcluster's task and provider metrics for Prometheus at http://BIND:PORT/metrics, "
            "added up over every process that wrote to PROMETHEUS_MULTIPROC_DIR.")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=9101)
        parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default: loopback only)")

    def handle(self, *args, **options):
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
        if not directory or not os.path.isdir(directory):
            raise CommandError("PROMETHEUS_MULTIPROC_DIR must name an existing folder, the same one the qcluster "
                               f"was started with (it is {directory!r})")
        app = worker_metrics_app(directory)
        with make_server(options["bind"], options["port"], app, server_class=WSGIServer,
                         handler_class=QuietHandler) as server:
            self.stdout.write(f"worker metrics from {directory} at http://{options['bind']}:{options['port']}/metrics")
            server.serve_forever()
