"""The benchmark: corpus generators (corpora/), the runner (runner.py), the report (report.py), and the command
that ties them together (benchmark.py)."""
