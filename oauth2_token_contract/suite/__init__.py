"""The contract suite: the client that talks to a target, the checks, strategies, plan and report.

The test families (``families``) and the plugin import from here; so do the self-check and replay.
"""
