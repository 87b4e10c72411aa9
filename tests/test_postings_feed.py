"""``GET /feeds/indeed.xml``: Indeed's job-feed format, parsed by an XML parser and checked field
by field; exactly the open jobs with a live Indeed posting; ``]]>``, ``<script>`` and non-ASCII
survive; ETag / Last-Modified answer 304."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # our own output, parsed to check it
from datetime import timedelta
from email.utils import format_datetime, parsedate_to_datetime

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import JobExternalPosting, utcnow
from jobsmgmt.services import Actor, postings, status
from tests.postings_support import open_job

NASTY_TITLE = "Ingénieur ]]> <script>alert(1)</script> & Co — 東京"
NASTY_DESCRIPTION = "Line one ]]> still inside\n<b>bold</b> & more\x01 — naïve café, 日本語 " * 3


def _post(factory, portal="indeed", **fields):
    """An open job with a pending posting (no delivery queued: pending is live for the feed)."""
    from jobsmgmt.services.jobs import lock_job

    job = open_job(factory, **fields)
    with write_intent():
        locked = lock_job(db.session, job.id)
        postings.request_postings(db.session, locked, [portal], Actor(job.owner_id), deliver=False)
        db.session.commit()
    db.session.rollback()
    return job


_post_indeed = _post


def test_feed_lists_exactly_the_open_jobs_with_a_live_indeed_posting(app, factory, client):
    # Without a worker the postings stay pending — pending and posted are both live.
    nasty = _post_indeed(
        factory, title=NASTY_TITLE, description=NASTY_DESCRIPTION, employment_type="part_time"
    )
    plain = _post_indeed(factory, title="Data Analyst", location="IN")
    closed = _post_indeed(factory, title="Closed one")
    with write_intent():
        status.change_status(db.session, closed.id, "closed", Actor(closed.owner_id))
    expired = _post_indeed(factory, title="Expired one")
    with write_intent():
        row = db.session.query(JobExternalPosting).filter_by(job_id=expired.id).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    open_job(factory, title="Never posted")
    _post(factory, "linkedin", title="LinkedIn only")

    response = client.get("/feeds/indeed.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert response.is_streamed
    root = ET.fromstring(response.data)  # noqa: S314
    assert root.tag == "source"
    assert root.findtext("publisher") == "jobsmgmt"
    assert root.findtext("publisherurl").endswith("/careers")
    assert parsedate_to_datetime(root.findtext("lastBuildDate")) <= utcnow()
    jobs = {job.findtext("title"): job for job in root.findall("job")}
    assert set(jobs) == {NASTY_TITLE, "Data Analyst"}

    got = jobs[NASTY_TITLE]
    db.session.rollback()
    posting = db.session.query(JobExternalPosting).filter_by(job_id=nasty.id).one()
    assert got.findtext("description") == NASTY_DESCRIPTION.replace("\x01", "")
    assert got.findtext("referencenumber") == posting.meta["key"]
    assert got.findtext("url").endswith(f"/careers/{nasty.id}/apply?source=indeed")
    assert got.findtext("company") == "jobsmgmt"
    assert got.findtext("city") == "Berlin" and got.findtext("country") == "Germany"
    assert got.findtext("jobtype") == "parttime"
    assert parsedate_to_datetime(got.findtext("expirationdate")) == posting.expires_at.replace(
        microsecond=0
    )
    published = db.session.get(type(nasty), nasty.id).published_at
    assert got.findtext("date") == format_datetime(published, usegmt=True)
    # Values are CDATA (the script tag is text, never markup); "]]>" is split in two sections.
    raw = response.data.decode()
    assert "<title><![CDATA[Ingénieur ]]]]><![CDATA[> <script>alert(1)</script>" in raw
    assert got.find("title/script") is None and list(got.find("title")) == []

    other = jobs["Data Analyst"]
    assert other.findtext("city") == "" and other.findtext("country") == "IN"
    assert plain.id in other.findtext("url")


def test_feed_is_cached_with_etag_and_last_modified(app, factory, client):
    _post_indeed(factory, title="Cached")
    first = client.get("/feeds/indeed.xml")
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"]
    again = client.get("/feeds/indeed.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(
        "/feeds/indeed.xml", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304
    _post_indeed(factory, title="Another")
    changed = client.get("/feeds/indeed.xml", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert len(ET.fromstring(changed.data).findall("job")) == 2  # noqa: S314


def test_empty_feed_is_valid_xml(app, client):
    root = ET.fromstring(client.get("/feeds/indeed.xml").data)  # noqa: S314
    assert root.tag == "source" and root.findall("job") == []
