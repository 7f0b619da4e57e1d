"""Text as tokens arrive: each token's piece as a learner sees it, and the text it adds.

A byte-level BPE model can split one character over several tokens (an emoji, a Hangul
syllable); their pieces alone are not text. `Detokenizer.add` returns what each token adds
to the decoded text: nothing while a character is incomplete, then the whole character.
Joined, the additions are exactly the decoding of all the tokens, without decoding the
whole text again at every step: only a window from the last complete point is decoded
(the method of Hugging Face's text-generation-inference and vLLM).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Decode = Callable[[list[int]], str]


class Detokenizer:
    def __init__(self, decode: Decode, skip: Iterable[int] = ()) -> None:
        self.decode = decode
        self.skip = set(skip)  # ids that add no text (end of sequence, padding)
        self.ids: list[int] = []
        self.prefix = 0  # decoding starts here: one token before the text already given out
        self.read = 0  # the tokens whose text has been given out end here

    def add(self, token_id: int) -> str:
        """The text `token_id` adds ("" while the character it starts is incomplete)."""
        if token_id in self.skip:
            return ""
        self.ids.append(token_id)
        before = self.decode(self.ids[self.prefix:self.read])
        after = self.decode(self.ids[self.prefix:])
        if len(after) <= len(before) or after.endswith("\ufffd"):
            return ""
        self.prefix, self.read = self.read, len(self.ids)
        return after[len(before):]

    def text(self, ids: Iterable[int]) -> str:
        """All the text `ids` add, then whatever is still held (`add` for each, `flush`)."""
        return "".join(self.add(i) for i in ids) + self.flush()

    def flush(self) -> str:
        """What the tokens still held add, once no more come (an incomplete character is
        shown as the replacement character, as a full decode shows it)."""
        before = self.decode(self.ids[self.prefix:self.read])
        after = self.decode(self.ids[self.prefix:])
        self.prefix = self.read = len(self.ids)
        return after[len(before):]
