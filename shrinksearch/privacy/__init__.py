"""Responsible use: forgetting people and pages on request, honouring what authors deleted,
and pseudonymised commenters.

- ``keys``: the installation secret (kept in the privacy directory, never in the index) and
  the keyed hashes and pseudonyms derived from it;
- ``identity``: who and what a record, a document or a line of any data file is about;
- ``tombstones``: the store of what was forgotten (salted hashes only) and the ``Matcher``
  every stage asks before it keeps a record;
- ``selectors``: a ``forget`` request (author, blog, URL) resolved to hashes and an
  Elasticsearch query;
- ``index`` / ``datadir``: removing what matches from every index version and from every file
  under the data directory;
- ``forget``: the command itself (also run by the ``forget`` flow), ``--list`` and ``--undo``,
  with the audit log;
- ``deletions``: what the crawlers found deleted upstream, applied the same way;
- ``pseudonyms``: commenters' names and addresses replaced at clean time (opt-in).
"""
