# The public tracking pages.

track-title = Track an item
track-lead = Enter the ID printed under the barcode, for example { $example }. No login needed.
track-id-label = Item ID
track-id-hint = 13 characters: 2 letters, 9 digits and the 2-letter country. A barcode scanner can type it.
track-button = Track
track-many-summary = Track several items at once (up to { $max })
track-many-label = Item IDs
track-many-hint = One per line, or separated by spaces or commas; up to { $max }.
track-status = Status
track-from = From
track-to = to
track-events = What happened
track-no-events = No events have been recorded yet.
track-reason = Reason
track-office = Office
track-not-known = { $id } is not known yet. An item appears here once a post on this network has recorded it: try again later, or ask the post office where it was sent.
track-invalid = “{ $id }” is not a valid item ID: { $problem }.
track-format-hint = An item ID has 13 characters: 2 letters, 8 digits, a check digit and the 2 letters of the country that issued it, e.g. { $example }. Check the ID on the receipt or under the barcode.
track-too-many = At most { $max } items can be tracked at once; you entered { $count }.
track-rate-limited = Too many lookups from your connection. Wait { $seconds } seconds and try again.

## Why a text is not an item ID (the parser's reasons)

s10-error-length = it should have 13 characters (spaces aside), it has { $found }
s10-error-format-digit = character { $position } should be a digit, not “{ $found }”
s10-error-format-letter = character { $position } should be a letter, not “{ $found }”
s10-error-check-digit = the check digit should be { $expected }, not { $found }; a character was probably mistyped
s10-error-reserved = no post issues IDs starting with { $indicator }
s10-error-country = { $code } is not a country code
s10-error-indicator = the first two characters should be letters, not “{ $found }”
