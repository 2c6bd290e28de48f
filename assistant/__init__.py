"""Pledge Assistant: cited answers over UN Human Rights Council candidature pledges."""

__version__ = "0.1.0"
