"""Wiring only: the Chalice app and its blueprints. Logic lives in chalicelib/."""

import os

from chalice import Chalice

from chalicelib.api.access import access_api
from chalicelib.api.conversation import conversation_api
from chalicelib.api.cors import console_cors
from chalicelib.api.desk import desk_api
from chalicelib.api.dev_clock import dev_clock_api
from chalicelib.api.dev_outbox import dev_outbox_api
from chalicelib.api.evidence import evidence_api
from chalicelib.api.help import help_api
from chalicelib.api.incidents import incidents_api
from chalicelib.api.meta import meta_api
from chalicelib.api.metrics import metrics_api
from chalicelib.api.pages import pages_api
from chalicelib.api.tickets import tickets_api
from chalicelib.observability import trace_calls
from chalicelib.settings import get_settings
from chalicelib.workers.escalation import escalations
from chalicelib.workers.incidents import incident_workers
from chalicelib.workers.notify import notify_worker
from chalicelib.workers.pipeline import pipeline_workers
from chalicelib.workers.sweeper import sweeper

trace_calls(os.environ)  # the workers of deployed stages: X-Ray subsegments for AWS and provider calls
# Powertools' Logger (chalicelib/observability.py) owns the "polyglot-desk" logger; Chalice's own
# stdout handler on it would print every line twice once that logger is built on first use.
app = Chalice(app_name="polyglot-desk", configure_logs=False)
app.api.cors = console_cors(get_settings())  # before the routes: each takes it as its default
app.register_blueprint(meta_api)
app.register_blueprint(access_api)
app.register_blueprint(tickets_api)
app.register_blueprint(conversation_api)
app.register_blueprint(desk_api)
app.register_blueprint(metrics_api)
app.register_blueprint(incidents_api)
app.register_blueprint(evidence_api)
app.register_blueprint(help_api)
app.register_blueprint(pages_api)
app.register_blueprint(pipeline_workers)
app.register_blueprint(sweeper)
app.register_blueprint(escalations)
app.register_blueprint(notify_worker)
app.register_blueprint(incident_workers)
if get_settings().movable_clock:  # the local stage only: deployed stages never have /dev/clock
    app.register_blueprint(dev_clock_api)
    app.register_blueprint(dev_outbox_api)
