"""Roles and scopes as data (data/security/roles.yaml)."""

from __future__ import annotations

import pytest

from cocontrol.security import roles
from cocontrol.security.errors import SecurityError


def test_builtin_catalogue_has_the_seven_roles_of_the_brief():
    cat = roles.builtin()
    assert set(cat.roles) == {"administrator", "bureau_analyst", "bureau_leader", "park_manager",
                              "enterprise_user", "finance_reader", "public"}
    assert cat.roles["administrator"].scope == "all"
    assert cat.anonymous_role().key == "public"
    assert cat.roles["public"].audiences == ("public",)
    # a leader reads but does not edit; an analyst edits but does not publish
    leader, analyst = cat.roles["bureau_leader"], cat.roles["bureau_analyst"]
    assert "projects:write" not in leader.permissions and "results:publish" in leader.permissions
    assert "projects:write" in analyst.permissions and "results:publish" not in analyst.permissions
    # readers outside the bureau never write
    for key in ("finance_reader", "public"):
        assert not [p for p in cat.roles[key].permissions if p.endswith(":write")]


@pytest.mark.parametrize("data, fragment", [
    ({"name": ["x", "x"], "scope": "subtree", "permissions": ["nope:read"]}, "unknown permission"),
    ({"name": ["x", "x"], "scope": "subtree", "permissions": ["*"]}, "'*'"),
    ({"name": ["x", "x"], "scope": "published", "permissions": ["results:read"]}, "audience"),
    ({"name": ["x", "x"], "scope": "subtree", "permissions": [], "levels": ["moon"]}, "level"),
    ({"name": ["x", "x"], "scope": "subtree", "permissions": [], "colour": "red"}, "colour"),
])
def test_parse_role_refuses_bad_definitions_plainly(data, fragment):
    with pytest.raises(SecurityError) as e:
        roles.parse_role("custom", data, roles.builtin().permissions)
    assert fragment in e.value.message("en") and "角色定义无效" in e.value.message("zh")


def test_grant_allows():
    g = roles.Grant.of(roles.builtin().roles["enterprise_user"])
    assert g.allows("projects:write") and not g.allows("users:write")
    assert roles.Grant.of(roles.builtin().roles["administrator"]).allows("anything:at_all")


def test_the_roles_table_of_docs_security_md_is_the_data():
    """docs/security.md states the roles: its table must say what roles.yaml says."""
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in roles.builtin().roles:
            rows[cells[0]] = cells
    cat = roles.builtin()
    assert set(rows) == set(cat.roles)
    for key, (_, zh, scope, _levels, perms) in rows.items():
        r = cat.roles[key]
        assert zh == r.name[1] and scope.split(" ")[0] == r.scope
        if "*" in r.permissions:
            assert perms == "every permission"
        else:
            assert [p.strip() for p in perms.split(",")] == list(r.permissions)
