"""Folk tunes in the public domain, written as scale-degree tokens (the one-to-many melody task).

Each token is a scale degree 1..7 of C major with octave marks and a duration; ``END``
closes a tune. The tunes are well-known traditional melodies, typed from memory of their
public-domain scores; see ``TUNES`` for the list.
"""

from __future__ import annotations

__all__ = ["END", "TUNES"]


#: Token that closes a tune.
END = "|"


#: Tune name -> the tune as space-separated tokens, scale degree and duration.
#:
#: :meta hide-value:
TUNES = {
    # 小星星 / "Ah! vous dirai-je, maman", French folk song, 18th century
    "twinkle": "1:2 1:2 5:2 5:2 6:2 6:2 5:4 4:2 4:2 3:2 3:2 2:2 2:2 1:4 "
    "5:2 5:2 4:2 4:2 3:2 3:2 2:4 5:2 5:2 4:2 4:2 3:2 3:2 2:4 "
    "1:2 1:2 5:2 5:2 6:2 6:2 5:4 4:2 4:2 3:2 3:2 2:2 2:2 1:4",
    # 欢乐颂 / "Ode to Joy", L. van Beethoven, Symphony No. 9 (1824), the theme
    "ode_to_joy": "3:2 3:2 4:2 5:2 5:2 4:2 3:2 2:2 1:2 1:2 2:2 3:2 3:3 2:1 2:4 "
    "3:2 3:2 4:2 5:2 5:2 4:2 3:2 2:2 1:2 1:2 2:2 3:2 2:3 1:1 1:4 "
    "2:2 2:2 3:2 1:2 2:2 3:1 4:1 3:2 1:2 2:2 3:1 4:1 3:2 2:2 1:2 2:2 5,:4 "
    "3:2 3:2 4:2 5:2 5:2 4:2 3:2 2:2 1:2 1:2 2:2 3:2 2:3 1:1 1:4",
    # 两只老虎 / "Frère Jacques", French folk song, 18th century
    "frere_jacques": "1:2 2:2 3:2 1:2 1:2 2:2 3:2 1:2 3:2 4:2 5:4 3:2 4:2 5:4 "
    "5:1 6:1 5:1 4:1 3:2 1:2 5:1 6:1 5:1 4:1 3:2 1:2 1:2 5,:2 1:4 1:2 5,:2 1:4",
    # "Mary Had a Little Lamb", melody as published by Lowell Mason (about 1830)
    "mary": "3:2 2:2 1:2 2:2 3:2 3:2 3:4 2:2 2:2 2:4 3:2 5:2 5:4 "
    "3:2 2:2 1:2 2:2 3:2 3:2 3:2 3:2 2:2 2:2 3:2 2:2 1:8",
    # "London Bridge Is Falling Down", traditional nursery rhyme
    "london_bridge": "5:3 6:1 5:2 4:2 3:2 4:2 5:4 2:2 3:2 4:4 3:2 4:2 5:4 "
    "5:3 6:1 5:2 4:2 3:2 4:2 5:4 2:4 5:4 3:2 1:6",
    # "Jingle Bells", J. L. Pierpont (1857), the chorus
    "jingle_bells": "3:2 3:2 3:4 3:2 3:2 3:4 3:2 5:2 1:3 2:1 3:8 "
    "4:2 4:2 4:3 4:1 4:2 3:2 3:2 3:1 3:1 3:2 2:2 2:2 3:2 2:4 5:4 "
    "3:2 3:2 3:4 3:2 3:2 3:4 3:2 5:2 1:3 2:1 3:8 "
    "4:2 4:2 4:2 4:2 4:2 3:2 3:2 3:1 3:1 5:2 5:2 4:2 2:2 1:8",
    # 送别: the tune of J. P. Ordway's "Dreaming of Home and Mother" (1851)
    "farewell": "5:2 3:1 5:1 1':4 6:2 1':2 5:4 5:2 1:1 2:1 3:2 2:1 1:1 2:8 "
    "5:2 3:1 5:1 1':3 7:1 6:2 1':2 5:4 5:2 2:1 3:1 4:3 7,:1 1:8 "
    "6:2 1':2 1':4 7:2 6:1 7:1 1':4 6:1 7:1 1':1 6:1 6:1 5:1 3:1 1:1 2:8 "
    "5:2 3:1 5:1 1':3 7:1 6:2 1':2 5:4 5:2 2:1 3:1 4:3 7,:1 1:8",
}
