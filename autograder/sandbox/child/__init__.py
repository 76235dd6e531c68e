"""Code that runs inside the sandbox. It imports nothing from the rest of the package,
because the sandbox sees only this folder (and the Python environment)."""
