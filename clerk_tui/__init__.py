"""clerk-tui: counter software for Chinese government service halls (政务服务中心)."""

__version__ = "0.1.0"
