"""PostgreSQL whose health check costs no round trip while the connection is quiet.

Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first query of every request, so that a
persistent connection the server has dropped is replaced instead of failing the request. That round
trip was about a tenth of a learner's page. A connection the server has dropped (a restart, a
terminated backend, an idle timeout) has something waiting on its socket: the server's last message
or the end of the stream. So the check first asks the socket, without waiting (one system call), and
sends ``SELECT 1`` only when there is something to read or the connection is not idle. A connection
that can no longer reach a server that said nothing (a cut cable) is found by the first query, as it
was by ``SELECT 1``.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            quiet = not poller.poll(0)
        except (OSError, ValueError):
            return False
        return quiet or super().is_usable()
