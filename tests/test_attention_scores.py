"""Attention scores (Luong dot/general/concat, Bahdanau additive): gradient checks, PyTorch
parity, exact masking of <pad>, the step interface, and bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import rnn_book as rb
from rnn_book.attention import SCORES, AttentionSeq2Seq, BahdanauSeq2Seq, DecoderState

TOL = 1e-7
PARITY = 1e-10
SV, TV, H, E = 6, 5, 4, 3  # source / target vocabularies, hidden size, embedding width
S, T, B = 5, 4, 3


def _randomise(model, rng):
    """Nonzero biases, embeddings and attention weights of order 1: attention far from uniform."""
    for name, p in model.params.items():
        if "bias" in name or "embedding" in name:
            p[...] = rng.normal(size=p.shape)
        elif name.startswith("attn."):
            # order-1 scores; "concat" sums 2H products inside its tanh: smaller, not saturated
            scale = 0.7 if p.ndim == 2 and p.shape[1] == 2 * H else 2.0
            p[...] = rng.normal(scale=scale, size=p.shape)


def _batch(rng, pad_id):
    src = rng.integers(1, SV, size=(S, B))
    if pad_id is not None:
        src[:2, 0] = pad_id  # a left-padded column
        src[-2:, 1] = pad_id  # a right-padded column
    tgt = rng.integers(0, TV, size=(T, B))
    return src, tgt


def _luong(score, cell="gru", pad_id=0, seed=3):
    rng = np.random.default_rng(seed)
    model = AttentionSeq2Seq(
        SV, TV, H, cell=cell, embedding_dim=E, pad_id=pad_id, seed=seed, score=score
    )
    _randomise(model, rng)
    src, tgt = _batch(rng, pad_id)
    if cell == "lstm":
        h0 = (rng.normal(size=(1, B, H)), rng.normal(size=(1, B, H)))
    else:
        h0 = rng.normal(size=(1, B, H))
    return model, src, tgt, h0, rng.normal(size=(T, B, TV))


def _bahdanau(pad_id=0, seed=4):
    rng = np.random.default_rng(seed)
    model = BahdanauSeq2Seq(SV, TV, H, embedding_dim=E, pad_id=pad_id, seed=seed)
    _randomise(model, rng)
    src, tgt = _batch(rng, pad_id)
    return model, src, tgt, rng.normal(size=(T, B, TV))


# ---------------------------------------------------------------------------- gradient checks
@pytest.mark.parametrize("score", SCORES)
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("pad_id", [None, 0])
def test_luong_gradcheck(score, cell, pad_id):
    model, src, tgt, h0, g = _luong(score, cell, pad_id)
    states = h0 if isinstance(h0, tuple) else (h0,)

    def loss():
        return float(np.sum(model.forward(src, tgt, h0) * g))

    model.zero_grad()
    model.forward(src, tgt, h0)
    dh0 = model.backward(g)
    dh0 = dh0 if isinstance(dh0, tuple) else (dh0,)
    arrays = dict(model.params)
    analytic = {k: v.copy() for k, v in model.grads.items()}
    for i, (s, ds) in enumerate(zip(states, dh0)):
        arrays[f"h0[{i}]"], analytic[f"h0[{i}]"] = s, ds
    errors = rb.gradcheck(loss, arrays, analytic)
    bad = {k: e for k, e in errors.items() if not e < TOL}
    assert not bad, bad
    if score != "dot":
        assert all(np.abs(g_).sum() > 0 for k, g_ in model.grads.items() if k.startswith("attn."))


@pytest.mark.parametrize("pad_id", [None, 0])
def test_bahdanau_gradcheck(pad_id):
    model, src, tgt, g = _bahdanau(pad_id)

    def loss():
        return float(np.sum(model.forward(src, tgt) * g))

    model.zero_grad()
    model.forward(src, tgt)
    model.backward(g)
    analytic = {k: v.copy() for k, v in model.grads.items()}
    errors = rb.gradcheck(loss, dict(model.params), analytic)
    bad = {k: e for k, e in errors.items() if not e < TOL}
    assert not bad, bad
    # both encoder directions, the initial-state map and the attention all learn
    for name in ("encoder.weight_hh_l0", "encoder.weight_hh_l0_reverse", "init.weight"):
        assert np.abs(model.grads[name]).sum() > 0, name
    for name in ("attn.W_a", "attn.U_a", "attn.v_a"):
        assert np.abs(model.grads[name]).sum() > 0, name


# ---------------------------------------------------------------------------- torch parity
def _leaves(torch, model, skip):
    return {
        k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for k, v in model.params.items()
        if not k.startswith(skip)
    }


def _torch_luong(torch, model, src, tgt, h0, g):
    """An independent PyTorch re-implementation: logits, dh0 and every gradient by name."""
    P = _leaves(torch, model, ("encoder.", "decoder."))
    enc, dec = rb.to_torch(model.encoder), rb.to_torch(model.decoder)
    if isinstance(h0, tuple):
        h0_t = tuple(torch.tensor(a, requires_grad=True) for a in h0)
    else:
        h0_t = torch.tensor(h0, requires_grad=True)
    s_ids, t_ids = torch.tensor(src), torch.tensor(tgt)
    enc_out, context = enc(P["src_embedding.weight"][s_ids], h0_t)  # (S, B, H)
    dec_out, _ = dec(P["tgt_embedding.weight"][t_ids], context)  # (T, B, H)
    if model.score == "dot":
        scores = torch.einsum("tbh,sbh->tbs", dec_out, enc_out)
    elif model.score == "general":
        scores = torch.einsum("tbh,hk,sbk->tbs", dec_out, P["attn.weight"], enc_out)
    else:  # v_a^T tanh(W_a [s_t; h_i]) with the concatenation written out
        Tn, Sn = dec_out.shape[0], enc_out.shape[0]
        s_part = dec_out[:, :, None, :].expand(Tn, B, Sn, H)
        h_part = enc_out.permute(1, 0, 2)[None].expand(Tn, B, Sn, H)
        both = torch.cat([s_part, h_part], dim=-1)  # (T, B, S, 2H)
        scores = torch.tanh(both @ P["attn.weight"].T) @ P["attn.v_a"]
    if model.pad_id is not None:
        pad = torch.tensor(src == model.pad_id).T[None]  # (1, B, S)
        scores = scores.masked_fill(pad, float("-inf"))
    alpha = torch.softmax(scores, dim=-1)
    ctx = torch.einsum("tbs,sbh->tbh", alpha, enc_out)
    tilde = torch.tanh(
        torch.cat([ctx, dec_out], dim=-1) @ P["combine.weight"].T + P["combine.bias"]
    )
    logits = tilde @ P["head.weight"].T + P["head.bias"]
    (logits * torch.tensor(g)).sum().backward()
    grads = {k: p.grad for k, p in P.items()}
    grads.update({f"encoder.{n}": p.grad for n, p in enc.named_parameters()})
    grads.update({f"decoder.{n}": p.grad for n, p in dec.named_parameters()})
    dh0 = tuple(a.grad for a in h0_t) if isinstance(h0_t, tuple) else h0_t.grad
    return logits.detach().numpy(), alpha.detach().numpy(), dh0, grads


@pytest.mark.parametrize("score", SCORES)
@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("pad_id", [None, 0])
def test_luong_torch_parity(torch, score, cell, pad_id):
    model, src, tgt, h0, g = _luong(score, cell, pad_id)
    model.zero_grad()
    logits = model.forward(src, tgt, h0)
    dh0 = model.backward(g)
    ref_logits, ref_alpha, ref_dh0, ref_grads = _torch_luong(torch, model, src, tgt, h0, g)
    errs = {"logits": np.max(np.abs(logits - ref_logits))}
    errs["alpha"] = np.max(np.abs(model.attention - ref_alpha))
    pairs = zip(dh0, ref_dh0) if isinstance(dh0, tuple) else [(dh0, ref_dh0)]
    for i, (a, b) in enumerate(pairs):
        errs[f"dh0[{i}]"] = np.max(np.abs(a - b.numpy()))
    assert set(ref_grads) == set(model.grads)
    for k, v in model.grads.items():
        errs[k] = np.max(np.abs(v - ref_grads[k].numpy()))
    bad = {k: e for k, e in errs.items() if not e <= PARITY}
    assert not bad, bad


def _torch_bahdanau(torch, model, src, tgt, g):
    P = _leaves(torch, model, ("encoder.", "decoder."))
    enc = rb.to_torch(model.encoder)  # bidirectional GRU
    cell = torch.nn.GRUCell(E + 2 * H, H, dtype=torch.float64)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name).copy_(torch.tensor(model.params[f"decoder.{name}_l0"]))
    s_ids, t_ids = torch.tensor(src), torch.tensor(tgt)
    enc_out, _ = enc(P["src_embedding.weight"][s_ids])  # (S, B, 2H)
    valid = src != model.pad_id if model.pad_id is not None else np.ones(src.shape, bool)
    first = torch.tensor(np.argmax(valid, axis=0))
    h1_bwd = enc_out[first, torch.arange(B), H:]
    s = torch.tanh(h1_bwd @ P["init.weight"].T + P["init.bias"])
    emb = P["tgt_embedding.weight"][t_ids]
    keys = enc_out @ P["attn.U_a"].T
    mask = torch.tensor(~valid)  # (S, B)
    outs, alphas = [], []
    for t in range(tgt.shape[0]):
        e = torch.tanh((s @ P["attn.W_a"].T)[None] + keys) @ P["attn.v_a"]  # (S, B)
        a = torch.softmax(e.masked_fill(mask, float("-inf")), dim=0)
        c = (a[:, :, None] * enc_out).sum(dim=0)  # (B, 2H)
        s = cell(torch.cat([emb[t], c], dim=-1), s)
        outs.append(torch.cat([s, c, emb[t]], dim=-1))
        alphas.append(a.T)
    logits = torch.stack(outs) @ P["head.weight"].T + P["head.bias"]
    (logits * torch.tensor(g)).sum().backward()
    grads = {k: p.grad for k, p in P.items()}
    grads.update({f"encoder.{n}": p.grad for n, p in enc.named_parameters()})
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        grads[f"decoder.{name}_l0"] = getattr(cell, name).grad
    return logits.detach().numpy(), torch.stack(alphas).detach().numpy(), grads


@pytest.mark.parametrize("pad_id", [None, 0])
def test_bahdanau_torch_parity(torch, pad_id):
    model, src, tgt, g = _bahdanau(pad_id)
    model.zero_grad()
    logits = model.forward(src, tgt)
    model.backward(g)
    ref_logits, ref_alpha, ref_grads = _torch_bahdanau(torch, model, src, tgt, g)
    errs = {
        "logits": np.max(np.abs(logits - ref_logits)),
        "alpha": np.max(np.abs(model.attention - ref_alpha)),
    }
    assert set(ref_grads) == set(model.grads)
    for k, v in model.grads.items():
        errs[k] = np.max(np.abs(v - ref_grads[k].numpy()))
    bad = {k: e for k, e in errs.items() if not e <= PARITY}
    assert not bad, bad


# ---------------------------------------------------------------------------- masking
def _spy_encoder_backward(model):
    """Record the gradient that reaches the encoder's output states (S, B, M)."""
    seen = {}
    original = model.encoder.backward

    def spy(dout, *args, **kwargs):
        seen["dout"] = np.array(dout, copy=True)
        return original(dout, *args, **kwargs)

    model.encoder.backward = spy
    return seen


