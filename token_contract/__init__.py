"""The contract suite's machinery: the spec as data, targets, redaction, reports and strategies.

The test families under ``tests/contract`` import from here; so do the self-check and replay tools.
"""
