"""Make the screenshots of docs/tour.md: a seeded demo agency on a temporary SQLite database,
the app on a loopback port, Debian's chromium through Playwright.

    .venv/bin/python docs/tour_screenshots.py        # writes docs/tour/*.png
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobsmgmt import demo  # noqa: E402
from jobsmgmt.database import set_write_intent, write_intent  # noqa: E402
from jobsmgmt.extensions import db  # noqa: E402
from jobsmgmt.models import Job  # noqa: E402
from jobsmgmt.services import Actor, applications, bulk, jobs  # noqa: E402
from tests.conftest import PASSWORD, Factory, build_app, upgrade_database  # noqa: E402

OUT = ROOT / "docs" / "tour"
CHROMIUM = "/usr/bin/chromium"


def seed(app) -> dict:
    factory = Factory(app)
    rita = factory.user("recruiter", name="Rita Recruiter")
    carl = factory.user("recruiter", name="Carl Colleague")
    with write_intent():
        demo.seed_history(db.session, jobs=40, applications=600, days=90, seed=2026)
        job = db.session.scalar(
            db.select(Job).where(Job.status == "open").order_by(Job.application_count.desc())
        )
        applications.apply(
            db.session,
            job.id,
            {"name": "Cara Candidate", "email": "cara@example.com", "phone": "+49 30 555 0101"},
            resume_text="Eight years of Python and PostgreSQL.\nLed a platform team of four.",
            skills=["Python", "PostgreSQL", "Kubernetes"],
            source="careers",
        )
        targets = list(
            db.session.scalars(db.select(Job.id).where(Job.status == "open").limit(4))
        ) + list(db.session.scalars(db.select(Job.id).where(Job.status == "draft").limit(1)))
        op = bulk.create_operation(
            db.session, "update_fields", {"location": "Lisbon"}, targets[:4], Actor(rita.id)
        )
        bulk.run_operation(db.session, op.id)
        jobs.update_job(db.session, targets[1], {"location": "Porto"}, Actor(carl.id))
    data = {"email": rita.email, "job": job.id, "op": op.id, "targets": targets}
    db.session.rollback()
    db.session.close()
    return data


def shoot(base: str, data: dict) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless"])
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        page.goto(f"{base}/login")
        page.fill("input[name=email]", data["email"])
        page.fill("input[name=password]", PASSWORD)
        page.click("main input[type=submit]")
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/?department=engineering&sort=applications&then=title&then_order=asc")
        page.screenshot(path=OUT / "dashboard.png")
        page.goto(f"{base}/jobs/{data['job']}#pipeline")
        card = page.locator("li.candidate", has_text="Cara Candidate")
        card.locator("summary").click()
        card.scroll_into_view_if_needed()
        page.screenshot(path=OUT / "candidate-panel.png")
        page.goto(f"{base}/analytics?sort=conversion&order=asc")
        page.locator("#ranking").scroll_into_view_if_needed()
        page.locator("#ranking").screenshot(path=OUT / "analytics-ranking.png")
        page.goto(f"{base}/bulk?job_ids={','.join(data['targets'])}")
        page.select_option("select[name=operation]", "status_update")
        page.select_option("select[name=status]", "on_hold")
        page.click("button[value=preview]")
        page.wait_for_selector("#bulk-preview")
        page.screenshot(path=OUT / "bulk-preview.png")
        page.goto(f"{base}/bulk/{data['op']}")
        page.click("#undo-form button")
        page.wait_for_selector("#undo-preview")
        page.screenshot(path=OUT / "undo-preview.png")
        phone = browser.new_page(viewport={"width": 390, "height": 760})
        phone.context.add_cookies(page.context.cookies())
        phone.goto(f"{base}/")
        phone.evaluate(
            "document.getElementById('result-count').scrollIntoView({behavior: 'instant'})"
        )
        phone.screenshot(path=OUT / "phone-dashboard.png")
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/tour.db"
        upgrade_database(url)
        app = build_app(url)
        with app.app_context():
            data = seed(app)
            set_write_intent(False)
            server = make_server("127.0.0.1", 0, app, threaded=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                time.sleep(0.2)
                shoot(f"http://127.0.0.1:{server.server_port}", data)
            finally:
                server.shutdown()
                db.session.remove()
                db.engine.dispose()
    for png in sorted(OUT.glob("*.png")):
        print(f"{png.relative_to(ROOT)}: {png.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
