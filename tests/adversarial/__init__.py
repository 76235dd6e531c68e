"""Test data for tests/test_adversarial.py: cheating submissions, as files.

One folder per assignment family (``activations``: numeric; ``lenet``: model; ``rnn_letters``:
recurrent models). In each, ``honest_partial/`` is an honest student and every other folder a
cheat: ``<assignment>.py``, plus any data it ships (trained weights made by ``make_weights.py``).
The test adds the reference as a second honest student and, to every cheat, ``_honest.py`` (the
reference, for the functions where the cheat should still earn its points),
``kit/adversarial_kit.py`` (the attacks the cheats share) and ``adversarial.json``.

Nothing here is imported by the test suite: these files run only as students' code, in the
grader's sandbox. The attacks that write, fork or signal check first that they are in one.
"""
