"""Which database is Neutron's, on a MySQL server that may hold more than one deployment's."""

import pytest

from scan.access.calls import RemoteError
from scan.access.mysql import Database


def _db(schemas: list[str]) -> Database:
    db = Database({"host": "db1", "port": 3306, "user": "calipso", "connect_timeout": 5}, caller=None)   # never connects
    db._schemas = schemas            # what SHOW DATABASES answered
    return db


def test_neutron_itself_wins_over_other_databases_holding_the_name():
    # a shared MariaDB with a test copy beside the real one (seen on our acceptance bed: the scan failed)
    assert _db(["information_schema", "neutron", "t9830d675_neutron", "nova"]).neutron_schema() == "neutron"


def test_the_one_database_holding_the_name_when_there_is_no_neutron():
    assert _db(["information_schema", "ovs_neutron", "nova"]).neutron_schema() == "ovs_neutron"


@pytest.mark.parametrize("schemas", [["nova", "keystone"], ["a_neutron", "b_neutron"]])
def test_none_or_several_without_neutron_is_an_error_naming_them(schemas):
    with pytest.raises(RemoteError) as e:
        _db(schemas).neutron_schema()
    assert "expected one database named like 'neutron'" in str(e.value)
    assert all(s in str(e.value) for s in schemas if "neutron" in s)