@pytest.mark.parametrize("kind", [*SCORES, "bahdanau"])
def test_padding_gets_exactly_zero_weight_and_zero_gradient(kind):
    if kind == "bahdanau":
        model, src, tgt, g = _bahdanau(0)
        args = (src, tgt)
    else:
        model, src, tgt, _, g = _luong(kind, "gru", 0)
        args = (src, tgt)
    pad = (src == 0).T  # (B, S)
    assert pad.any()
    seen = _spy_encoder_backward(model)
    model.forward(*args)
    a = model.attention
    assert a.shape == (T, B, S)
    np.testing.assert_allclose(a.sum(axis=-1), 1.0, atol=1e-12)
    assert (a[:, pad] == 0.0).all() and (a[:, ~pad] > 0.0).all()
    model.backward(g)
    # every gradient the encoder states receive here comes from the attention (Luong's final
    # state h_S arrives separately through dh_n; Bahdanau's s_0 reads a non-<pad> position)
    dout = seen["dout"]  # (S, B, M)
    assert (dout[pad.T] == 0.0).all()
    assert (np.abs(dout[~pad.T]).sum(axis=-1) > 0).all()
    # the step interface masks the same way
    state = model.init_decoder(src)
    _, _, alpha = model.decode_step(state, np.zeros(B, dtype=np.int64))
    assert (alpha[pad] == 0.0).all()


