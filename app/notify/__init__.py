"""The notification domain: which text a recipient gets, when, and in what words.

Plain Python (stdlib, jinja2, zoneinfo): no Flask, Redis, database or SDK imports.
- policy       ShipmentState -> [Decision]: which kind, urgent or not, how long valid
- windows      ETA -> narrowed window, minutes away, lateness, local time formatting
- quiet_hours  when a non-urgent text must wait for the morning
- templates    Jinja2 texts in sms_templates/<language>/<kind>.txt, shop overrides
- segments     GSM-7 / UCS-2 segment counting and GSM-7-friendly punctuation
"""
