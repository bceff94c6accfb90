"""Structure counts of every diagram, and that the rendered figures show what the structure says."""

import re
import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.colors import to_rgba
from matplotlib.patches import FancyArrowPatch

from rnn_book.figures import (
    MATRIX_COLORS,
    bidirectional_graph,
    deep_rnn_graph,
    draw,
    draw_bidirectional,
    draw_deep_rnn,
    draw_evolution,
    draw_structures,
    evolution_graphs,
    figure_texts,
    folded_rnn_graph,
    linked_nets_graph,
    separate_nets_graph,
    structure_graph,
    unrolled_rnn_graph,
)

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _counts(g):
    return (
        g.count("input"),
        g.count("state"),
        g.count("output"),
        len(g.edges_of("U")),
        len(g.edges_of("W")),
        len(g.edges_of("V")),
        len(g.edges_of(None)),
    )


@pytest.mark.parametrize("T", [1, 2, 3, 7])
def test_separate_linked_shared_counts(T):
    sep, linked, shared = separate_nets_graph(T), linked_nets_graph(T), unrolled_rnn_graph(T)
    assert _counts(sep) == (T, T, T, T, 0, T, 0)
    assert _counts(linked) == (T, T, T, T, T - 1, T, 0)
    assert _counts(shared) == (T, T, T, T, T - 1, T, 0)
    # separate nets: one array per step; the RNN: one array per role, whatever T
    assert len(sep.params("U")) == T and len(sep.params("V")) == T
    assert len(linked.params("W")) == T - 1
    assert shared.params() == ({"U", "V", "W"} if T > 1 else {"U", "V"})
    # every label of the unrolled RNN's edges is the same symbol per role
    assert {e.label for e in shared.edges_of("U")} == {"$U$"}
    assert {e.label for e in shared.edges_of("W")} == ({"$W$"} if T > 1 else set())


@pytest.mark.parametrize("T", [2, 3, 6])
def test_parameter_counts_separate_grow_shared_do_not(T):
    D, H, O = 5, 4, 3
    ff, sep, linked, shared, folded = evolution_graphs(T, D, H, O)
    assert ff.parameter_count(D, H, O) == H * D + O * H
    assert sep.parameter_count(D, H, O) == T * (H * D + O * H)
    assert linked.parameter_count(D, H, O) == T * (H * D + O * H) + (T - 1) * H * H
    n_shared = H * D + H * H + O * H
    assert shared.parameter_count(D, H, O) == n_shared == folded.parameter_count(D, H, O)
    # the count printed on each panel is the structure's count
    for g in (ff, sep, linked, shared, folded):
        assert f"{g.parameter_count(D, H, O)} 个权重" in g.texts()


def test_shared_count_matches_the_package_rnn():
    rb = pytest.importorskip("rnn_book")
    D, H, O = 4, 3, 4
    rnn = rb.RNN(D, H, bias=False, seed=0)
    g = unrolled_rnn_graph(5)
    assert g.parameter_count(D, H, O) == rnn.num_parameters() + O * H


def test_folded_rnn_has_a_self_loop_W():
    g = folded_rnn_graph()
    (w,) = g.edges_of("W")
    assert w.src == w.dst == "h"
    assert _counts(g) == (1, 1, 1, 1, 1, 1, 0)


def test_evolution_figure_prints_both_counts():
    fig = draw_evolution(T=3, input_size=4, hidden_size=3, output_size=4)
    texts = figure_texts(fig)
    assert "72 个权重" in texts  # 3 separate nets: 3 (3*4 + 4*3)
    assert "90 个权重" in texts  # linked by 2 more W's: + 2 * 3*3
    assert texts.count("33 个权重") == 2  # shared and folded: 12 + 9 + 12
    assert [ax.get_title() for ax in fig.axes if ax.get_title()] == [
        g.title for g in evolution_graphs()
    ]


