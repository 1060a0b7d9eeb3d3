"""Readers of saved e-paper web pages, one module per site family, and the helpers they share."""
