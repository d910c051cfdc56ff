"""A new person is made inside the command's own transaction, after the policy allowed it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shared.privacy.store import NieuwePersoon, Personen


class PersonenInTransactie:
    """For a SQL unit of work: ``word_persoon`` stores a caller who acts for the first time in
    the unit's session, so the person commits with the command's events or not at all (a
    refused, invalid or failed command leaves no personal data behind)."""

    session: Session
    personen: Personen | None = None

    def word_persoon(self, nieuw: NieuwePersoon | None) -> None:
        if nieuw is not None:
            self._register().maak(self.session, nieuw)

    def _register(self) -> Personen:
        if self.personen is None:
            raise RuntimeError("deze unit of work heeft geen personenregister")
        return self.personen
