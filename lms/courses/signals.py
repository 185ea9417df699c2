"""Events other apps listen to, so that ``courses`` never imports them."""

from django.dispatch import Signal

# Sent once per enrolment, after the transaction that recorded the completion has committed.
# Arguments: ``enrolment`` (an Enrolment).
training_completed = Signal()

# Sent once per part an enrolment completes, after the transaction that recorded it has committed.
# Arguments: ``enrolment`` (an Enrolment) and ``part_key`` (the part's translation key).
part_completed = Signal()
