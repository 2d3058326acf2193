def test_home_shows_the_users_name(login):
    response = login("alice").get("/")
    assert response.status_code == 200
    assert "李爱丽" in response.content.decode()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
