"""The admin area: scope of the tree an admin sees."""

from tests.support import text_of


def test_admin_home_lists_the_nodes_in_scope(client, tree, make_user, login):
    login(make_user(admin_of=tree["edu"]))
    page = text_of(client.get("/admin/").data)
    assert "江苏省教育科技工会" in page and "南京市总工会" not in page


def test_platform_admin_home_lists_the_roots(client, tree, make_user, login):
    login(make_user(platform_admin=True))
    page = text_of(client.get("/admin/").data)
    assert "江苏省总工会" in page and "陕西省总工会" in page


def test_org_page_shows_figures_children_and_only_breadcrumbs_in_scope(client, tree, make_user, login):
    login(make_user(admin_of=tree["edu"]))
    page = text_of(client.get(f"/admin/orgs/{tree['njmu'].id}").data)
    assert "南京医科大学工会" in page and "基础医学院分工会" in page
    assert "江苏省教育科技工会" in page
    assert "江苏省总工会" not in page  # above the admin's scope
    assert "下属组织数（含本级） 2" in page


def test_member_is_told_the_admin_area_does_not_exist(client, make_user, login):
    login(make_user())
    assert client.get("/admin/").status_code == 404
