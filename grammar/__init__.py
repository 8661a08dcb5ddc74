"""The matcalc query grammar (`matcalc.lark`), installed as the package `matcalc.grammar`."""

__all__ = []
