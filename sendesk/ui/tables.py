"""Where the table and button helpers used to live; they are in :mod:`sendesk.ui.kit` now.

Kept (names only) while the pupil window's overview still imports them from here.
"""

from sendesk.ui.kit.buttons import action_button, button_row
from sendesk.ui.kit.table_view import read_only_item, read_only_table, share_width

__all__ = ["action_button", "button_row", "read_only_item", "read_only_table", "share_width"]
