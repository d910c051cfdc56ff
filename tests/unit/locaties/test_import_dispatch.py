"""The import looks up a line's command builder and handler once per class instead of through
``singledispatch`` on every line: for every body schema and every command class, the very
function the single command's path dispatches to."""

from __future__ import annotations

from typing import Any

import pytest

from services.locaties.domain import commands
from services.locaties.entrypoints import routes_import, schemas
from services.locaties.entrypoints.routes_commandos import commando
from services.locaties.service_layer import handlers

COMMANDOKLASSEN = [
    c for c in vars(commands).values() if isinstance(c, type) and c.__module__ == commands.__name__
]


@pytest.mark.parametrize("schema", list(routes_import._COMMANDOS.values()))
def test_a_body_schema_gets_the_single_command_s_builder(schema: type[Any]) -> None:
    body = object.__new__(schema)  # no fields needed: the look-up reads only its class
    assert routes_import._bouwer(body) is commando.dispatch(schema)
    assert routes_import._bouwer(body) is not commando.dispatch(object)


@pytest.mark.parametrize("klasse", COMMANDOKLASSEN)
def test_a_command_gets_the_single_command_s_handler_every_time(klasse: type[Any]) -> None:
    cmd = object.__new__(klasse)  # no fields needed: the look-up reads only its class
    verwacht = handlers.handle.dispatch(klasse)
    assert routes_import._handler(cmd) is verwacht
    assert routes_import._handler(cmd) is verwacht  # and again, from the look-up's memory


def test_a_handler_registered_after_the_first_line_is_the_one_that_runs() -> None:
    """``singledispatch`` honours a registration made after its first call; so does the
    import's look-up, or a line and its single command would run different handlers."""
    cmd = object.__new__(commands.WijzigStatus)
    echt = handlers.handle.dispatch(commands.WijzigStatus)
    body = object.__new__(schemas.Statuswijziging)
    echte_bouwer = commando.dispatch(schemas.Statuswijziging)
    assert routes_import._handler(cmd) is echt  # the look-up has seen this class

    def ander(cmd: commands.WijzigStatus, uow: Any) -> Any:
        raise AssertionError("not called")

    def andere_bouwer(b: schemas.Statuswijziging, i: str, v: int, crs: str) -> Any:
        raise AssertionError("not called")

    try:
        handlers.handle.register(commands.WijzigStatus, ander)
        commando.register(schemas.Statuswijziging, andere_bouwer)
        assert routes_import._handler(cmd) is handlers.handle.dispatch(type(cmd)) is ander
        assert routes_import._bouwer(body) is commando.dispatch(type(body)) is andere_bouwer
    finally:
        handlers.handle.register(commands.WijzigStatus, echt)
        commando.register(schemas.Statuswijziging, echte_bouwer)
    assert routes_import._handler(cmd) is echt
    assert routes_import._bouwer(body) is echte_bouwer


def test_a_subclass_of_a_command_gets_its_base_s_handler_as_singledispatch_gives_it() -> None:
    class Afgeleid(commands.WijzigStatus):
        pass

    cmd = object.__new__(Afgeleid)
    assert routes_import._handler(cmd) is handlers.handle.dispatch(commands.WijzigStatus)
