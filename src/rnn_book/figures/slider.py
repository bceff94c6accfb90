"""A slider over precomputed results that works with and without a kernel.

Every frame is computed in Python before the page is built; the slider's ``index`` is
``jslink``-ed to a ``Stack``'s ``selected_index``, so the browser switches frames by itself
in the static HTML book (no Python callback is needed), and a live kernel behaves the same.
"""

from __future__ import annotations

import html

__all__ = ["frame_slider", "text_frame"]


def text_frame(lines, size: int = 20) -> str:
    """Lines of text as one HTML block (escaped), for a frame of ``frame_slider``."""
    body = "<br>".join(html.escape(str(line)) for line in lines)
    return f'<div style="font-size:{size}px; line-height:1.6; padding:6px 0">{body}</div>'


def frame_slider(labels, frames, description: str, value_index: int = 0):
    """A SelectionSlider over ``labels`` showing the HTML ``frames[k]`` for label k.

    labels : list of str (what the slider shows); frames : list of HTML strings, same length.
    Returns an ipywidgets VBox (displayed when it is a cell's last value).
    """
    import ipywidgets as w

    labels, frames = list(labels), list(frames)
    if len(labels) != len(frames) or not labels:
        raise ValueError(
            f"labels, frames: expected two non-empty lists of equal length, "
            f"got {len(labels)} and {len(frames)}"
        )
    slider = w.SelectionSlider(
        options=[(str(lab), k) for k, lab in enumerate(labels)],
        value=value_index,
        description=description,
        style={"description_width": "initial"},
        layout=w.Layout(width="520px"),
    )
    stack = w.Stack([w.HTML(f) for f in frames], selected_index=value_index)
    box = w.VBox([slider, stack])
    box._link = w.jslink((slider, "index"), (stack, "selected_index"))  # keep the link alive
    return box
