"""The baseline for route ingestion: a bare Flask app that only parses the same JSON body.

Same URL, same gunicorn settings, same bodies as Bijna's POST /api/v1/carrier/routes/<id>/etas;
no auth, no database, no Redis. Run: gunicorn --workers 2 bench.bare_app:app
"""

from __future__ import annotations

from flask import Flask, request

app = Flask(__name__)


@app.post("/api/v1/carrier/routes/<route_id>/etas")
def route_etas(route_id: str):
    body = request.get_json()
    return {"accepted": len(body["stops"]), "ignored_stale": 0, "unknown_parcels": [], "texts_queued": 0}
