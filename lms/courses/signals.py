"""Events other apps listen to, so that ``courses`` never imports them."""

from django.dispatch import Signal

# Sent once per enrolment, after the transaction that recorded the completion has committed.
# Arguments: ``enrolment`` (an Enrolment).
training_completed = Signal()
