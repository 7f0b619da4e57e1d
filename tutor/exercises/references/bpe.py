"""Reference solution for `bpe`."""


def bpe_merge(symbols: list[str], ranks: dict[tuple[str, str], int]) -> list[str]:
    parts = list(symbols)
    while len(parts) > 1:
        ranked = [ranks[pair] for pair in zip(parts, parts[1:], strict=False) if pair in ranks]
        if not ranked:
            break
        best = min(ranked)
        merged: list[str] = []
        i = 0
        while i < len(parts):
            if i + 1 < len(parts) and ranks.get((parts[i], parts[i + 1])) == best:
                merged.append(parts[i] + parts[i + 1])
                i += 2
            else:
                merged.append(parts[i])
                i += 1
        parts = merged
    return parts
