"""The restricted environment for BPMN scripts, gateway conditions, pre/post scripts and DMN cells.

Contract
--------
* ``RestrictedEnvironment(helpers=None, limits=None)`` is a SpiffWorkflow
  ``TaskDataEnvironment``: put it into ``PythonScriptEngine(environment=…)`` and set that engine
  on every workflow again after deserialising (Spiff does not store it). It keeps Spiff's data
  semantics: ``evaluate`` reads task data, ``execute`` runs with the task data dict as globals,
  refuses task data that shadows a helper, and strips builtins, helpers and callables afterwards.
  It is stateless between calls and may be shared by threads.
* ``evaluate(expression, names)`` / ``execute(script, names)`` do the same without Spiff;
  ``check_source(source, mode)`` lists every problem of a script without running it (publish time).
* Everything raised on purpose is ours: ``ScriptError`` (syntax), ``ScriptSecurityError``
  (forbidden construct, at compile time or when a guard refuses at run time) and
  ``ScriptLimitExceeded`` (time, memory, size, recursion). ``context`` holds ``line`` (when
  known) and, for compile errors, ``source`` and ``problems``. Other exceptions of the script
  itself (``KeyError``, ``ZeroDivisionError`` …) pass through unchanged.

How it works
------------
1. **Compile time** (cached per source text): ``ast.parse``, our own checker (German messages for
   imports, ``_`` names and attributes, forbidden builtins, ``.format``, ``class``, oversized or
   dynamic format specs), then RestrictedPython with a policy subclass that additionally inserts a
   ``_tick_()`` call at the start of every loop body, function body and lambda, a re-raise at the
   start of every ``except`` block (a script cannot swallow a limit error), and guard calls for
   ``*``, ``**``, ``<<``, ``%``, ``//``, ``*x`` unpacking, ``yield from`` and f-strings.
2. **Run time**: a per-run budget (held in a ``ContextVar``, so threads never share one). Each
   tick reads ``time.perf_counter()`` (≈0.1 µs) and compares it with one precomputed instant; the
   deadline is checked on every tick, resident memory (``/proc/self/statm``, else
   ``resource.getrusage``) at most every ``MEMORY_CHECK_INTERVAL_S`` — time-based rather than every
   N ticks, because what a tick can allocate varies, while allocation speed is bounded. Iteration
   by comprehensions, unpacking and the iterating builtins goes through a ticking iterator. Single
   C-level operations that could allocate without ticking are checked before they run.
   ``RecursionError`` and ``MemoryError`` become ``ScriptLimitExceeded``.

Limits (chosen so that ordinary process code never meets them):

==============================  =============  ==================================================
``Limits.time_s``               1.0 s          wall-clock time per call (``Limits`` per env/call)
``Limits.memory_mb``            64 MB          growth of the process's resident memory
``MAX_SEQUENCE_LEN``            1 000 000      chars/items one operation may build: ``s * n``,
                                               padding, ``replace``, ``join``, ``expandtabs``,
                                               ``translate``, ``to_bytes``, ``%``/f-string
                                               results, ``str()``/``repr()`` of containers
``MAX_INT_BITS``                100 000 bits   ≈ 30 000 digits: results of ``a * b``, ``a ** b``,
                                               ``a << b``; operands of ``**``, ``//``, ``%``,
                                               ``divmod`` (long division is quadratic)
``MAX_DECIMAL_DIGITS``          4 300          ``int()``/``round()``/formatting of a ``Decimal``
                                               (CPython's own int/str digit limit)
``MAX_RANGE_LEN``               10 000 000     elements of ``range()``
``MAX_FORMAT_WIDTH``            10 000         width/precision in f-string and ``%`` format specs
``DIRECT_ITERATION_LEN``        100 000        larger containers are iterated with ticks by
                                               ``list()``, ``sorted()``, ``sum()`` …
``MAX_SOURCE_LEN``              100 000        characters of one script
==============================  =============  ==================================================

Known gaps: memory is the growth of the whole process's resident set, so in a threaded server
another thread's allocation counts too (false alarms are possible), and memory the allocator
had freed before and now reuses does not show as growth (a script can use that much on top).
Time is wall-clock time, so a starved thread gets less CPU. A single C operation between two
ticks cannot be interrupted; all that could be large are size-checked above, and the largest
legal ones take milliseconds. Values a script leaves in task data (e.g. a list holding one
large string many times) are not size-checked here: the serializer should limit stored data.

Modules
-------
``limits`` (``Limits`` and the fixed limits above). Compile time: ``checker`` (forbidden
constructs in German, ``ScriptProblem``), ``policy`` (the RestrictedPython transformer),
``compile`` (analysis, code cache, ``check_source``). Run time: ``budget`` (deadline, memory,
ticking iterators), ``guards`` (operators, writes, size checks), ``attributes`` (attribute and
method guards), ``builtins`` (the safe builtins), ``hooks`` (the names compiled code calls),
``run`` (one run under a budget), ``environment`` (``RestrictedEnvironment``, ``evaluate``,
``execute``). Each module imports only modules listed before it. Other packages import from
``engine.runtime.sandbox`` only, never from its modules.
"""

from __future__ import annotations

from engine.runtime.sandbox.builtins import RESERVED_NAMES, SAFE_BUILTINS
from engine.runtime.sandbox.checker import BLOCKED_NAMES, ScriptProblem
from engine.runtime.sandbox.compile import check_source
from engine.runtime.sandbox.environment import RestrictedEnvironment, evaluate, execute
from engine.runtime.sandbox.limits import (
    DIRECT_ITERATION_LEN,
    MAX_DECIMAL_DIGITS,
    MAX_FORMAT_WIDTH,
    MAX_INT_BITS,
    MAX_RANGE_LEN,
    MAX_SEQUENCE_LEN,
    MAX_SOURCE_LEN,
    Limits,
)

__all__ = [
    "BLOCKED_NAMES",
    "DIRECT_ITERATION_LEN",
    "MAX_DECIMAL_DIGITS",
    "MAX_FORMAT_WIDTH",
    "MAX_INT_BITS",
    "MAX_RANGE_LEN",
    "MAX_SEQUENCE_LEN",
    "MAX_SOURCE_LEN",
    "RESERVED_NAMES",
    "SAFE_BUILTINS",
    "Limits",
    "RestrictedEnvironment",
    "ScriptProblem",
    "check_source",
    "evaluate",
    "execute",
]
