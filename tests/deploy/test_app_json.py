"""app.json (Heroku's one-click deploys and review apps) against the facts: the Procfile's
processes, the variables config.py reads, the add-ons that set DATABASE_URL and REDIS_URL."""

from __future__ import annotations

import json
import re

from tests.bulk_support import ROOT


def _procfile() -> dict[str, str]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = command.strip()
    return processes


def test_app_json_matches_procfile_config_and_addons():
    app = json.loads((ROOT / "app.json").read_text())
    processes = _procfile()
    assert set(app["formation"]) == set(processes) - {"release"} == {"web", "worker", "scheduler"}
    assert processes["release"] == "jobsmgmt db upgrade"
    assert all(f["quantity"] >= 1 for f in app["formation"].values())
    assert [b["url"] for b in app["buildpacks"]] == ["heroku/python"]
    plans = {addon["plan"].split(":")[0]: addon.get("as") for addon in app["addons"]}
    assert plans == {"heroku-postgresql": "DATABASE", "heroku-redis": "REDIS"}

    config = (ROOT / "jobsmgmt" / "config.py").read_text()
    read = set(re.findall(r'_(?:env|bool)\("([A-Z_]+)"', config))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_KEY"} <= read
    for name, spec in app["env"].items():
        assert name in read, f"app.json sets {name}, which config.py never reads"
        assert spec.get("description")
    for secret in ("SECRET_KEY", "AUDIT_KEY"):
        assert app["env"][secret]["generator"] == "secret"
        assert "value" not in app["env"][secret]

    postdeploy = app["scripts"]["postdeploy"]
    assert "jobsmgmt users create" in postdeploy and "--role admin" in postdeploy
    readme = (ROOT / "README.md").read_text()
    assert "jobsmgmt users create" in readme and "app.json" in readme
