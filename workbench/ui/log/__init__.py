"""The exchange log's parts, composed by :class:`workbench.ui.log_dock.ExchangeLogDock`.

:mod:`~workbench.ui.log.table` lists the exchanges (filter, count, table following new rows),
:mod:`~workbench.ui.log.detail` shows the selected one, and :mod:`~workbench.ui.log.actions`
holds the commands on it (open in a window, copy as curl, copy the body, export, clear).
"""
