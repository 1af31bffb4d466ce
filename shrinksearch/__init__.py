"""shrinksearch: search psychiatry blogs — posts and their comment threads — by theme."""

__version__ = "0.1.0"
