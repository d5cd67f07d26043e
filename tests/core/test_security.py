from engagement.core.timeutil import format_range


def test_security_headers_on_every_page(client, app):
    for url in ["/", "/login", "/teams/nope"]:
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client, app):
    page = client.get("/").get_data(as_text=True)
    assert "<script" not in page and " onclick=" not in page


def test_every_form_carries_a_csrf_token(client, app):
    for url in ["/login", "/forgot-password"]:
        assert 'name="csrf_token"' in client.get(url).get_data(as_text=True)


def test_errors_are_readable_pages_not_500s(client, app):
    assert client.get("/no/such/page").status_code == 404
    response = client.post("/")
    assert response.status_code in (400, 405)
    assert "Contact the police" in response.get_data(as_text=True)


def test_json_errors_for_api_clients(client, app):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_uk_date_ranges(app):
    from datetime import UTC, datetime

    start = datetime(2027, 3, 2, 18, 0, tzinfo=UTC)  # GMT in March before the change
    assert format_range(start, datetime(2027, 3, 2, 19, 30, tzinfo=UTC)) == "Tuesday 2 March 2027, 6pm to 7:30pm"
    summer = datetime(2027, 7, 6, 17, 0, tzinfo=UTC)  # 18:00 BST
    assert format_range(summer, datetime(2027, 7, 6, 23, 0, tzinfo=UTC)) == "Tuesday 6 July 2027, 6pm to midnight"
    assert format_range(datetime(2027, 7, 6, 11, 0, tzinfo=UTC), None) == "Tuesday 6 July 2027, midday"
