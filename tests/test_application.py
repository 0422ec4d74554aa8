"""The application object: where the extensions' request hooks run."""

from __future__ import annotations

from portal.extensions import csrf, limiter, login_manager
from portal.web.fast_paths import API_BLUEPRINT, owned_by

PAGE_EXTENSIONS = (csrf, login_manager, limiter)
HOOK_REGISTRIES = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs")


def _owners(hooks) -> set[str]:
    return {type(owner).__name__ for hook in hooks for owner in PAGE_EXTENSIONS if owned_by(hook, owner)}


def test_every_route_but_the_static_files_belongs_to_a_blueprint(app):
    """What lets the pages' hooks live on the page blueprints: no page is left outside one."""
    outside = {rule.endpoint for rule in app.url_map.iter_rules() if "." not in rule.endpoint}
    assert outside == {"static"}


def test_the_pages_hooks_run_on_every_page_blueprint_and_not_on_the_api(app):
    pages = [name for name in app.blueprints if name != API_BLUEPRINT]
    assert len(pages) > 20
    for registry in HOOK_REGISTRIES:
        hooks = getattr(app, registry)
        assert not _owners(hooks.get(None, [])), registry  # nothing of theirs is app-wide any more
        assert not _owners(hooks.get(API_BLUEPRINT, [])), registry
        expected = _owners(hooks[pages[0]])
        for name in pages:
            assert _owners(hooks[name]) == expected, (registry, name)
    assert _owners(app.before_request_funcs["main"]) == {"CSRFProtect", "Limiter"}
    assert _owners(app.after_request_funcs["main"]) == {"LoginManager", "Limiter"}
    # the admin blueprints' own check runs after CSRF, as it did when CSRF was app-wide
    admin_hooks = app.before_request_funcs["admin"]
    assert owned_by(admin_hooks[0], csrf) and admin_hooks[-1].__name__ == "require_admin_scope"
