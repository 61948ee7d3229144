"""The session engine (SESSION_ENGINE): the database's, telling papers.caching.readers when a
session stops being just a login, so that no app server answers it from a reader card."""

from django.contrib.sessions.backends import db

from . import pages, readers


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        found = super()._get_session_from_db()
        self.expire_date = found.expire_date if found else None
        return found

    def save(self, must_create=False):
        super().save(must_create)
        self.expire_date = None  # a card needs the date the database has: made next request
        if self._session.keys() - pages.LOGIN_SESSION_KEYS:
            readers.changed()

    def delete(self, session_key=None):
        super().delete(session_key)
        readers.changed()
