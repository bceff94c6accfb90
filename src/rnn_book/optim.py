"""Optimisers with PyTorch's defaults and PyTorch's update formulas, over a list of modules.

A module is anything with ``params`` and ``grads`` dicts (same keys, same shapes) and a
``zero_grad()`` method: a layer (``RNN``, ``Linear``, ...) or a whole model. ``step()``
reads every gradient and updates the matching parameter array IN PLACE, so the layers see
the new values without any copying. Per-parameter state (momentum buffers, running
averages) belongs to the parameter ARRAY, as in PyTorch it belongs to the Parameter: two
layers that both call a parameter "weight" never share a buffer, and an array put in a
parameter's place (``layer.params["weight"] = new``) starts from fresh state instead of
inheriting the moments of the array it replaced. ::

    opt = Adam([model], lr=1e-3)
    model.zero_grad(); loss, d = cross_entropy(model.forward(x), y); model.backward(d)
    opt.step()

In the formulas below g is the gradient, p the parameter, t the step number (1, 2, ...).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from rnn_book._validate import check_flag, check_number

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "Optimizer", "RMSprop"]


def _number(name: str, value, low: float = 0.0, high: float | None = None) -> float:
    # hyper-parameters are finite and, unless said otherwise, non-negative
    return check_number(name, value, low=low, high=high)


class Optimizer:
    """Base class: holds the modules and the per-parameter state, runs the update loop.

    Subclasses implement ``_update(p, g, state)``, which changes ``p`` in place; ``state``
    is a dict private to that one parameter array, empty at the first step.

    ``self.state`` maps ``id(p)`` to that dict; the optimiser also holds a reference to each
    ``p`` so that its id cannot be reused by a new array while the state exists. State of
    an array that is no longer a parameter of any module is dropped at the next ``step``.
    """

    def __init__(self, modules):
        if hasattr(modules, "params") and hasattr(modules, "grads"):
            modules = [modules]  # a single module or model: accept it as a list of one
        if not isinstance(modules, (list, tuple)):
            raise TypeError(
                "modules: expected a list of modules (objects with params and grads dicts), "
                f"got {type(modules).__name__}"
            )
        if not modules:
            raise ValueError("modules: expected at least one module, got an empty list")
        for i, m in enumerate(modules):
            if not (
                isinstance(getattr(m, "params", None), Mapping)
                and isinstance(getattr(m, "grads", None), Mapping)
                and callable(getattr(m, "zero_grad", None))
            ):
                raise TypeError(
                    f"modules[{i}]: expected an object with params and grads dicts and "
                    f"zero_grad(), got {type(m).__name__}"
                )
        self.modules = list(modules)
        self.state: dict[int, dict] = {}  # id(p) -> that array's state
        self._arrays: dict[int, np.ndarray] = {}  # id(p) -> p: keeps the id from being reused
        self._entries()  # fail now, not at the first step, if params and grads disagree

    def _entries(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(param, grad)] of every module, with shapes and dtypes checked."""
        entries, owner = [], {}
        for i, m in enumerate(self.modules):
            params, grads = m.params, m.grads  # models build these dicts anew on each access
            for name, p in params.items():
                where = f"modules[{i}].params[{name!r}]"
                if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                    raise TypeError(
                        f"{where}: expected a floating-point numpy array, got "
                        f"{type(p).__name__} of dtype {getattr(p, 'dtype', None)}"
                    )
                g = grads.get(name)
                if not isinstance(g, np.ndarray) or g.shape != p.shape:
                    raise ValueError(
                        f"modules[{i}].grads[{name!r}]: expected an array of shape {p.shape} "
                        f"(the parameter's), got {getattr(g, 'shape', type(g).__name__)}"
                    )
                if id(p) in owner:
                    raise ValueError(
                        f"modules: {where} is the same array as {owner[id(p)]}; pass each "
                        "module once (a model already contains its layers), or it would be "
                        "updated twice per step"
                    )
                owner[id(p)] = where
                entries.append((p, g))
        return entries

    def step(self) -> None:
        """Update every parameter in place from its current gradient."""
        entries = self._entries()
        current = {id(p) for p, _ in entries}
        for key in [k for k in self.state if k not in current]:
            del self.state[key], self._arrays[key]  # replaced arrays: their state is stale
        for p, g in entries:
            if id(p) not in self.state:
                self.state[id(p)], self._arrays[id(p)] = {}, p
            self._update(p, g, self.state[id(p)])

    def zero_grad(self) -> None:
        """Reset the gradients of every module (call it before each backward pass)."""
        for m in self.modules:
            m.zero_grad()

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        hyper = ", ".join(
            f"{k}={v}" for k, v in vars(self).items() if k not in ("modules", "state", "_arrays")
        )
        return f"{type(self).__name__}({len(self.modules)} modules, {hyper})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum; as ``torch.optim.SGD``.

    g <- g + weight_decay * p
    b <- g at the first step, then b <- momentum * b + (1 - dampening) * g
    g <- g + momentum * b (nesterov) or g <- b (plain momentum)
    p <- p - lr * g

    Parameters: lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False (PyTorch's).
    """

    def __init__(
        self,
        modules,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        self.lr = _number("lr", lr)
        self.momentum = _number("momentum", momentum)
        self.dampening = _number("dampening", dampening)
        self.weight_decay = _number("weight_decay", weight_decay)
        self.nesterov = check_flag("nesterov", nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "nesterov: expected momentum > 0 and dampening = 0 with nesterov=True, "
                f"got momentum={self.momentum}, dampening={self.dampening}"
            )
        super().__init__(modules)

    def _update(self, p, g, state):
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        if self.momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= self.momentum
                buf += (1.0 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g


class Adagrad(Optimizer):
    """Adagrad (Duchi et al. 2011): each entry's step shrinks with its summed squared gradients.

    g <- g + weight_decay * p;  s <- s + g^2  (s starts at initial_accumulator_value)
    p <- p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)

    Parameters: lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10.
    """

    def __init__(
        self,
        modules,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        self.lr = _number("lr", lr)
        self.lr_decay = _number("lr_decay", lr_decay)
        self.weight_decay = _number("weight_decay", weight_decay)
        self.initial_accumulator_value = _number(
            "initial_accumulator_value", initial_accumulator_value
        )
        self.eps = _number("eps", eps)
        super().__init__(modules)

    def _update(self, p, g, state):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p, self.initial_accumulator_value)
        state["step"] += 1
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        clr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] += g * g
        p -= clr * (g / (np.sqrt(state["sum"]) + self.eps))


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012): a step whose units match p's, from two running averages.

    g <- g + weight_decay * p;  v <- rho v + (1 - rho) g^2
    d <- sqrt(u + eps) / sqrt(v + eps) * g;  u <- rho u + (1 - rho) d^2;  p <- p - lr * d

    Parameters: lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.
    """

    def __init__(
        self,
        modules,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ):
        self.lr = _number("lr", lr)
        self.rho = _number("rho", rho)
        if self.rho > 1.0:
            raise ValueError(f"rho: expected a number in [0, 1], got {self.rho}")
        self.eps = _number("eps", eps)
        self.weight_decay = _number("weight_decay", weight_decay)
        super().__init__(modules)

    def _update(self, p, g, state):
        if not state:
            state["square_avg"] = np.zeros_like(p)
            state["acc_delta"] = np.zeros_like(p)
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        v, u = state["square_avg"], state["acc_delta"]
        v *= self.rho
        v += (1.0 - self.rho) * g * g
        delta = np.sqrt(u + self.eps) / np.sqrt(v + self.eps) * g
        u *= self.rho
        u += (1.0 - self.rho) * delta * delta
        p -= self.lr * delta


