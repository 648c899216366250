"""The UI kit: the pieces every tab, page and dialog is made of (one way to do each).

- :mod:`.table_model` — ``RowsModel`` and ``ColumnSpec``: records shown as a table;
  ``TextRowsModel`` for thousands of rows (texts made once, on the worker thread).
- :mod:`.table_view` — how a read-only table looks; the selected record; ``fit_columns``.
- :mod:`.edit_table` — ``EditRowsModel``/``EditColumn``/``EditView``: a small grid of
  dataclass rows edited in place (scores, exceptions, people at a meeting).
- :mod:`.record_tab` — ``RecordList`` (a list with its buttons) and ``RecordTab``.
- :mod:`.form_dialog` — ``FormDialog`` from a service's input dataclass, saved off-thread.
- :mod:`.filtered_page` — ``FilteredPage``: filters, the list, export of what is shown.
- :mod:`.page` — ``Page``: a main-window page (context, today, ``changed``, its read in
  ``loading``); a page says its state, ``_build``, ``_connect`` and ``reload``.
- :mod:`.dates`, :mod:`.buttons` — date fields ("not yet"), buttons (a role's editing
  buttons, Move up/down), ask, warn, ``save_discard_cancel`` and ``confirmed_change``.
- :mod:`.forms` — ``form_row``: a labelled form row; ``note``, ``bold``, ``scrolling``;
  :mod:`.paths` — a file or folder field with its Choose button; ``file_problem``.
- :mod:`.worker_steps` — the check-then-import dialogs' steps, controls and Cancel.
"""
