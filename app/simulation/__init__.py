"""Replaying delivery days: a generator of realistic noisy days, a day file format, the replay, the scorecard.

`day` and `generator` and `scorecard` are pure; `replay` runs a day through the real app under a virtual clock.
"""
