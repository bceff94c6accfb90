"""Letter bitmaps used as Hopfield patterns (5 x 5 pixels, +1 ink, -1 paper)."""

from __future__ import annotations

import numpy as np

__all__ = ["LETTERS", "letter_patterns"]


# 7x7 bitmaps drawn by hand; '#' is +1, '.' is -1. Letters chosen to be fairly distinct.
LETTERS = {
    "H": ["#.....#", "#.....#", "#.....#", "#######", "#.....#", "#.....#", "#.....#"],
    "O": [".#####.", "#.....#", "#.....#", "#.....#", "#.....#", "#.....#", ".#####."],
    "P": ["######.", "#.....#", "#.....#", "######.", "#......", "#......", "#......"],
    "F": ["#######", "#......", "#......", "#####..", "#......", "#......", "#......"],
    "T": ["#######", "...#...", "...#...", "...#...", "...#...", "...#...", "...#..."],
    "X": ["#.....#", ".#...#.", "..#.#..", "...#...", "..#.#..", ".#...#.", "#.....#"],
    "L": ["#......", "#......", "#......", "#......", "#......", "#......", "#######"],
    "Z": ["#######", ".....#.", "....#..", "...#...", "..#....", ".#.....", "#######"],
}


def letter_patterns(letters: str = "HTX") -> np.ndarray:
    """The 7x7 bitmaps of ``letters`` as +-1 patterns, shape (len(letters), 49)."""
    unknown = [c for c in letters if c not in LETTERS]
    if unknown or not letters:
        raise ValueError(
            f"letters: expected a non-empty string of {''.join(LETTERS)}, got {letters!r}"
        )
    rows = [
        np.array([[1.0 if ch == "#" else -1.0 for ch in line] for line in LETTERS[c]])
        for c in letters
    ]
    return np.stack([r.reshape(-1) for r in rows])
