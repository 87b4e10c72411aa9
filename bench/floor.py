"""The floor for ``make bench`` and ``make loadtest``: this app plus one empty route that only
authenticates its bearer token (``GET /bench/empty`` → ``{}``), served by the same server with
the same settings as the app. What an endpoint costs above it is the endpoint's own work.

    gunicorn bench.floor:app …   (or bench/servers.py waitress bench.floor:app PORT)
"""

from jobsmgmt import create_app
from jobsmgmt.auth import api_user

app = create_app()


@app.get("/bench/empty")
def empty():
    api_user()
    return {}
