"""RQ jobs and their enqueue helpers, plus the worker and clock entry points."""
