"""Benchmarks (not tests): route ingestion, dispatch and threshold-to-provider latency.

Run them all with `make bench` (= `python -m bench.run_all`); see bench/README.md.
"""
