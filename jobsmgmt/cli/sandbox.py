"""``jobsmgmt sandbox``: the portal sandbox alone (hosted tests and demos point the
``*_API_BASE`` variables at ``http://HOST:PORT/sandbox/<portal>``)."""

from __future__ import annotations

import click


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5055, show_default=True, type=int)
@click.option("--latency-ms", default=0, show_default=True, type=int, help="Delay every call.")
def sandbox(host, port, latency_ms):
    """Serve the LinkedIn / Indeed / Naukri sandbox (state kept in this process's memory)."""
    from werkzeug.serving import make_server

    from ..portals.sandbox import SandboxState, create_sandbox_app

    state = SandboxState(latency_ms=latency_ms)
    server = make_server(host, port, create_sandbox_app(state), threaded=True)
    base = f"http://{host}:{server.server_port}/sandbox"
    click.echo(f"Portal sandbox on {base}  (LINKEDIN_API_BASE={base}/linkedin, …)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
