"""classiflow.dashboard: a live web page of an engine's pipelines.

    python -m classiflow.dashboard DATA_DIR [--port 8050] [--host 127.0.0.1] [--pipeline NAME]

or, in a process that holds an engine::

    server = classiflow.dashboard.serve(engine, port=0, block=False)
    print(server.url)
    ...
    server.close()

Standard library only (``http.server``); the page has no external scripts or styles. See
docs/dashboard.md.
"""

from .server import Server, serve

__all__ = ["Server", "serve"]
