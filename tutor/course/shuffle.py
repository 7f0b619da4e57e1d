"""The order a learner sees a quiz's choices in: shuffled per learner, stable for them.

Seeded by the learner id kept in the progress store plus the lesson and step ids, so the
same learner sees the same order after a restart, another learner another order, and
the right answer's authored position gives nothing away. Answers are saved by choice id,
never by position, so a changed order (a reset id, an edited lesson) restores them right.
"""

from __future__ import annotations

import hashlib
import random


def choice_order(learner_id: str, lesson_id: str, step_id: str, count: int) -> list[int]:
    """Authored choice indices in the order this learner sees them."""
    digest = hashlib.sha256(f"{learner_id}\0{lesson_id}\0{step_id}".encode()).digest()
    order = list(range(count))
    random.Random(int.from_bytes(digest[:8], "big")).shuffle(order)
    return order
