"""The engine: match items to the controls in force, then judge them against the permits."""
