"""The unroll widget: its frames are the package's forward passes, U/W/V are the RNN's arrays."""

import json
import re

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.figures import UnrollWidget, unroll_widget
from rnn_book.figures.style import MATRIX_COLORS

TEXT = "hello"


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _one_hot(text, vocab):
    x = np.zeros((len(text), 1, len(vocab)))
    for t, ch in enumerate(text):
        x[t, 0, vocab.index(ch)] = 1.0
    return x


def _reference(rnn, scale, T, V, c, h0=None):
    """An independent RNN with W scaled, run on the first T characters."""
    ref = rb.RNN(rnn.input_size, rnn.hidden_size, seed=123)
    for name, p in rnn.params.items():
        ref.params[name] = p.copy()
    ref.params["weight_hh_l0"] = scale * rnn.params["weight_hh_l0"]
    vocab = sorted(set(TEXT))
    h0 = None if h0 is None else h0[None, None, :]
    out, h_n = ref.forward(_one_hot(TEXT[:T], vocab), h0)
    h = out[:, 0]
    np.testing.assert_array_equal(h[-1], h_n[0, 0])
    y = h @ V.T + c
    return h, y, _softmax(y)


@pytest.fixture
def rnn():
    return rb.RNN(4, 3, seed=7)


def _arrow_count(svg, matrix):
    return len(re.findall(f'<line [^>]*stroke="{MATRIX_COLORS[matrix]}"', svg))


def test_frames_equal_forward_passes(rnn):
    wd = UnrollWidget(rnn, TEXT, scales=(0.0, 1.0, 2.5))
    for k, s in enumerate(wd.scales):
        for T in range(1, 6):
            h_ref, y_ref, p_ref = _reference(rnn, s, T, wd.V, wd.c)
            for t in range(1, 6):
                d = wd.frame_data(k, T, t)
                n = min(t, T)
                np.testing.assert_allclose(d["h"], h_ref[:n], rtol=0, atol=1e-14)
                np.testing.assert_allclose(d["y"], y_ref[:n], rtol=0, atol=1e-14)
                np.testing.assert_allclose(d["p"], p_ref[:n], rtol=0, atol=1e-14)
                html = wd.frame_html(k, T, t)
                vec = "[" + ", ".join(f"{v:+.2f}" for v in h_ref[n - 1]) + "]"
                assert f"h{n} = tanh(U x{n} + W h{n - 1} + b) = {vec}" in html
                # the unrolled graph of T steps: T U arrows, T-1 W arrows, T V arrows
                counts = [_arrow_count(html, m) for m in "UWV"]
                assert counts == [T, T - 1, T]
                assert f"参数个数 {wd.num_parameters()}，与 T 无关" in html


def test_scale_changes_every_later_step_but_not_the_first_from_zero_state(rnn):
    wd = UnrollWidget(rnn, TEXT, scales=(0.5, 1.0))
    h_half, h_one = wd.frame_data(0, 5, 5)["h"], wd.frame_data(1, 5, 5)["h"]
    np.testing.assert_array_equal(h_half[0], h_one[0])  # h_1 = tanh(U x_1 + b): no W
    assert np.all(np.abs(h_half[1:] - h_one[1:]).max(axis=1) > 1e-6)


def test_matrices_are_the_rnns_own_arrays_not_copies(rnn):
    wd = unroll_widget(rnn, TEXT)
    assert wd.U is rnn.params["weight_ih_l0"]
    assert wd.W is rnn.params["weight_hh_l0"]
    assert wd.num_parameters() == rnn.num_parameters() + wd.V.size + wd.c.size == 12 + 9 + 6 + 16
    mats = wd.matrices_html(wd.scales.index(1.0))
    assert f"{wd.U[0, 0]:+.2f}" in mats and f"{wd.W[2, 2]:+.2f}" in mats
    assert rnn._cache is None  # the widget ran forward on a shallow copy


def test_live_entry_edits_W_in_place_and_recomputes_every_step(rnn):
    h0 = np.array([0.3, -0.2, 0.1])
    wd = UnrollWidget(rnn, TEXT, h0=h0, live_entry=(1, 2))
    box = wd.box
    W = rnn.params["weight_hh_l0"]
    k1 = wd.scales.index(1.0)
    before = wd.frame_data(k1, 5, 5)["h"].copy()
    old_html = wd._frames[(k1, 5, 5)].value
    wd.entry_slider.value = 1.5  # what the observer does in a live kernel
    assert W[1, 2] == 1.5 and rnn.params["weight_hh_l0"] is W
    after = wd.frame_data(k1, 5, 5)["h"]
    assert np.all(np.abs(after - before).max(axis=1) > 1e-6)  # every step, h0 != 0
    h_ref, _, _ = _reference(rnn, 1.0, 5, wd.V, wd.c, h0)
    np.testing.assert_allclose(after, h_ref, rtol=0, atol=1e-14)
    assert wd._frames[(k1, 5, 5)].value != old_html
    assert box is wd.box