class RMSprop(Optimizer):
    """RMSprop (Hinton, lecture 6e): divide g by a running root-mean-square of past gradients.

    g <- g + weight_decay * p;  v <- alpha v + (1 - alpha) g^2
    centered: m <- alpha m + (1 - alpha) g and the denominator uses v - m^2 (a variance)
    a <- sqrt(v [- m^2]) + eps
    momentum > 0: b <- momentum b + g / a, p <- p - lr b;  else p <- p - lr g / a

    Parameters: lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False.
    """

    def __init__(
        self,
        modules,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        self.lr = _number("lr", lr)
        self.alpha = _number("alpha", alpha)
        self.eps = _number("eps", eps)
        self.weight_decay = _number("weight_decay", weight_decay)
        self.momentum = _number("momentum", momentum)
        self.centered = check_flag("centered", centered)
        super().__init__(modules)

    def _update(self, p, g, state):
        if not state:
            state["square_avg"] = np.zeros_like(p)
            if self.momentum > 0:
                state["momentum_buffer"] = np.zeros_like(p)
            if self.centered:
                state["grad_avg"] = np.zeros_like(p)
        if self.weight_decay != 0:
            g = g + self.weight_decay * p
        v = state["square_avg"]
        v *= self.alpha
        v += (1.0 - self.alpha) * g * g
        if self.centered:
            m = state["grad_avg"]
            m += (1.0 - self.alpha) * (g - m)
            # v >= m^2 in exact arithmetic; rounding can leave -1e-20, whose sqrt would be NaN
            avg = np.sqrt(np.maximum(v - m * m, 0.0))
        else:
            avg = np.sqrt(v)
        avg += self.eps
        if self.momentum > 0:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += g / avg
            p -= self.lr * buf
        else:
            p -= self.lr * (g / avg)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): momentum plus per-entry scaling, both bias-corrected.

    g <- g + weight_decay * p   (or p <- p (1 - lr weight_decay) if decoupled: AdamW)
    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
    (amsgrad: v_max <- max(v_max, v), used in place of v below)
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    Parameters: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
    decoupled_weight_decay=False.
    """

    def __init__(
        self,
        modules,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        decoupled_weight_decay: bool = False,
    ):
        self.lr = _number("lr", lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas: expected a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _number("betas[0]", betas[0], high=1.0),
            _number("betas[1]", betas[1], high=1.0),
        )
        self.eps = _number("eps", eps)
        self.weight_decay = _number("weight_decay", weight_decay)
        self.amsgrad = check_flag("amsgrad", amsgrad)
        self.decoupled_weight_decay = check_flag("decoupled_weight_decay", decoupled_weight_decay)
        super().__init__(modules)

    def _update(self, p, g, state):
        beta1, beta2 = self.betas
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
            if self.amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(p)
        state["step"] += 1
        t = state["step"]
        if self.weight_decay != 0:
            if self.decoupled_weight_decay:
                p *= 1.0 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * p
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1.0 - beta1) * (g - m)
        v *= beta2
        v += (1.0 - beta2) * g * g
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = self.lr / (1.0 - beta1**t)
        denom = np.sqrt(v) / math.sqrt(1.0 - beta2**t) + self.eps
        p -= step_size * (m / denom)
