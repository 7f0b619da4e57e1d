"""Exercise `bpe`: byte-pair encoding merges, as SmolLM2's tokenizer applies them.

Run the checks with ctrl+r in the tutor, or `tutor exercise check bpe`.
"""


def bpe_merge(symbols: list[str], ranks: dict[tuple[str, str], int]) -> list[str]:
    """Merge one pre-tokenised word, given as byte symbols (e.g. ['Ġ', 'c', 'a', 't']).

    ranks maps a pair of adjacent symbols to its merge rank: the lower, the earlier it was
    learned. Repeatedly merge the adjacent pair with the lowest rank (every occurrence of it)
    until no adjacent pair has a rank; return the final symbols.
    """
    ...
