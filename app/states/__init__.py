"""The codes and the life cycles: a leaf every layer may import (``app.db`` included).

``codes`` holds every enumerated code of the product contract; ``machine`` the shared
transition machinery and its one 409; ``case``, ``assignment``, ``membership`` and
``delivery`` each declare one life cycle — its transition table and its status sets, once.
Nothing here does I/O or imports a framework.
"""
