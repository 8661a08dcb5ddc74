"""bench_kernels' hand-written expert NumPy: for each workload, the value and the derivative
as someone who knows NumPy and BLAS writes them. Each returns (value, derivative) with the
derivative shaped like the variable (a gradient) or (n, n) (a Hessian), as matcalc's
generated `f` does, and each is reviewed for optimality; the comment says why it is.

Rules followed everywhere (the issue's list):
  - a diagonal matrix is never formed: diag(d) @ M is `d[:, None] * M` (O(n²), not O(n³));
  - products are ordered by cost: a matrix times a vector first, never a matrix times a
    matrix when a vector can go through one factor at a time;
  - the value and the derivative share every intermediate (the residual, the activations);
  - scalar factors multiply the smallest operand (a vector, not the n×n result);
  - a symmetric product XᵀX is written `B.T @ B` with the same array B, which NumPy hands to
    BLAS syrk (half the flops of a general product);
  - stable forms: logaddexp for softplus, a shifted log-sum-exp;
  - an outer product uvᵀ is `np.multiply.outer(u, v)` under a 16-element ufunc buffer
    (`_outer`): with NumPy's default buffer (8192 elements) the inner loop spans several
    rows and u, constant along a row, is copied into the buffer one element at a time
    (callgrind, n = 1000: 5.4 instructions per element of the result; einsum and
    np.outer the same); a buffer shorter than two rows keeps the loop to one row, a scalar
    times a contiguous row (1.6 instructions per element), as the generated code does.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "attention_by_q",
    "attention_by_v",
    "batched_cross_entropy",
    "least_squares",
    "logistic_hessian",
    "mlp_grad_w1",
    "mlp_grad_x",
    "mlp_hessian_x",
    "quadratic",
    "softmax_cross_entropy",
]


def _sigmoid(z):
    # stable for any z: tanh form, no overflow of exp(−z)
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _outer(u, v):
    size = np.setbufsize(16)  # a row at a time, no element-wise buffer copy (see above)
    try:
        return np.multiply.outer(u, v)
    finally:
        np.setbufsize(size)


def quadratic(A, x):
    """xᵀAx by x: ∇ = Ax + Aᵀx. Two matrix-vector products (4n² flops, each reads A once);
    A + Aᵀ is never formed (that is an n×n temporary and a third pass over A). The value
    reuses Ax (2n flops)."""
    Ax = A @ x
    return x @ Ax, Ax + x @ A  # x @ A is Aᵀx without a transposed copy


def least_squares(A, b, x):
    """‖Ax − b‖² by x: ∇ = 2Aᵀr with r = Ax − b computed once and shared with the value.
    The factor 2 scales the n-vector r, not a matrix; rᵀA reads A row-major, no copy. 4n²."""
    r = A @ x - b
    return r @ r, (2.0 * r) @ A


def logistic_hessian(X, w, y):
    """sum(softplus(Xw) − y ⊙ Xw) by w, Hessian: Xᵀ diag(s(1−s)) X with s = σ(Xw).
    The diagonal is folded into the rows as a square root (s(1−s) > 0), B = √d ⊙ X, and
    H = BᵀB with the SAME array B: NumPy calls syrk, n³ flops, half of a general product;
    diag(d) is never built. z = Xw is shared by the value and the Hessian."""
    z = X @ w
    s = _sigmoid(z)
    value = np.sum(np.logaddexp(0.0, z) - y * z)
    B = np.sqrt(s * (1.0 - s))[:, None] * X
    return value, B.T @ B


def softmax_cross_entropy(W, x, y):
    """−yᵀlog softmax(Wx) by W, y on the simplex (Σy = 1): ∇ = (softmax(z) − y)xᵀ, z = Wx.
    One matrix-vector product (2n²) and one outer product (n²), which is the size of the
    answer; the value is the stable lse(z) − yᵀz, sharing z and exp(z − max z) with p."""
    z = W @ x
    m = np.max(z)
    e = np.exp(z - m)
    total = np.sum(e)
    value = m + np.log(total) - y @ z
    p = e / total
    return value, _outer(p - y, x)


def _mlp_forward(W1, W2, x, y):
    h = np.tanh(W1 @ x)
    r = W2 @ h - y
    return h, r


def mlp_grad_w1(W1, W2, x, y):
    """‖W2 tanh(W1x) − y‖² by W1: ∇ = (2(1 − h²) ⊙ W2ᵀr) xᵀ. Three matrix-vector products
    (6n²) and one outer product (n², the answer's size); the 2 scales a vector; h and r
    are shared with the value."""
    h, r = _mlp_forward(W1, W2, x, y)
    delta = (2.0 * (1.0 - h * h)) * (r @ W2)  # r @ W2 is W2ᵀr, no transposed copy
    return r @ r, _outer(delta, x)


def mlp_grad_x(W1, W2, x, y):
    """‖W2 tanh(W1x) − y‖² by x: ∇ = W1ᵀ(2(1 − h²) ⊙ W2ᵀr): the vector goes back through
    one factor at a time (four matrix-vector products, 8n²), never W2ᵀW2 or diag(·)W1."""
    h, r = _mlp_forward(W1, W2, x, y)
    delta = (2.0 * (1.0 - h * h)) * (r @ W2)
    return r @ r, delta @ W1


def mlp_hessian_x(W1, W2, x, y):
    """‖W2 tanh(W1x) − y‖² by x, Hessian:
        H = 2 W1ᵀ [D W2ᵀW2 D + diag(c)] W1,  D = diag(1 − h²), c = −2h(1 − h²) ⊙ W2ᵀr
          = CᵀC + W1ᵀ diag(2c) W1,          C = √2 W2 D W1.
    C costs one general product (2n³; D goes into the rows of W1 as a broadcast). The rest
    is symmetric: split 2c by sign, P = √(2c₊) ⊙ rows of W1 where c > 0, Q likewise where
    c < 0, then H = GᵀG − QᵀQ with G = [C; P] stacked: two syrk calls over n + k₊ and k₋
    rows, 2n³ flops in all. Total 4n³ + O(n²) (the naive W1ᵀ(D W2ᵀW2 D)W1 is 6n³ of
    general products plus a dense diag product)."""
    h, r = _mlp_forward(W1, W2, x, y)
    d = 1.0 - h * h
    c = -4.0 * h * d * (r @ W2)  # 2c: the factor 2 of the loss, on a vector
    C = W2 @ (np.sqrt(2.0) * d[:, None] * W1)
    pos, neg = c > 0, c < 0
    G = np.concatenate([C, np.sqrt(c[pos])[:, None] * W1[pos]])
    Q = np.sqrt(-c[neg])[:, None] * W1[neg]
    return r @ r, G.T @ G - Q.T @ Q


def batched_cross_entropy(W, X, Y):
    """−sum(Y ⊙ log_softmax(XW, axis=1))/N by W: ∇ = Xᵀ(P ⊙ rowsum(Y) − Y)/N, P the row
    softmax of Z = XW. Two general products (4n³), everything else O(n²) and shared with
    the value (Z, the row maxima, exp(Z − max)); 1/N scales the N×k factor before the
    product (the same size as the result). rowsum(Y) keeps it right for any Y, not only
    one-hot rows (O(n²))."""
    N = X.shape[0]
    Z = X @ W
    m = np.max(Z, axis=1, keepdims=True)
    E = np.exp(Z - m)
    s = np.sum(E, axis=1, keepdims=True)
    lse = m + np.log(s)
    ysum = np.sum(Y, axis=1, keepdims=True)
    value = (np.sum(ysum * lse) - np.sum(Y * Z)) / N
    return value, X.T @ ((E / s * ysum - Y) / N)


def _attention_forward(K, Q, V, Y):
    n_d = Q.shape[1]
    S = (Q / np.sqrt(n_d)) @ K.T  # the scale on Q (n·d), not on S (n·n)
    S -= np.max(S, axis=1, keepdims=True)
    P = np.exp(S)
    P /= np.sum(P, axis=1, keepdims=True)
    O = P @ V
    R = O - Y
    return P, O, R


def attention_by_q(K, Q, V, Y):
    """‖softmax(QKᵀ/√d, rows) V − Y‖²_F by Q (backward pass as FlashAttention writes it):
    dO = 2R, dS = P ⊙ (dO Vᵀ − rowsum(dO ⊙ O)), dQ = dS K/√d. Four general products
    (8n³): QKᵀ, PV, dO Vᵀ, dS K; rowsum(dO ⊙ O) replaces rowsum(P ⊙ dP) (O(n·d))."""
    P, O, R = _attention_forward(K, Q, V, Y)
    dO = 2.0 * R
    dS = P * (dO @ V.T - np.sum(dO * O, axis=1, keepdims=True))
    return np.sum(R * R), (dS / np.sqrt(Q.shape[1])) @ K


def attention_by_v(K, Q, V, Y):
    """The same loss by V: dV = Pᵀ(2R). Three general products (6n³): QKᵀ, PV, PᵀdO."""
    P, O, R = _attention_forward(K, Q, V, Y)
    return np.sum(R * R), P.T @ (2.0 * R)
