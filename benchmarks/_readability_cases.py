"""bench_readability's table: textbook derivations with the book's closed form.

Each row: (source, query with its declarations, wrt, the book's closed form, layout). The
closed form is typed in matcalc's input language so that it is *checked* (matcalc.verify
proves it equal to the derivative); its printed length is that text in matcalc's glyphs
(`shown` in bench_readability: `@` and `*` are juxtaposition, `.T` is ᵀ, `inv(X)` is X⁻¹,
`^2` is ², `norm(e)` is ‖e‖, `trace` is tr, `sigmoid` is σ, ` - ` is ` − `). Hadamard
products are typed `⊙`, as the books write them. Variable names are matcalc's (mu for μ, S
for Σ), the same on both sides. Layout: numerator (a gradient by a vector is a row), except
where a row says otherwise; a gradient by a matrix is shaped like the matrix.
"""

from __future__ import annotations

__all__ = ["CASES"]

V = "x: vector(n); "
WX = "w, x: vector(n); "
NEURON = "w, x: vector(n); b: scalar; "
AXB = "A: matrix(m, n); x: vector(n); b: vector(m); "
SQ = "A, B, X: matrix(n, n); "
AB = "a, b: vector(n); X: matrix(n, n); "
GAUSS = "x, mu: vector(n); S: symmetric(n); "
GAUSS_M = "x, mu: vector(n); S: matrix(n, n); "
LAYER = "W: matrix(m, n); x: vector(n); b: vector(m); "
CE = "W: matrix(m, n); x: vector(n); y: simplex(m); "
LOGREG = "X: matrix(N, n); t: vector(N); w: vector(n); "
BCE = "-sum(t * log(sigmoid(X @ w)) + (1 - t) * log(1 - sigmoid(X @ w)))"
ONE = "w, x: vector(n); t: scalar; "
BCE1 = "-(t * log(sigmoid(w @ x)) + (1 - t) * log(1 - sigmoid(w @ x)))"
REG = "X: matrix(N, n); y: vector(N); w: vector(n); l: scalar; "

