"""``python -m classiflow.dashboard DATA_DIR``: serve the dashboard of a data directory.

The directory is opened with ``mode="read"``, so the dashboard runs next to the process that
writes it (a pipeline's writer holds the directory's one write lock).
"""

import argparse
import os
import sys
from typing import List, Optional

import classiflow as cf

from .server import serve


def _port(text: str) -> int:
    """argparse type: a TCP port, with a message that says what is accepted."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer 0..65535, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected an integer 0..65535, got {port}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m classiflow.dashboard",
        description="Serve a live dashboard of the pipelines in a classiflow data directory.")
    parser.add_argument("data_dir", metavar="DATA_DIR", help="the engine's data directory")
    parser.add_argument("--port", type=_port, default=8050,
                        help="TCP port, 0 = any free one (default: 8050)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--pipeline", metavar="NAME", help="show only this pipeline")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the CLI; returns the exit status (2 = bad arguments, 1 = cannot open or listen)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not os.path.isdir(args.data_dir):
        parser.error(f"DATA_DIR {args.data_dir!r} is not a directory")
    try:
        engine = cf.Engine(args.data_dir, mode="read")
    except (cf.Error, OSError) as e:
        print(f"classiflow.dashboard: cannot open {args.data_dir!r}: {e}", file=sys.stderr)
        return 1
    with engine:
        try:
            server = serve(engine, port=args.port, host=args.host, block=False,
                           pipeline=args.pipeline)
        except OSError as e:
            print(f"classiflow.dashboard: cannot listen on {args.host}:{args.port}: {e}",
                  file=sys.stderr)
            return 1
        # The URL line is the signal scripts (and the tests) wait for: flush it at once.
        print(f"classiflow dashboard on {server.url}", flush=True)
        try:
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