@pytest.mark.parametrize("kind", [*SCORES, "bahdanau"])
def test_without_pad_id_every_position_gets_weight(kind):
    """With pad_id None the same positions get nonzero weight: the mask is what zeroes them."""
    if kind == "bahdanau":
        model, src, tgt, _ = _bahdanau(None)
    else:
        model, src, tgt, _, _ = _luong(kind, "gru", None)
    model.forward(src, tgt)
    assert (model.attention > 0).all()


# ---------------------------------------------------------------------------- step interface
@pytest.mark.parametrize("kind", [*SCORES, "bahdanau"])
def test_decode_step_reproduces_teacher_forcing(kind):
    if kind == "bahdanau":
        model, src, tgt, _ = _bahdanau(0)
    else:
        model, src, tgt, _, _ = _luong(kind, "lstm", 0)
    logits = model.forward(src, tgt)
    alpha_tf = model.attention.copy()
    state = model.init_decoder(src)
    for t in range(T):
        log_probs, new_state, alpha = model.decode_step(state, tgt[t])
        np.testing.assert_allclose(log_probs, rb.functional.log_softmax(logits[t]), atol=1e-12)
        np.testing.assert_allclose(alpha, alpha_tf[t], atol=1e-12)
        assert new_state is not state
        state = new_state
    weights = model.attention_weights(src, tgt)
    np.testing.assert_allclose(weights, alpha_tf, atol=0)
    weights[...] = 7.0  # a copy: the model's own weights are untouched
    assert (model.attention <= 1.0).all()


