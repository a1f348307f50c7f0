"""The relation component (`pipe.py`) and its registered architecture (`model.py`)."""