CASES = [
    # ---- tutorial (Parr & Howard, "The Matrix Calculus You Need For Deep Learning")
    ("tutorial", "x: scalar; x^3", "x", "3*x^2"),
    ("tutorial", "x, y: scalar; 3*x^2*y", "x", "6*x*y"),
    ("tutorial", "x: scalar; sin(x^2)", "x", "2*x*cos(x^2)"),
    ("tutorial", "x: scalar; ln(x^2)", "x", "2/x"),
    ("tutorial", WX + "w + x", "w", "I"),
    ("tutorial", WX + "w * x", "w", "diag(x)"),
    ("tutorial", WX + "w / x", "x", "-diag(w ⊘ x^2)"),
    ("tutorial", "x: vector(n); z: scalar; x * z", "x", "z*I"),
    ("tutorial", V + "sum(x)", "x", "1ᵀ"),
    ("tutorial", WX + "w @ x", "w", "x.T"),
    ("tutorial", NEURON + "w @ x + b", "w", "x.T"),
    ("tutorial", V + "sum(x^2)", "x", "2*x.T"),
    ("tutorial", "x: scalar; sin(x)^2", "x", "2*sin(x)*cos(x)"),
    # ---- The Matrix Cookbook (Petersen & Pedersen), by equation
    ("Cookbook (69)", "a, x: vector(n); a @ x", "x", "a.T"),
    ("Cookbook (70)", AXB + "b @ A @ x", "x", "b.T@A"),
    ("Cookbook (71)", "a, b: vector(n); X: matrix(n, n); a @ X.T @ b", "X", "b@a.T"),
    ("Cookbook (70) X", AB + "a @ X @ b", "X", "a@b.T"),
    ("Cookbook (81)", "A: matrix(n, n); x: vector(n); x @ A @ x", "x", "x.T@(A + A.T)"),
    ("Cookbook (81) sym", "A: symmetric(n); x: vector(n); x @ A @ x", "x", "2*x.T@A"),
    ("Cookbook (61)", AB + "a @ inv(X) @ b", "X", "-inv(X).T@a@b.T@inv(X).T"),
    ("Cookbook (49)", "X: matrix(n, n); det(X)", "X", "det(X)*inv(X).T"),
    ("Cookbook (57)", "X: matrix(n, n); logdet(X)", "X", "inv(X).T"),
    ("Cookbook (100)", "X: matrix(n, n); trace(X)", "X", "I"),
    ("Cookbook (101)", SQ + "trace(X @ A)", "X", "A.T"),
    ("Cookbook (102)", SQ + "trace(A @ X @ B)", "X", "A.T@B.T"),
    ("Cookbook (103)", SQ + "trace(A @ X.T @ B)", "X", "B@A"),
    ("Cookbook (106)", "X: matrix(n, n); trace(X @ X)", "X", "2*X.T"),
    ("Cookbook (107)", SQ + "trace(X @ X @ B)", "X", "(X@B + B@X).T"),
    ("Cookbook (108)", "X, B: matrix(n, n); trace(X.T @ B @ X)", "X", "B@X + B.T@X"),
    (
        "Cookbook / SymPy tr(tr(tr(X)X)X)",
        "X: matrix(n, n); trace(trace(trace(X) * X) * X)",
        "X",
        "3*trace(X)^2*I",
    ),
    ("Cookbook (113)", "X: matrix(m, n); trace(X.T @ X)", "X", "2*X"),
    ("Cookbook (114)", SQ + "trace(A @ X @ B @ X)", "X", "A.T@X.T@B.T + B.T@X.T@A.T"),
    ("Cookbook (124)", SQ + "trace(A @ inv(X) @ B)", "X", "-(inv(X)@B@A@inv(X)).T"),
    ("Cookbook (129)", "x, a: vector(n); norm(x - a)", "x", "(x - a).T/norm(x - a)"),
    ("Cookbook (85)", "x, a: vector(n); norm(x - a)^2", "x", "2*(x - a).T"),
    (
        "Cookbook (84)",
        "x, s: vector(n); W: symmetric(n); (x - s) @ W @ (x - s)",
        "x",
        "2*(x - s).T@W",
    ),
    (
        "Cookbook (86)",
        "x, s: vector(n); W: symmetric(n); (x - s) @ W @ (x - s)",
        "s",
        "-2*(x - s).T@W",
    ),
    ("Cookbook (87)", AXB + "norm(A @ x - b)^2", "x", "2*(A@x - b).T@A"),
    (
        "Cookbook (78)",
        "x, b, d: vector(n); B, C, D: matrix(n, n); (B @ x + b) @ C @ (D @ x + d)",
        "x",
        "(D@x + d).T@C.T@B + (B@x + b).T@C@D",
    ),
    (
        "Cookbook (95)",
        "x, b: vector(n); A: matrix(n, n); x @ A @ x + b @ x",
        "x",
        "x.T@(A + A.T) + b.T",
    ),
    (
        "Cookbook Gaussian μ",
        GAUSS + "-0.5 * (x - mu) @ inv(S) @ (x - mu)",
        "mu",
        "(x - mu).T@inv(S)",
    ),
    (
        "Cookbook Gaussian Σ",
        GAUSS_M + "-0.5 * (x - mu) @ inv(S) @ (x - mu)",
        "S",
        "0.5*inv(S).T@(x - mu)@(x - mu).T@inv(S).T",
    ),
    (
        "Cookbook (130)",
        "x, a: vector(n); (x - a) / norm(x - a)",
        "x",
        "I/norm(x - a) - (x - a)@(x - a).T/norm(x - a)^3",
    ),
    # ---- CS231n (Stanford): backprop of layers and losses
    ("CS231n softmax loss", CE + "-(y @ log(softmax(W @ x)))", "x", "(softmax(W@x) - y).T@W"),
    ("CS231n softmax loss W", CE + "-(y @ log(softmax(W @ x)))", "W", "(softmax(W@x) - y)@x.T"),
    ("CS231n affine", LAYER + "W @ x + b", "x", "W"),
    ("CS231n affine W", LAYER + "sum(W @ x + b)", "W", "1@x.T"),
    ("CS231n sigmoid", V + "sigmoid(x)", "x", "diag(sigmoid(x) ⊙ (1 - sigmoid(x)))"),
    ("CS231n tanh", V + "tanh(x)", "x", "diag(1 - tanh(x)^2)"),
    (
        "CS231n sigmoid layer",
        LAYER + "sum(sigmoid(W @ x + b))",
        "b",
        "(sigmoid(W@x + b) ⊙ (1 - sigmoid(W@x + b))).T",
    ),
    ("CS231n L2 regularisation", "W: matrix(m, n); l: scalar; l * sum(W * W)", "W", "2*l*W"),
    ("CS231n ReLU", V + "max(0, x)", "x", "diag(x > 0)"),
    (
        "CS231n attention (Vaswani)",
        "K, V: matrix(T, d); q: vector(d); dk: scalar; V.T @ softmax(K @ q / sqrt(dk))",
        "q",
        "V.T@(diag(softmax(K@q/sqrt(dk))) - softmax(K@q/sqrt(dk))@softmax(K@q/sqrt(dk)).T)"
        "@K/sqrt(dk)",
    ),
    (
        "CS231n layer norm (Ba et al.)",
        "x: vector(n); e: scalar; (x - mean(x)) / sqrt(mean((x - mean(x))^2) + e)",
        "x",
        "(I - 1@1.T/n - (x - mean(x))@(x - mean(x)).T/(n*(mean((x - mean(x))^2) + e)))"
        "/sqrt(mean((x - mean(x))^2) + e)",
    ),
    (
        "tutorial loss (final section)",
        "X: matrix(N, n); y: vector(N); w: vector(n); b: scalar; mean((y - max(0, X @ w + b))^2)",
        "w",
        "(2/N)*((X@w + b - y) ⊙ (X@w + b > 0)).T@X",
    ),
    # ---- Goodfellow, Bengio & Courville, "Deep Learning"
    ("Goodfellow 6.2 logistic", LOGREG + BCE, "w", "(sigmoid(X@w) - t).T@X"),
    ("Goodfellow 6.41 softplus", V + "sum(softplus(x))", "x", "sigmoid(x).T"),
    ("Goodfellow 6.30 logsumexp", V + "logsumexp(x)", "x", "softmax(x).T"),
    ("Goodfellow 4.5 least squares", AXB + "0.5 * norm(A @ x - b)^2", "x", "(A@x - b).T@A"),
    (
        "Goodfellow 4.3 quadratic",
        "A: symmetric(n); x, b: vector(n); 0.5 * x @ A @ x - b @ x",
        "x",
        "x.T@A - b.T",
    ),
    (
        "Goodfellow 5.1 MSE",
        "X: matrix(N, n); y: vector(N); w: vector(n); mean((X @ w - y)^2)",
        "w",
        "(2/N)*(X@w - y).T@X",
    ),
    (
        "Goodfellow 3.10 σ(−u)",
        "u: vector(n); exp(-u) / (1 + exp(-u))",
        "u",
        "-diag(sigmoid(-u) ⊙ sigmoid(u))",
    ),
    (
        "Goodfellow 6.5 sigmoid",
        "u: vector(n); exp(u) / (1 + exp(u))",
        "u",
        "diag(sigmoid(u) ⊙ (1 - sigmoid(u)))",
    ),
    # ---- Bishop, "Pattern Recognition and Machine Learning"
    ("Bishop 4.91 logistic", ONE + BCE1, "w", "(sigmoid(w·x) - t)*x.T"),
    ("Bishop 4.96 logistic", LOGREG + BCE, "w", "(sigmoid(X@w) - t).T@X"),
    (
        "Bishop 3.13 least squares",
        "X: matrix(N, n); t: vector(N); w: vector(n); 0.5 * sum((X @ w - t)^2)",
        "w",
        "(X@w - t).T@X",
    ),
    (
        "Bishop 3.27 ridge",
        REG + "0.5 * sum((X @ w - y)^2) + 0.5 * l * (w @ w)",
        "w",
        "(X@w - y).T@X + l*w.T",
    ),
    (
        "Bishop 2.43 Gaussian μ",
        GAUSS + "-0.5 * (x - mu) @ inv(S) @ (x - mu)",
        "mu",
        "(x - mu).T@inv(S)",
    ),
    (
        "Bishop 4.106 softmax",
        "a: vector(n); softmax(a)",
        "a",
        "diag(softmax(a)) - softmax(a)@softmax(a).T",
    ),
    ("Bishop 5.21 tanh unit", "w, x: vector(n); tanh(w @ x)", "w", "(1 - tanh(w·x)^2)*x.T"),
    (
        "Bishop 9.23 GMM responsibility",
        "a, b, p: scalar; p * exp(a) / (p * exp(a) + (1 - p) * exp(b))",
        "a",
        "p*exp(a)/(p*exp(a) + (1 - p)*exp(b))*(1 - p*exp(a)/(p*exp(a) + (1 - p)*exp(b)))",
    ),
    # ---- Boyd & Vandenberghe, "Convex Optimization"
    (
        "Boyd A.4.1 quadratic",
        "A: symmetric(n); x, b: vector(n); c: scalar; 0.5 * x @ A @ x + b @ x + c",
        "x",
        "x.T@A + b.T",
    ),
    ("Boyd A.4.1 log barrier", V + "-sum(log(x))", "x", "-(1 ⊘ x).T"),
    ("Boyd A.4.1 logdet", "X: symmetric(n); logdet(X)", "X", "inv(X)"),
    ("Boyd 3.1.5 log-sum-exp", V + "log(sum(exp(x)))", "x", "exp(x).T/sum(exp(x))"),
    ("Boyd norm", V + "norm(x)", "x", "x.T/norm(x)"),
    ("Boyd residual norm", AXB + "norm(A @ x - b)", "x", "(A@x - b).T@A/norm(A@x - b)"),
    ("Boyd quad-over-lin x", "x: vector(n); y: scalar; (x @ x) / y", "x", "2*x.T/y"),
    ("Boyd quad-over-lin y", "x: vector(n); y: scalar; (x @ x) / y", "y", "-(x·x)/y^2"),
    ("Boyd A.4 trace of inverse", "X: symmetric(n); trace(inv(X))", "X", "-inv(X)@inv(X)"),
]
