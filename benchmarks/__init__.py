"""Benchmarks: the mock, Prism and a bare endpoint under the same load; the suite's own pace.

    benchmarks
    ├── serving     throughput, latency, CPU, RSS and start-up, side by side (wrk)
    ├── suite       the contract suite (``ci`` profile) against plain ``st run`` on the same spec
    ├── bare_app    the practical ceiling: a Starlette endpoint on the mock's stack echoing one token
    ├── rss_probe   the mock's RSS over a long run (a million requests by default)
    └── processes   starting, measuring (``/proc``) and stopping the servers; driving wrk

Scripts print figures; nothing here asserts a time.
"""
