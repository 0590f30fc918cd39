"""The suite's self-check: the contract suite pointed by URL at seeded faults of the mock (each must
fail the check it names) and at correct variants (each must pass). It proves the suite's power, so it
lives outside the installed package and outside ``tests/``. ``python -m selfcheck``; ``./run selfcheck``.

    runner     the command: serve each variant, run the suite against it, write the report
    outcomes   a variant, the columns it is run in, and a run's verdict
    report     the markdown table (SELFCHECK.md) and its header
    baseline   plain ``st run`` on the same server, for comparison (``--baseline``)
    suite_run  the one way project tools run the suite in a child process
    faults     the fault corpus, one module per area of the contract, and the correct variants
"""