@pytest.mark.parametrize("kind", ["general", "bahdanau"])
def test_greedy_decode_matches_teacher_forcing_on_its_own_output(kind):
    if kind == "bahdanau":
        model, src, _, _ = _bahdanau(0)
    else:
        model, src, _, _, _ = _luong(kind, "gru", 0)
    ids = model.greedy_decode(src, bos_id=0, max_len=6)
    att = model.attention.copy()
    tgt_in = np.concatenate([np.zeros((1, B), dtype=np.int64), ids[:-1]])
    logits = model.forward(src, tgt_in)
    assert (np.argmax(logits, axis=-1) == ids).all()
    np.testing.assert_allclose(model.attention, att, atol=1e-12)


def test_decoding_between_forward_and_backward_changes_no_gradient():
    model, src, tgt, g = _bahdanau(0)
    model.zero_grad()
    model.forward(src, tgt)
    model.backward(g)
    expected = {k: v.copy() for k, v in model.grads.items()}
    model.zero_grad()
    model.forward(src, tgt)
    model.greedy_decode(src, 0, 5, eos_id=1)
    rb.beam_search(model, src[:, 0], 0, 1, beam_width=3, max_len=5)
    model.attention_weights(src[:, :2], tgt[:, :2])
    model.backward(g)
    for k, v in model.grads.items():
        np.testing.assert_array_equal(v, expected[k])


