"""The Indeed XML job feed (``GET /feeds/indeed.xml``): every open job with a live Indeed
posting, in Indeed's feed format (``<source>`` → ``<job>`` elements, values in CDATA)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..database import set_write_intent
from ..models import Job, JobExternalPosting, utcnow
from . import postings

JOB_TYPES = {
    "full_time": "fulltime",
    "part_time": "parttime",
    "contract": "contract",
    "internship": "internship",
    "temporary": "temporary",
}
# Characters XML 1.0 cannot carry at all (not even in CDATA).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def cdata(value) -> str:
    """``value`` as CDATA: ``]]>`` split across two sections, impossible characters dropped."""
    text = _NOT_XML.sub("", "" if value is None else str(value))
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _where(now: datetime):
    return (
        Job.deleted_at.is_(None),
        Job.status == "open",
        JobExternalPosting.portal == "indeed",
        JobExternalPosting.status.in_(postings.LIVE_STATUSES),
        or_(JobExternalPosting.expires_at.is_(None), JobExternalPosting.expires_at > now),
    )


@dataclass(frozen=True)
class FeedVersion:
    token: str
    last_modified: datetime | None


def feed_version(session: Session) -> FeedVersion:
    """A cheap fingerprint of the feed's content (count and latest change of its jobs and
    postings) for ``ETag`` and ``Last-Modified``."""
    now = utcnow()
    count, job_changed, posting_changed = session.execute(
        select(func.count(), func.max(Job.updated_at), func.max(JobExternalPosting.updated_at))
        .select_from(Job)
        .join(JobExternalPosting, JobExternalPosting.job_id == Job.id)
        .where(*_where(now))
    ).one()
    moments = [m for m in (job_changed, posting_changed) if m is not None]
    latest = max(moments) if moments else None
    if latest is not None and latest.tzinfo is None:
        from datetime import UTC

        latest = latest.replace(tzinfo=UTC)
    raw = f"{count}|{latest.isoformat() if latest else ''}"
    return FeedVersion(hashlib.sha256(raw.encode()).hexdigest()[:32], latest)


def _location(location: str) -> tuple[str, str]:
    if "," in (location or ""):
        city, country = location.rsplit(",", 1)
        return city.strip(), country.strip()
    return "", (location or "").strip()


def indeed_xml(engine: Engine, *, base_url: str, company: str) -> Iterator[str]:
    """The feed, yielded a job at a time while the database is read in batches, on a session
    of its own (the response is streamed after the request's context has ended)."""
    set_write_intent(False)  # a read: never SQLite's write lock
    with Session(engine) as session:
        yield from _xml(session, base_url=base_url, company=company)


def _xml(session: Session, *, base_url: str, company: str) -> Iterator[str]:
    now = utcnow()
    yield '<?xml version="1.0" encoding="utf-8"?>\n<source>\n'
    yield f"<publisher>{cdata(company)}</publisher>\n"
    yield f"<publisherurl>{cdata(base_url + '/careers')}</publisherurl>\n"
    yield f"<lastBuildDate>{cdata(format_datetime(now, usegmt=True))}</lastBuildDate>\n"
    rows = session.execute(
        select(Job, JobExternalPosting)
        .join(JobExternalPosting, JobExternalPosting.job_id == Job.id)
        .where(*_where(now))
        .order_by(Job.published_at.desc(), Job.id)
        .execution_options(yield_per=200)
    )
    for job, posting in rows:
        city, country = _location(
            (posting.meta or {}).get("overrides", {}).get("location") or job.location
        )
        overrides = (posting.meta or {}).get("overrides") or {}
        published = job.published_at or posting.created_at
        fields = {
            "title": overrides.get("title") or job.title,
            "date": format_datetime(published, usegmt=True),
            "referencenumber": (posting.meta or {}).get("key") or posting.id,
            "url": f"{base_url}/careers/{job.id}/apply?source=indeed",
            "company": company,
            "city": city,
            "country": country,
            "description": overrides.get("description") or job.description,
            "jobtype": JOB_TYPES.get(job.employment_type, "fulltime"),
            "expirationdate": format_datetime(posting.expires_at, usegmt=True)
            if posting.expires_at
            else "",
        }
        yield (
            "<job>\n" + "".join(f"<{k}>{cdata(v)}</{k}>\n" for k, v in fields.items()) + "</job>\n"
        )
    yield "</source>\n"
