"""``python -m autograder``: the same CLI as the console script (Gradescope's run_autograder uses it)."""

from autograder.cli import main

main()