def test_decoder_state_take_copies_columns():
    model, src, _, _ = _bahdanau(0)
    state = model.init_decoder(src)
    assert isinstance(state, DecoderState)
    sub = state.take(np.array([2, 2, 0]))
    assert sub.memory.shape == (S, 3, 2 * H) and sub.hidden.shape == (1, 3, H)
    np.testing.assert_array_equal(sub.memory[:, 1], state.memory[:, 2])
    assert not np.shares_memory(sub.memory, state.memory)
    lstm_state = _luong("dot", "lstm", 0)[0].init_decoder(src)
    assert lstm_state.take(np.array([1])).hidden[1].shape == (1, 1, H)


def test_general_is_the_default_and_keeps_its_parameter_names():
    model = AttentionSeq2Seq(SV, TV, H, seed=0)
    assert model.score == "general"
    assert [k for k in model.params if k.startswith("attn.")] == ["attn.weight"]
    assert model.params["attn.weight"].shape == (H, H)
    concat = AttentionSeq2Seq(SV, TV, H, seed=0, score="concat")
    assert concat.params["attn.weight"].shape == (H, 2 * H)
    assert concat.params["attn.v_a"].shape == (H,)
    assert not [k for k in AttentionSeq2Seq(SV, TV, H, score="dot").params if "attn" in k]
    bahdanau = BahdanauSeq2Seq(SV, TV, H, embedding_dim=E, seed=0)
    shapes = {k: v.shape for k, v in bahdanau.params.items()}
    assert shapes["attn.W_a"] == (H, H) and shapes["attn.U_a"] == (H, 2 * H)
    assert shapes["decoder.weight_ih_l0"] == (3 * H, E + 2 * H)
    assert shapes["head.weight"] == (TV, 3 * H + E)
    assert shapes["encoder.weight_ih_l0_reverse"] == (3 * H, E)


def test_same_seed_same_numbers():
    a, src, tgt, _ = _bahdanau(0)
    b, _, _, _ = _bahdanau(0)
    np.testing.assert_array_equal(a.forward(src, tgt), b.forward(src, tgt))


# ---------------------------------------------------------------------------- bad arguments
def test_bad_arguments_are_refused_clearly():
    with pytest.raises(ValueError, match=r"score: expected one of \['dot', 'general', 'concat'\]"):
        AttentionSeq2Seq(SV, TV, H, score="additive")
    with pytest.raises(TypeError, match="hidden_size: expected a positive int"):
        BahdanauSeq2Seq(SV, TV, 2.5)
    model, src, tgt, _ = _bahdanau(0)
    with pytest.raises(ValueError, match="same B"):
        model.forward(src, tgt[:, :2])
    with pytest.raises(TypeError, match="src: expected an integer array"):
        model.forward(src.astype(float), tgt)
    with pytest.raises(ValueError, match="all-padding column"):
        model.forward(np.zeros((3, B), dtype=int), tgt)
    with pytest.raises(ValueError, match="dlogits: expected shape"):
        model.forward(src, tgt)
        model.backward(np.zeros((T, B, TV + 1)))
    state = model.init_decoder(src)
    with pytest.raises(ValueError, match=r"prev_ids: expected shape \(3,\)"):
        model.decode_step(state, np.zeros(2, dtype=int))
    with pytest.raises(ValueError, match=r"prev_ids: expected ids in \[0, 5\)"):
        model.decode_step(state, np.full(B, 9))
    with pytest.raises(TypeError, match="prev_ids: expected integer ids"):
        model.decode_step(state, np.zeros(B))
    with pytest.raises(ValueError, match="max_len: expected a positive int"):
        model.greedy_decode(src, 0, 0)
    with pytest.raises(ValueError, match=r"bos_id: expected an id in \[0, 5\)"):
        model.greedy_decode(src, 5, 3)
    with pytest.raises(ValueError, match=r"eos_id: expected an id in \[0, 5\)"):
        model.greedy_decode(src, 0, 3, eos_id=-1)
    with pytest.raises(ValueError, match=r"index: expected values in \[0, 3\)"):
        state.take(np.array([3]))
    fresh = BahdanauSeq2Seq(SV, TV, H, seed=0)
    with pytest.raises(RuntimeError, match="call forward before backward"):
        fresh.backward(np.zeros((T, B, TV)))
