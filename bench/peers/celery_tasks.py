"""The Celery side of the pipeline comparison: the app and the one task a Celery worker runs.

The worker imports this module (``celery -A celery_tasks worker``, cwd bench/peers) and reads
its configuration from the environment, set by celery_pipeline.CeleryWorker:

    CLASSIFLOW_CELERY_URL    redis://127.0.0.1:PORT/0, broker AND result backend
    CLASSIFLOW_CELERY_MODEL  a model file written by classiflow's Model.save()
    CLASSIFLOW_CELERY_PREFETCH  optional worker_prefetch_multiplier (Celery's default: 4)

The submitting process builds its own app with make_app(url) instead, so one process can drive
several runs against different redis servers without Celery's app-level caches getting in the way.

Settings, chosen as a production user configures Celery for work that must not be lost:
* ``task_acks_late=True``: a task is acknowledged after it ran, so a worker killed mid-task
  leaves it in the queue for another one (the default acks before running: at most once).
* JSON for tasks and results, and only JSON accepted: Celery's defaults, stated so that no
  configuration file can switch the worker to pickle (which runs whatever a client sends).
* ``worker_prefetch_multiplier`` stays at Celery's default (4 per process): the documentation
  advises 1 only for long tasks, and raising it for short ones; ours take microseconds.
  celery_peer.py --prefetch measures other values.
* Results expire after Celery's default day (SETEX); nothing else is tuned.
"""
import os
import time

from celery import Celery
from celery.signals import worker_process_init

TASK_NAME = "celery_tasks.classify"

_model = None  # one classiflow model per pool process, loaded on first need


def _load_model():
    """Returns this process's model, reading the file once.

    classiflow is imported here, not at module level, so the worker's main process (which
    forks the pool) never initialises the library: each pool process gets a fresh one."""
    global _model
    if _model is None:
        import classiflow as cf
        _model = cf.Model.load(os.environ["CLASSIFLOW_CELERY_MODEL"])
    return _model


@worker_process_init.connect
def _preload(**_):
    # Load when the pool process starts, not inside the first task it gets: a user's first
    # request should not pay for the model file, and neither should the first measured item.
    _load_model()


def classify(item_id, text):
    """Classifies one text; returns what classiflow's pipeline stores as a result, plus
    ``t_end``: time.monotonic() when the work was done, for latency measured without the
    order in which the submitter collects results (CLOCK_MONOTONIC is one clock for all the
    processes of a machine)."""
    prediction = _load_model().predict(text)
    return {"id": item_id, "label": prediction.label, "confidence": prediction.confidence,
            "t_end": time.monotonic()}


def make_app(url, prefetch_multiplier=None):
    """A Celery app with `url` as broker and result backend and the classify task registered."""
    app = Celery("celery_tasks", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
    )
    if prefetch_multiplier is not None:
        app.conf.worker_prefetch_multiplier = prefetch_multiplier
    app.task(name=TASK_NAME)(classify)
    return app


# The worker's app (`-A celery_tasks` finds `app`). Importing the module without the variable
# set (the submitting side, or a linter) must not fail, hence the placeholder URL.
_prefetch = os.environ.get("CLASSIFLOW_CELERY_PREFETCH")
app = make_app(os.environ.get("CLASSIFLOW_CELERY_URL", "redis://127.0.0.1:6379/0"),
               int(_prefetch) if _prefetch else None)
