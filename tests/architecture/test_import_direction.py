"""Imports run one way: workers/ uses app/; app/ reaches workers/ only through enqueue helpers, late;
the pure core imports no framework, store or SDK; no two packages import each other."""

from __future__ import annotations

import subprocess
import sys

from imports import ROOT, Import, cycles, package_of, product_imports

ENQUEUE_HELPERS = {"workers.sending": {"enqueue_sends", "retry_later"}, "workers.replies": {"enqueue_replies"},
                   "workers.rebooking": {"enqueue_rebookings"}, "workers.shop_webhooks": {"enqueue_webhooks"}}
PURE = ("app.notify", "app.eta", "app.replies.parser", "app.replies.vocabulary", "app.replies.conversation",
        "app.replies.wishes", "app.simulation.generator", "app.simulation.scorecard")
NOT_IN_THE_PURE_CORE = ("flask", "redis", "rq", "sqlalchemy", "twilio", "requests", "app.extensions", "app.models",
                        "workers")


def allowed_from_app(one: Import) -> bool:
    return one.late and set(one.names) <= ENQUEUE_HELPERS.get(one.imported, set())


def test_app_reaches_workers_only_through_enqueue_helpers_imported_late():
    wrong = [f"{one.importer}: {one.imported} {one.names}" for one in product_imports("app")
             if one.imported.split(".")[0] == "workers" and not allowed_from_app(one)]
    assert wrong == []


def test_importing_app_loads_nothing_from_workers():
    loaded = subprocess.run([sys.executable, "-c", "import sys, app, app.messaging.sending, app.replies.inbound; "
                             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'workers'))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_the_pure_core_imports_no_framework_store_or_sdk():
    wrong = [f"{one.importer}: {one.imported}" for one in product_imports("app")
             if any(one.importer == pure or one.importer.startswith(pure + ".") for pure in PURE)
             and one.imported.split(".")[0] in {name.split(".")[0] for name in NOT_IN_THE_PURE_CORE}
             and one.imported.startswith(NOT_IN_THE_PURE_CORE)]
    assert wrong == []


def package_edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for one in product_imports("app", "workers"):
        if one.late or one.imported.split(".")[0] not in ("app", "workers"):
            continue
        targets = [f"app.{name}" for name in one.names] if one.imported == "app" else [one.imported]
        for target in targets:
            if package_of(one.importer) != package_of(target):
                edges.setdefault(package_of(one.importer), set()).add(package_of(target))
    return edges


def test_no_two_packages_import_each_other():
    assert cycles(package_edges()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
