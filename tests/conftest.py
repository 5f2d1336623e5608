"""Makes the pack's modules importable as Checkov imports them (the checks folder on sys.path)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(os.path.dirname(HERE), "checks")]
