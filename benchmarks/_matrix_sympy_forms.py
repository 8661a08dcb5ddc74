"""bench_matrix, section 1: the Cookbook rows written in SymPy's own matrix expressions
(`MatrixSymbol`), for the side-by-side with SymPy's MatrixExpr.diff in _matrix_cookbook.py."""

from __future__ import annotations


# SymPy formulations, keyed by the Cookbook row id. s.<name> is a MatrixSymbol (vector: n×1)
# or Symbol (scalar) with the row's dimensions; s.one(r, c) a OneMatrix.
def T_(a):
    return a.T


SYMPY_FORMS = {
    "(69) xᵀa": lambda sp, s: s.x.T * s.a,
    "(69) aᵀx": lambda sp, s: s.a.T * s.x,
    "(70) aᵀXb": lambda sp, s: s.a.T * s.X * s.b,
    "(71) aᵀXᵀb": lambda sp, s: s.a.T * s.X.T * s.b,
    "(72) aᵀXa": lambda sp, s: s.a.T * s.X * s.a,
    "(72) aᵀXᵀa": lambda sp, s: s.a.T * s.X.T * s.a,
    "(74) XA": lambda sp, s: s.X * s.A,
    "(75) XᵀA": lambda sp, s: s.X.T * s.A,
    "(520) vec(AXB)": lambda sp, s: s.A * s.X * s.B,
    "(76) (ΣX)²": lambda sp, s: (s.one(1, s.X.rows) * s.X * s.one(s.X.cols, 1)) ** 2,
    "(77) bᵀXᵀXc": lambda sp, s: s.b.T * s.X.T * s.X * s.c,
    "(78) (Bx+b)ᵀC(Dx+d)": lambda sp, s: (s.B * s.x + s.b).T * s.C * (s.D * s.x + s.d),
    "(80) XᵀBX": lambda sp, s: s.X.T * s.B * s.X,
    "(81) xᵀBx": lambda sp, s: s.x.T * s.B * s.x,
    "(81) xᵀBx, B = Bᵀ": lambda sp, s: s.x.T * s.B * s.x,
    "(82) bᵀXᵀDXc": lambda sp, s: s.b.T * s.X.T * s.D * s.X * s.c,
    "(83) (Xb+c)ᵀD(Xb+c)": lambda sp, s: (s.X * s.b + s.c).T * s.D * (s.X * s.b + s.c),
    "(84) by s": lambda sp, s: (s.x - s.A * s.s).T * s.W * (s.x - s.A * s.s),
    "(85) by x": lambda sp, s: (s.x - s.s).T * s.W * (s.x - s.s),
    "(86) by s": lambda sp, s: (s.x - s.s).T * s.W * (s.x - s.s),
    "(87) by x": lambda sp, s: (s.x - s.A * s.s).T * s.W * (s.x - s.A * s.s),
    "(88) by A": lambda sp, s: (s.x - s.A * s.s).T * s.W * (s.x - s.A * s.s),
    "(85)= ‖x − a‖²": lambda sp, s: (s.x - s.a).T * (s.x - s.a),
    "(91) aᵀX²b": lambda sp, s: s.a.T * s.X * s.X * s.b,
    "(93) sᵀAr": lambda sp, s: (s.X * s.x).T * s.A * (s.Y * s.x),
    "(94) Rayleigh-type": lambda sp, s: (
        (s.A * s.x).T * (s.A * s.x) * sp.Inverse((s.B * s.x).T * (s.B * s.x))
    ),
    "(96) ∇(xᵀAx + bᵀx)": lambda sp, s: s.x.T * s.A * s.x + s.b.T * s.x,
    "(99) Tr(X)": lambda sp, s: sp.Trace(s.X),
    "(100) Tr(XA)": lambda sp, s: sp.Trace(s.X * s.A),
    "(101) Tr(AXB)": lambda sp, s: sp.Trace(s.A * s.X * s.B),
    "(102) Tr(AXᵀB)": lambda sp, s: sp.Trace(s.A * s.X.T * s.B),
    "(103) Tr(XᵀA)": lambda sp, s: sp.Trace(s.X.T * s.A),
    "(104) Tr(AXᵀ)": lambda sp, s: sp.Trace(s.A * s.X.T),
    "(106) Tr(X²)": lambda sp, s: sp.Trace(s.X * s.X),
    "(107) Tr(X²B)": lambda sp, s: sp.Trace(s.X * s.X * s.B),
    "(108) Tr(XᵀBX)": lambda sp, s: sp.Trace(s.X.T * s.B * s.X),
    "(108) Tr(XᵀBX), B = Bᵀ": lambda sp, s: sp.Trace(s.X.T * s.B * s.X),
    "(109) Tr(BXXᵀ)": lambda sp, s: sp.Trace(s.B * s.X * s.X.T),
    "(110) Tr(XXᵀB)": lambda sp, s: sp.Trace(s.X * s.X.T * s.B),
    "(111) Tr(XBXᵀ)": lambda sp, s: sp.Trace(s.X * s.B * s.X.T),
    "(112) Tr(BXᵀX)": lambda sp, s: sp.Trace(s.B * s.X.T * s.X),
    "(113) Tr(XᵀXB)": lambda sp, s: sp.Trace(s.X.T * s.X * s.B),
    "(114) Tr(AXBX)": lambda sp, s: sp.Trace(s.A * s.X * s.B * s.X),
    "(115) Tr(XᵀX)": lambda sp, s: sp.Trace(s.X.T * s.X),
    "(115) Tr(XXᵀ)": lambda sp, s: sp.Trace(s.X * s.X.T),
    "(116) Tr(BᵀXᵀCXB)": lambda sp, s: sp.Trace(s.B.T * s.X.T * s.C * s.X * s.B),
    "(117) Tr(XᵀBXC)": lambda sp, s: sp.Trace(s.X.T * s.B * s.X * s.C),
    "(118) Tr(AXBXᵀC)": lambda sp, s: sp.Trace(s.A * s.X * s.B * s.X.T * s.C),
    "(119) Tr[(AXB+C)(AXB+C)ᵀ]": lambda sp, s: sp.Trace(
        (s.A * s.X * s.B + s.C) * (s.A * s.X * s.B + s.C).T
    ),
    "(120) Tr(X)Tr(X)": lambda sp, s: sp.Trace(s.X) * sp.Trace(s.X),
    "(121) Tr(X³)": lambda sp, s: sp.Trace(s.X * s.X * s.X),
    "(122) Tr(AX²)": lambda sp, s: sp.Trace(s.A * s.X * s.X),
    "(124)= Tr(X⁻¹A)": lambda sp, s: sp.Trace(sp.Inverse(s.X) * s.A),
    "(60) X⁻¹": lambda sp, s: sp.Inverse(s.X),
    "(61) aᵀX⁻¹b": lambda sp, s: s.a.T * sp.Inverse(s.X) * s.b,
    "(62) det(X⁻¹)": lambda sp, s: sp.Determinant(sp.Inverse(s.X)),
    "(63) = (124) Tr(AX⁻¹B)": lambda sp, s: sp.Trace(s.A * sp.Inverse(s.X) * s.B),
    "(64) Tr((X+A)⁻¹)": lambda sp, s: sp.Trace(sp.Inverse(s.X + s.A)),
    "(49) det(X)": lambda sp, s: sp.Determinant(s.X),
    "(51) det(AXB)": lambda sp, s: sp.Determinant(s.A * s.X * s.B),
    "(52) det(XᵀAX), X square": lambda sp, s: sp.Determinant(s.X.T * s.A * s.X),
    "(53) det(XᵀAX), A = Aᵀ": lambda sp, s: sp.Determinant(s.X.T * s.A * s.X),
    "(54) det(XᵀAX)": lambda sp, s: sp.Determinant(s.X.T * s.A * s.X),
    "(55) ln det(XᵀX)": lambda sp, s: sp.log(sp.Determinant(s.X.T * s.X)),
    "(55)= ln det(XᵀX), X square": lambda sp, s: sp.log(sp.Determinant(s.X.T * s.X)),
    "(57) ln det(X) (logdet)": lambda sp, s: sp.log(sp.Determinant(s.X)),
    "(57) ln det(X) (log∘det)": lambda sp, s: sp.log(sp.Determinant(s.X)),
    "(58) det(X²)": lambda sp, s: sp.Determinant(s.X * s.X),
    "(131) ‖x‖₂²": lambda sp, s: s.x.T * s.x,
    "(132) ‖X‖_F²": lambda sp, s: sp.Trace(s.X.T * s.X),
    "(132)= ‖AXB + C‖_F²": lambda sp, s: sp.Trace(
        (s.A * s.X * s.B + s.C).T * (s.A * s.X * s.B + s.C)
    ),
    "(87)= ‖Ax − b‖²": lambda sp, s: (s.A * s.x - s.b).T * (s.A * s.x - s.b),
}
