"""Verification of every claim of the paper against simulation (``python -m verify``)."""