EXPECTED = {
    # kind: (inputs, states, outputs, U, W, V, data edges, distinct params) as functions of T
    "one_to_many": lambda T: (1, T, T, T, T - 1, T, 0, 3 if T > 1 else 2),
    "many_to_one": lambda T: (T, T, 1, T, T - 1, 1, 0, 3 if T > 1 else 2),
    "many_to_many": lambda T: (T, T, T, T, T - 1, T, 0, 3 if T > 1 else 2),
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
@pytest.mark.parametrize("T", [1, 2, 4, 9])
def test_structure_counts(kind, T):
    g = structure_graph(kind, T)
    *counts, n_params = EXPECTED[kind](T)
    assert _counts(g) == tuple(counts)
    assert len(g.params()) == n_params


def test_one_to_many_feeds_outputs_back_through_U():
    g = structure_graph("one_to_many", 5)
    for t in range(2, 6):
        preds = {n.id for n in g.predecessors(f"h{t}", "U")}
        assert preds == {f"y{t - 1}"}
    assert {n.id for n in g.predecessors("h1", "U")} == {"x1"}


@pytest.mark.parametrize(("S", "T_out"), [(1, 1), (4, 3), (2, 6)])
def test_encoder_decoder_counts(S, T_out):
    g = structure_graph("encoder_decoder", S, T_out)
    # S inputs plus the decoder's start token; states of both; T' outputs
    assert _counts(g) == (S + 1, S + T_out, T_out, S + T_out, S - 1 + T_out - 1, T_out, 1)
    assert g.params() == {"U_e", "W_e", "U_d", "W_d", "V"} - (
        ({"W_e"} if S == 1 else set()) | ({"W_d"} if T_out == 1 else set())
    )
    (ctx,) = g.edges_of(None)
    assert (ctx.src, ctx.dst, ctx.label) == (f"h{S}", "s1", "$c$")


def test_structures_reject_bad_input():
    with pytest.raises(ValueError, match="kind"):
        structure_graph("two_to_two", 3)
    with pytest.raises(ValueError, match="T"):
        structure_graph("many_to_many", 0)
    with pytest.raises(ValueError, match="T_out"):
        structure_graph("encoder_decoder", 3, 0)


@pytest.mark.parametrize(("T", "L"), [(1, 1), (3, 2), (5, 4)])
def test_deep_rnn_counts(T, L):
    g = deep_rnn_graph(T, L)
    assert _counts(g) == (T, L * T, T, L * T, L * (T - 1), T, 0)
    assert len(g.params()) == (2 * L + 1 if T > 1 else L + 1)
    for layer in range(2, L + 1):
        for t in range(1, T + 1):
            (below,) = g.predecessors(f"h{layer}_{t}", "U")
            assert (below.layer, below.t) == (layer - 1, t)
    assert any(f"$h^{{({L})}}_{{{T}}}$" == s for s in g.texts())


@pytest.mark.parametrize("T", [1, 3, 4, 6])
def test_bidirectional_aligned_pairs_states_of_the_same_input(T):
    g = bidirectional_graph(T, aligned=True)
    assert _counts(g) == (T, 2 * T, T, 2 * T, 2 * (T - 1), 2 * T, 0)
    for t in range(1, T + 1):
        preds = g.predecessors(f"y{t}", "V")
        assert sorted((n.direction, n.t) for n in preds) == [("backward", t), ("forward", t)]
    # the backward chain runs from T down to 1
    for t in range(1, T):
        (prev,) = g.predecessors(f"b{t}", "W")
        assert prev.t == t + 1


@pytest.mark.parametrize("T", [2, 4, 5])
def test_bidirectional_counterexample_is_misaligned(T):
    g = bidirectional_graph(T, aligned=False)
    assert _counts(g) == (T, 2 * T, T, 2 * T, 2 * (T - 1), 2 * T, 0)
    pairs = []
    for k in range(1, T + 1):
        by_dir = {n.direction: n.t for n in g.predecessors(f"y{k}", "V")}
        pairs.append((by_dir["forward"], by_dir["backward"]))
    assert pairs == [(k, T + 1 - k) for k in range(1, T + 1)]
    assert pairs[0] == (1, T)  # the course figure's x1 / x4 pairing
    assert g.title.startswith("错误")


def _arrow_colors(ax):
    return [to_rgba(p.get_edgecolor()) for p in ax.patches if isinstance(p, FancyArrowPatch)]


@pytest.mark.parametrize(
    "graph",
    [
        unrolled_rnn_graph(4),
        structure_graph("encoder_decoder", 3, 2),
        deep_rnn_graph(3, 3),
        bidirectional_graph(3, False),
    ],
    ids=["unrolled", "enc-dec", "deep", "bi-wrong"],
)
def test_rendering_draws_every_edge_in_its_matrix_colour_and_every_label(graph):
    ax = draw(graph)
    colors = _arrow_colors(ax)
    assert len(colors) == len(graph.edges)
    for matrix, hexcolor in MATRIX_COLORS.items():
        assert colors.count(to_rgba(hexcolor)) == len(graph.edges_of(matrix))
    texts = figure_texts(ax.figure)
    for s in graph.texts():
        assert s in texts
    # Chinese titles/notes, never mixed with mathtext in one string (mathtext has no CJK glyphs)
    assert any(CJK.search(s) for s in texts)
    assert not any(CJK.search(s) and "$" in s for s in texts)


def test_one_colour_per_role_in_every_figure():
    figs = [draw_evolution(), draw_structures(), draw_deep_rnn(), draw_bidirectional()]
    allowed = {to_rgba(c) for c in MATRIX_COLORS.values()} | {to_rgba("#666666")}
    for fig in figs:
        colors = {c for ax in fig.axes for c in _arrow_colors(ax)}
        assert colors <= allowed
        assert to_rgba(MATRIX_COLORS["U"]) in colors and to_rgba(MATRIX_COLORS["V"]) in colors
        texts = figure_texts(fig)
        assert any(CJK.search(s) for s in texts)
        assert not any(CJK.search(s) and "$" in s for s in texts)
        # no mathtext parse failure and no missing glyph: the figure renders to pixels
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fig.canvas.draw()
        assert np.asarray(fig.canvas.buffer_rgba()).std() > 0


@pytest.mark.parametrize(
    ("kwargs", "n_weight_arrays"),
    [({}, 2), ({"num_layers": 3}, 6), ({"bidirectional": True}, 4)],
)
@pytest.mark.parametrize("cell", ["RNN", "LSTM", "GRU"])
def test_graph_for_a_layer_has_one_array_per_weight_of_the_layer(cell, kwargs, n_weight_arrays):
    import rnn_book as rb
    from rnn_book.figures import graph_for

    layer = getattr(rb, cell)(4, 3, seed=0, **kwargs)
    weights = [k for k in layer.params if k.startswith("weight")]
    assert len(weights) == n_weight_arrays
    g = graph_for(layer, T=5)
    assert len(g.params() - {"V"}) == n_weight_arrays
    assert g.count("input") == 5 and g.count("output") == 5


def test_graph_for_rejects_what_it_cannot_draw():
    import rnn_book as rb
    from rnn_book.figures import graph_for

    with pytest.raises(ValueError, match="bidirectional"):
        graph_for(rb.RNN(4, 3, num_layers=2, bidirectional=True, seed=0))
    with pytest.raises(TypeError, match="layer"):
        graph_for(object())
