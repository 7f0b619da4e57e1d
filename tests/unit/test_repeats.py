"""`repeats`: the output ends in one span of tokens repeated at least three times in a row."""

from __future__ import annotations

import pytest

from tutor.engine.repeats import ends_in_loop


@pytest.mark.parametrize(("ids", "expected"), [
    ([1, 2, 3, 1, 2, 3, 1, 2, 3], True),
    ([9, 9, 4, 5, 4, 5, 4, 5], True),
    ([7, 7, 7], True),
    ([7, 7], False),  # twice is not a loop yet
    ([1, 2, 1, 2], False),
    ([1, 2, 3, 1, 2, 3, 1, 2, 4], False),  # the loop broke at the end
    ([1, 2, 3, 4, 5, 6], False),
    ([], False),
])
def test_ends_in_loop(ids: list[int], expected: bool) -> None:
    assert ends_in_loop(ids) is expected
