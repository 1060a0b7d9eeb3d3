"""epaper: turn the digital editions of Chinese daily newspapers into EPUB and PDF books."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("epaper")
except PackageNotFoundError:  # Running from a source tree that was never installed.
    __version__ = "0.0.0+source"
