"""Helpers for published FPS clients that need a hand on today's Python (not used by the sandbox itself)."""
