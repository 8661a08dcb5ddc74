"""Printers: Unicode text and LaTeX share one walk (`text.Printer`), differing only in tokens."""

__all__ = []
