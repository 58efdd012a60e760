"""Carrier KPIs: per-parcel facts from plain records, additive daily tallies, figures against targets.

The computing modules (records, facts, tally, periods, definitions, report, charts) are pure: no Flask,
no SQLAlchemy. store.py reads the database into plain records and keeps the pre-aggregated rows current.
"""
