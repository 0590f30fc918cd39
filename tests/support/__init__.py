"""Helpers the project's own tests share: servers with misbehaviours the mock never shows."""
