"""A strength hint for a new passphrase: guidance, not a gate (the gate is the length)."""

from __future__ import annotations

import math
import string

MIN_LENGTH = 10


def estimate_bits(passphrase: str) -> float:
    """A rough upper bound: length x log2(alphabet in use). Words beat symbols."""
    pools = 0
    if any(c in string.ascii_lowercase for c in passphrase):
        pools += 26
    if any(c in string.ascii_uppercase for c in passphrase):
        pools += 26
    if any(c in string.digits for c in passphrase):
        pools += 10
    if any(c in string.punctuation or c == " " for c in passphrase):
        pools += 33
    if any(ord(c) > 127 for c in passphrase):
        pools += 100
    if not pools:
        return 0.0
    # Repeated characters add little: count distinct ones more than repeats.
    distinct = len(set(passphrase))
    effective = distinct + (len(passphrase) - distinct) * 0.25
    return effective * math.log2(pools)


def passphrase_feedback(passphrase: str) -> str:
    if len(passphrase) < MIN_LENGTH:
        return f"Too short: {len(passphrase)} of at least {MIN_LENGTH} characters."
    bits = estimate_bits(passphrase)
    if bits < 50:
        return "Weak: add more words or characters (four or more unrelated words work well)."
    if bits < 75:
        return "Fair: one or two more words would make it strong."
    return "Strong."