def test_widget_tree_links_and_descriptions(rnn):
    import ipywidgets as w

    wd = UnrollWidget(rnn, TEXT, scales=(0.0, 1.0, 2.0))
    box = wd.box
    K, Tm = 3, 5
    assert len(wd.scale_stack.children) == K
    assert len(wd._frames) == K * Tm * Tm
    assert len(wd._links) == 1 + K + K * Tm  # scale -> 1 stack, T -> K stacks, t -> K*T
    for link in wd._links:
        assert isinstance(link, w.widgets.widget_link.Link)
        assert link.source[1] in ("index",) and link.target[1] == "selected_index"
    for ctl in (wd.t_slider, wd.T_slider, wd.scale_slider, wd.entry_slider):
        assert ctl.description.strip()
    # the initial selection agrees with the sliders (jslink syncs only on change)
    assert wd.scale_stack.selected_index == wd.scale_slider.index == 1
    for per_scale in wd.scale_stack.children:
        T_stack = per_scale.children[1]
        assert T_stack.selected_index == wd.T_slider.index == Tm - 1
        for t_stack in T_stack.children:
            assert len(t_stack.children) == Tm
            assert t_stack.selected_index == wd.t_slider.index == 0
    assert box.children[0] is wd.t_slider


def test_embedded_state_is_small_and_holds_the_links(rnn):
    from ipywidgets.embed import dependency_state, embed_data

    wd = UnrollWidget(rnn, TEXT)
    # a notebook stores the state of every live widget, the links included
    state = embed_data(views=[wd.box])["manager_state"]["state"]
    for link in wd._links:
        assert state[link.model_id]["model_name"] == "LinkModel"
    ours = dependency_state(wd.box)
    ours.update({link.model_id: state[link.model_id] for link in wd._links})
    size = len(json.dumps(ours))
    assert size < 1_500_000, size


def test_head_supplies_V_and_outputs(rnn):
    class Head:  # duck type of rb.Linear(H, O)
        def __init__(self):
            rng = np.random.default_rng(0)
            self.params = {"weight": rng.normal(size=(4, 3)), "bias": rng.normal(size=4)}

        def forward(self, h):
            return h @ self.params["weight"].T + self.params["bias"]

    head = Head()
    wd = UnrollWidget(rnn, TEXT, head=head)
    assert wd.V is head.params["weight"]
    _, y_ref, _ = _reference(rnn, 1.0, 5, head.params["weight"], head.params["bias"])
    np.testing.assert_allclose(wd.frame_data(wd.scales.index(1.0), 5, 5)["y"], y_ref, atol=1e-14)


def test_array_inputs(rnn):
    x = np.random.default_rng(1).normal(size=(3, 4))
    wd = UnrollWidget(rnn, x)
    out, _ = rnn.forward(x[:, None, :])
    np.testing.assert_allclose(
        wd.frame_data(wd.scales.index(1.0), 3, 3)["h"], out[:, 0], atol=1e-14
    )


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"inputs": "world"}, ValueError, "input_size"),
        ({"inputs": "abcdefghij"}, ValueError, "1..8"),
        ({"inputs": np.zeros((3, 5))}, ValueError, r"\(3, 5\)"),
        ({"scales": (0.5, 2.0)}, ValueError, "scales"),
        ({"V": np.zeros((4, 2))}, ValueError, "V"),
        ({"h0": np.zeros(4)}, ValueError, "h0"),
        ({"live_entry": (3, 0)}, ValueError, "live_entry"),
    ],
)
def test_bad_input(rnn, kwargs, exc, match):
    kwargs = {"inputs": TEXT, **kwargs}
    with pytest.raises(exc, match=match):
        UnrollWidget(rnn, **kwargs)


def test_rejects_models_it_cannot_draw():
    with pytest.raises(ValueError, match="num_layers"):
        UnrollWidget(rb.RNN(4, 3, num_layers=2, seed=0), TEXT)
    with pytest.raises(ValueError, match="plain RNN"):
        UnrollWidget(rb.GRU(4, 3, seed=0), TEXT)
    with pytest.raises(TypeError, match="rnn"):
        UnrollWidget(object(), TEXT)
