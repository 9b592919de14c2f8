"""The error every layer raises for bad input from the user (a flag, a file, a graph that cannot start).

The CLI prints `visuomotor: <message>` as one line and exits 2; the message names what is wrong and how to fix it.
"""


class UserError(Exception):
    """Bad input from the user: one line naming the cause and the fix."""
