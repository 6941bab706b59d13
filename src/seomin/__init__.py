"""seomin: an open platform for policy microfinance (정책서민금융)."""

__version__ = "0.1.0"
