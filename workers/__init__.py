"""The RQ process layer: ``jobsmgmt worker`` (an RQ worker bound to one app) and
``jobsmgmt scheduler`` (rq-scheduler registrations of ``jobsmgmt.schedule.SCHEDULE``).

It imports the app package; nothing in ``jobsmgmt`` imports it. Its commands reach the
``jobsmgmt`` CLI through the ``flask.commands`` entry points in setup.cfg.
"""
