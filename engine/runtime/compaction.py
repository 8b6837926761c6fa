"""Cutting completed history out of the live task tree.

Why: SpiffWorkflow keeps every task it ever ran in one tree. Each step walks that tree about
ten times, so a case that loops (a family of twelve registered one by one, a form corrected
again and again) gets slower with every step; and the tree's iterator stops at depth 1,000,
after which ``is_completed()`` wrongly turns true (a gateway loop dies at about 334 rounds).

What: keep the root and the subtree that still matters — the part below a task a few levels
above the lowest common ancestor of all unfinished tasks — and drop the rest. The dropped
tasks are all finished. Nothing is lost for the case: the state after every step is kept in
``case_state`` and every submission in ``case_step``/audit, which is what corrections and the
audit trail use.

When not: if a task to drop is unfinished, is ``last_task``, or owns a subprocess (call
activity / embedded subprocess data lives in a separate workflow keyed by that task), the
tree is left alone. Parallel and inclusive joins are safe because their waiting join tasks
are unfinished and so lie below the common ancestor.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

KEEP_LEVELS = 3
MIN_TASKS = 0


def _path_to_root(task: Task) -> list[Task]:
    path = []
    t: Task | None = task
    while t is not None:
        path.append(t)
        t = t.parent
    path.reverse()
    return path


def compact(wf: BpmnWorkflow, *, keep_levels: int = KEEP_LEVELS, min_tasks: int = MIN_TASKS) -> int:
    """Drop finished history from ``wf``'s top-level tree; returns the number of tasks dropped."""
    if len(wf.tasks) < min_tasks:
        return 0
    unfinished = [t for t in wf.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not unfinished:
        return 0
    paths = [_path_to_root(t) for t in unfinished]
    depth = 0
    shortest = min(len(p) for p in paths)
    while depth < shortest and all(p[depth] is paths[0][depth] for p in paths):
        depth += 1
    lca_index = depth - 1
    keep_index = lca_index - keep_levels
    if keep_index <= 1:
        return 0  # the interesting part starts right below the root: nothing to cut
    root = wf.task_tree
    keep = paths[0][keep_index]

    kept: set = set()
    stack = [keep]
    while stack:
        t = stack.pop()
        kept.add(t.id)
        stack.extend(t.children)
    kept.add(root.id)
    drop = [t for t in wf.tasks.values() if t.id not in kept]
    last = wf.last_task.id if wf.last_task is not None else None
    for t in drop:
        if not t.has_state(TaskState.FINISHED_MASK) or t.id == last or t.id in wf.subprocesses:
            return 0
    for t in drop:
        del wf.tasks[t.id]
        wf.event_manager.remove_task(t)
    keep._parent = root.id
    root._children = [keep.id]
    return len(drop)
