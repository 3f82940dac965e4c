"""Rencontres: the national event where territories' needs meet structures' solutions.

- :mod:`registrations`: the two registration lists (CSV/XLSX as form tools export them), their columns mapped
  once, every row accepted or rejected with its reason;
- :mod:`pairs`: the score of every territory × structure pair (0-100) with its reasons in words;
- :mod:`schedule`: the meetings chosen by an optimisation (HiGHS) and placed in the time slots;
- :mod:`plan`: the whole computation from two frames to a plan (what the CLI and the page call);
- :mod:`documents`: agendas (PDF, .ics), the schedule (XLSX), the map of the pairs, what the event lacks;
- :mod:`store` (+ ``migrations/``): events kept in a database (SQLite in SENTIERS_HOME, or PostgreSQL);
- who may open the staff page (a password or an identity provider set by the deployment) is
  :mod:`sentiers.access`, shared with the in-app update.
"""
