"""epaper: turn the digital editions of Chinese daily newspapers into EPUB and PDF books."""

# Static, not importlib.metadata: that lookup alone costs ~0.1 s of every command's start-up.
__version__ = "0.1.0"
