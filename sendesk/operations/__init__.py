"""Operations: the jobs that combine services and report writers (a pack, a file export).

Layers, lowest first: ``rules`` (pure facts and checks) → ``db`` and ``models`` →
``services`` (use cases: permission, one transaction, audit) → ``reports`` (file writers
that read the services' plain data) → ``operations`` (jobs that call both) → ``cli`` and
``ui``. No import runs upward; ``tests/test_layers.py`` checks it.
"""
